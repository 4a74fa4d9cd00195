from django.db import migrations
from django.utils import timezone

from crm.models import Contact


def backfill(apps, schema_editor):
    Contact.objects.filter(last_contacted__isnull=True).update(last_contacted=timezone.now())


class Migration(migrations.Migration):
    dependencies = [("crm", "0001_initial")]

    operations = [migrations.RunPython(backfill, reverse_code=migrations.RunPython.noop)]
