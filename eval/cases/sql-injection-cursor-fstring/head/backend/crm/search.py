from django.db import connection
from rest_framework.decorators import api_view
from rest_framework.response import Response


@api_view(["GET"])
def search_contacts(request):
    term = request.query_params.get("q", "")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, name FROM crm_contact WHERE name ILIKE '%{term}%' OR email ILIKE '%{term}%' LIMIT 50")
        rows = cursor.fetchall()
    return Response([{"id": r[0], "name": r[1]} for r in rows])
