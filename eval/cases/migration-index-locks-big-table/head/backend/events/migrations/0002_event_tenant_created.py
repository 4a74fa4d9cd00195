from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial")]

    operations = [
        migrations.AddIndex(
            model_name="event",
            index=models.Index(fields=["tenant_id", "created"], name="event_tenant_created"),
        ),
    ]
