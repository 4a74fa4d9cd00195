from celery import shared_task
from django.core.mail import send_mail

from .models import Invoice


@shared_task
def send_invoice_email(invoice_id):
    invoice = Invoice.objects.select_related("customer").get(pk=invoice_id)
    send_mail(f"Invoice {invoice.number}", "Your invoice is attached.", None, [invoice.customer.email])
