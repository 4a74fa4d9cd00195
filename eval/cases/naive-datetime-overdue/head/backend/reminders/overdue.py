from datetime import datetime, timedelta

from billing.models import Invoice


def overdue_invoices(tenant, days=30):
    cutoff = datetime.now() - timedelta(days=days)
    return Invoice.objects.filter(tenant=tenant, status="issued", created__lt=cutoff)
