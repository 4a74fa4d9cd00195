import json

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from payments.events import handle_event


@csrf_exempt
@require_POST
def stripe_webhook(request):
    handle_event(json.loads(request.body))
    return HttpResponse(status=204)
