from datetime import timedelta

from django.utils import timezone

from billing.models import Invoice


def overdue_invoices(tenant, days=30):
    cutoff = timezone.now() - timedelta(days=days)
    return Invoice.objects.filter(tenant=tenant, status="issued", created__lt=cutoff)
