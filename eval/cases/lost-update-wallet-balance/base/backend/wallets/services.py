from django.db import transaction
from django.db.models import F

from .models import Wallet


@transaction.atomic
def top_up(user, amount):
    Wallet.objects.filter(user=user).update(balance=F("balance") + amount)
