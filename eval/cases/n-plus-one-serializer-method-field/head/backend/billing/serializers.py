from rest_framework import serializers

from .models import Invoice


class InvoiceSerializer(serializers.ModelSerializer):
    open_invoices = serializers.SerializerMethodField()

    class Meta:
        model = Invoice
        fields = ["id", "number", "customer", "total", "status", "created", "open_invoices"]
        read_only_fields = ["id", "number", "created"]

    def get_open_invoices(self, obj):
        return obj.customer.invoices.exclude(status="paid").count()
