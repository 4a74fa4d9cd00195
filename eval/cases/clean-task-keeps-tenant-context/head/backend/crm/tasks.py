from datetime import timedelta

from celery import shared_task
from django.utils import timezone
from django_tenants.utils import schema_context

from .models import Contact


@shared_task
def mark_contacted(schema_name, contact_ids):
    with schema_context(schema_name):
        Contact.objects.filter(id__in=contact_ids).update(last_contacted=timezone.now())


@shared_task
def remind_stale_contacts(schema_name, days=30):
    with schema_context(schema_name):
        cutoff = timezone.now() - timedelta(days=days)
        return list(Contact.objects.filter(last_contacted__lt=cutoff).values_list("id", flat=True))
