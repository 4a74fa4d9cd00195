from rest_framework.decorators import api_view
from rest_framework.response import Response
from django.db import connection

from .tasks import mark_contacted


@api_view(["POST"])
def contacted(request):
    mark_contacted.delay(connection.schema_name, request.data["ids"])
    return Response(status=202)
