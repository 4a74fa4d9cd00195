from rest_framework.decorators import api_view
from rest_framework.response import Response

from .models import Contact


@api_view(["GET"])
def contacts(request):
    sort = request.query_params.get("sort", "name")
    rows = Contact.objects.order_by(sort).values("id", "name", "email")[:100]
    return Response(list(rows))
