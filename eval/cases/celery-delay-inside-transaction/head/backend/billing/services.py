from django.db import transaction

from .models import Invoice, InvoiceLine
from .tasks import send_invoice_email


@transaction.atomic
def issue_invoice(tenant, owner, customer, lines):
    invoice = Invoice.objects.create(tenant=tenant, owner=owner, customer=customer, number=next_number(tenant), total=0)
    for line in lines:
        InvoiceLine.objects.create(invoice=invoice, **line)
    invoice.total = sum(line["amount"] for line in lines)
    invoice.status = "issued"
    invoice.save()
    send_invoice_email.delay(invoice.id)
    return invoice


def next_number(tenant):
    return f"INV-{Invoice.objects.filter(tenant=tenant).count() + 1:06d}"
