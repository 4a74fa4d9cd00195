import pytest
from django_tenants.utils import schema_context

from crm.models import Contact


@pytest.mark.django_db
def test_contacts_do_not_leak_between_tenants(tenant_a, tenant_b):
    with schema_context(tenant_a.schema_name):
        Contact.objects.create(name="Ada", email="ada@a.example")
    with schema_context(tenant_b.schema_name):
        assert not Contact.objects.filter(email="ada@a.example").exists()
