from django_tenants.utils import schema_context, get_public_schema_name
from rest_framework.decorators import api_view
from rest_framework.response import Response

from .models import Plan


@api_view(["GET"])
def plans(request):
    # Plans live in the shared "tenants" app: one catalogue for every tenant.
    with schema_context(get_public_schema_name()):
        rows = list(Plan.objects.order_by("monthly_price").values("id", "name", "monthly_price"))
    return Response(rows)
