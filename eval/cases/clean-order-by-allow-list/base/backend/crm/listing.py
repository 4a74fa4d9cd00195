from rest_framework.decorators import api_view
from rest_framework.response import Response

from .models import Contact


@api_view(["GET"])
def contacts(request):
    rows = Contact.objects.order_by("name").values("id", "name", "email")[:100]
    return Response(list(rows))
