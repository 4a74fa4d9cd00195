from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from billing.models import Invoice


def overdue_invoices(tenant, days=None):
    days = settings.INVOICE_OVERDUE_DAYS if days is None else days
    cutoff = timezone.now() - timedelta(days=days)
    return Invoice.objects.filter(tenant=tenant, status="issued", created__lt=cutoff)
