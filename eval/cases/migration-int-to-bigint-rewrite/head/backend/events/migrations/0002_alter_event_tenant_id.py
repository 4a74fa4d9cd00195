from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial")]

    operations = [
        migrations.AlterField(
            model_name="event",
            name="tenant_id",
            field=models.BigIntegerField(),
        ),
    ]
