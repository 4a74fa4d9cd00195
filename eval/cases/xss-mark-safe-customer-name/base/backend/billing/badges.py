from django.utils.html import format_html

from .models import Customer


def customer_badge(customer: Customer) -> str:
    return format_html('<span class="badge">{}</span>', customer.name)
