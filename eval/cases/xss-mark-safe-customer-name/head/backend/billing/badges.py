from django.utils.safestring import mark_safe

from .models import Customer


def customer_badge(customer: Customer) -> str:
    return mark_safe(f'<span class="badge">{customer.name} &lt;{customer.email}&gt;</span>')
