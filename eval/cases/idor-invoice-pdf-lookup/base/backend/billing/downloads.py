from django.http import FileResponse
from django.shortcuts import get_object_or_404
from rest_framework.decorators import api_view

from .models import Invoice
from .pdf import render_invoice_pdf


@api_view(["GET"])
def invoice_pdf(request, pk):
    invoice = get_object_or_404(Invoice, pk=pk, tenant=request.tenant, owner=request.user)
    return FileResponse(render_invoice_pdf(invoice), filename=f"{invoice.number}.pdf")
