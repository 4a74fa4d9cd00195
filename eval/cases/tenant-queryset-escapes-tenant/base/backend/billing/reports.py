from django.db.models import Sum
from rest_framework.decorators import api_view
from rest_framework.response import Response

from .models import Invoice


@api_view(["GET"])
def revenue_report(request):
    invoices = Invoice.objects.filter(tenant=request.tenant, status="paid")
    year = request.query_params.get("year")
    if year:
        invoices = invoices.filter(created__year=int(year))
    return Response({"revenue": invoices.aggregate(total=Sum("total"))["total"] or 0})
