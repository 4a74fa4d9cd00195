from django.db import models


class Event(models.Model):
    """Audit events: one row per API call, about 400 million rows in production."""

    tenant_id = models.IntegerField()
    kind = models.CharField(max_length=40)
    payload = models.JSONField(default=dict)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["tenant_id", "created"], name="event_tenant_created")]
