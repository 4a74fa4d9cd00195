from rest_framework.decorators import api_view
from rest_framework.response import Response

from .models import Contact


SORTABLE = {"name", "-name", "email", "-email", "last_contacted", "-last_contacted"}


@api_view(["GET"])
def contacts(request):
    sort = request.query_params.get("sort", "name")
    if sort not in SORTABLE:
        sort = "name"
    rows = Contact.objects.order_by(sort).values("id", "name", "email")[:100]
    return Response(list(rows))
