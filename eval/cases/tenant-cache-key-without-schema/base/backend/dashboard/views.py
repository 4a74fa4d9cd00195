from django.core.cache import cache
from django.db import connection
from django.db.models import Count
from rest_framework.decorators import api_view
from rest_framework.response import Response

from crm.models import Contact


@api_view(["GET"])
def summary(request):
    key = f"dashboard:summary:{connection.schema_name}"
    data = cache.get(key)
    if data is None:
        data = {"contacts": Contact.objects.count(), "domains": list(Contact.objects.values("email").annotate(n=Count("id"))[:5])}
        cache.set(key, data, 300)
    return Response(data)
