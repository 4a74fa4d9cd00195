from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticated

from .permissions import IsInvoiceOwner


class OwnedModelViewSet(viewsets.ModelViewSet):
    """Viewsets over objects with an owner: authenticated users act on their own objects only."""

    permission_classes = [IsAuthenticated, IsInvoiceOwner]
