from django.db import connection
from rest_framework.decorators import api_view
from rest_framework.response import Response


@api_view(["GET"])
def search_contacts(request):
    term = request.query_params.get("q", "")
    with connection.cursor() as cursor:
        pattern = f"%{term}%"
        cursor.execute("SELECT id, name FROM crm_contact WHERE name ILIKE %s OR email ILIKE %s LIMIT 50", [pattern, pattern])
        rows = cursor.fetchall()
    return Response([{"id": r[0], "name": r[1]} for r in rows])
