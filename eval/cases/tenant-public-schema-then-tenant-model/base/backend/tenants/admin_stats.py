from django.db import connection
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import IsAdminUser
from rest_framework.response import Response

from crm.models import Contact


@api_view(["GET"])
@permission_classes([IsAdminUser])
def contact_count(request):
    return Response({"contacts": Contact.objects.count()})
