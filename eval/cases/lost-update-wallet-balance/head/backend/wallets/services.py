from django.db import transaction

from .models import Wallet


@transaction.atomic
def top_up(user, amount):
    wallet = Wallet.objects.get(user=user)
    wallet.balance += amount
    wallet.save()
    return wallet.balance
