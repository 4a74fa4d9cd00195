import hashlib
import hmac
import json
import logging

from django.conf import settings
from django.http import HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from payments.events import handle_event

log = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def stripe_webhook(request):
    signature = request.headers.get("Stripe-Signature", "")
    expected = hmac.new(settings.STRIPE_WEBHOOK_SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(signature, expected):
        log.warning("stripe webhook: bad signature", extra={"remote": request.META.get("REMOTE_ADDR")})
        return HttpResponseForbidden()
    handle_event(json.loads(request.body))
    return HttpResponse(status=204)
