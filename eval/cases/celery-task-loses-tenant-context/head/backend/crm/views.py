from rest_framework.decorators import api_view
from rest_framework.response import Response

from .tasks import mark_contacted


@api_view(["POST"])
def contacted(request):
    mark_contacted.delay(request.data["ids"])
    return Response(status=202)
