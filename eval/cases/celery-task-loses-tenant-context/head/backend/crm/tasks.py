from celery import shared_task
from django.utils import timezone

from .models import Contact


@shared_task
def mark_contacted(contact_ids):
    Contact.objects.filter(id__in=contact_ids).update(last_contacted=timezone.now())
