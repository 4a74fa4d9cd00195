from django.http import FileResponse
from rest_framework.decorators import api_view

from .models import Invoice
from .pdf import render_invoice_pdf


@api_view(["GET"])
def invoice_pdf(request, pk):
    invoice = Invoice.objects.get(pk=pk)
    return FileResponse(render_invoice_pdf(invoice), filename=f"{invoice.number}.pdf")
