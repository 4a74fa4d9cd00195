from django.db import models
from django_tenants.models import DomainMixin, TenantMixin


class Plan(models.Model):
    name = models.CharField(max_length=50)
    monthly_price = models.DecimalField(max_digits=8, decimal_places=2)


class Client(TenantMixin):
    name = models.CharField(max_length=100)
    plan = models.ForeignKey(Plan, null=True, on_delete=models.SET_NULL)


class Domain(DomainMixin):
    pass
