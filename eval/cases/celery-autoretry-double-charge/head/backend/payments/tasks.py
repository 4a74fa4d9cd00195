from celery import shared_task

from billing.models import Invoice

from .gateway import gateway


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def charge_invoice(invoice_id):
    invoice = Invoice.objects.get(pk=invoice_id)
    if invoice.status == "paid":
        return
    gateway.charge(customer=invoice.customer_id, amount=invoice.total)
    invoice.status = "paid"
    invoice.save(update_fields=["status"])
