from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [("events", "0001_initial")]

    operations = [
        AddIndexConcurrently(
            model_name="event",
            index=models.Index(fields=["tenant_id", "created"], name="event_tenant_created"),
        ),
    ]
