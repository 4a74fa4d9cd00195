from rest_framework import serializers

from .models import Invoice


class InvoiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Invoice
        fields = ["id", "number", "customer", "total", "status", "created"]
        read_only_fields = ["id", "number", "created"]
