from django.db import migrations
from django.db.models.functions import Lower


def lowercase(apps, schema_editor):
    Contact = apps.get_model("crm", "Contact")
    Contact.objects.update(email=Lower("email"))


class Migration(migrations.Migration):
    dependencies = [("crm", "0001_initial")]

    # Lower-casing cannot be undone, and need not be: the reverse leaves emails as they are.
    operations = [migrations.RunPython(lowercase, reverse_code=migrations.RunPython.noop)]
