import csv

from django.http import HttpResponse

from .models import Invoice


def export_csv(request):
    response = HttpResponse(content_type="text/csv")
    writer = csv.writer(response)
    writer.writerow(["number", "customer", "email", "total", "status"])
    for invoice in Invoice.objects.filter(tenant=request.tenant):
        writer.writerow([invoice.number, invoice.customer.name, invoice.customer.email, invoice.total, invoice.status])
    return response
