from django.shortcuts import get_object_or_404
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from .models import Invoice
from .payments import refund_invoice


@api_view(["POST"])
@permission_classes([AllowAny])
def refund(request, pk):
    invoice = get_object_or_404(Invoice, pk=pk, tenant=request.tenant)
    refund_invoice(invoice, reason=request.data.get("reason", ""))
    return Response({"status": "refunded"})
