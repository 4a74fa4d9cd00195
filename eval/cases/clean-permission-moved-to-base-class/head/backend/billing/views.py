from .base_views import OwnedModelViewSet
from .models import Invoice
from .serializers import InvoiceSerializer


class InvoiceViewSet(OwnedModelViewSet):
    serializer_class = InvoiceSerializer

    def get_queryset(self):
        return Invoice.objects.filter(tenant=self.request.tenant).select_related("customer")
