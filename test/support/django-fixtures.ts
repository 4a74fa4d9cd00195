/** Small Django files for pipeline tests, and a helper to find a line's number. */

export const VIEWS_BEFORE = `from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticated

from .models import Invoice
from .serializers import InvoiceSerializer


class InvoiceViewSet(viewsets.ModelViewSet):
    permission_classes = [IsAuthenticated]
    serializer_class = InvoiceSerializer

    def get_queryset(self):
        return Invoice.objects.for_tenant(self.request.tenant)
`;

export const VIEWS_AFTER = `from rest_framework import viewsets

from .models import Invoice
from .serializers import InvoiceSerializer


class InvoiceViewSet(viewsets.ModelViewSet):
    serializer_class = InvoiceSerializer

    def get_queryset(self):
        return Invoice.objects.all()

    def total(self):
        return sum(invoice.amount for invoice in self.get_queryset())
`;

/** 1-based number of the first line of `text` containing `needle`. */
export function lineOf(text: string, needle: string): number {
  const index = text.split("\n").findIndex((line) => line.includes(needle));
  if (index < 0) throw new Error(`no line contains ${needle}`);
  return index + 1;
}

/** A model finding as the fake model returns it. */
export function modelFinding(over: Record<string, unknown>): Record<string, unknown> {
  return {
    path: "backend/billing/views.py",
    side: "RIGHT",
    severity: "high",
    category: "security",
    title: "Finding",
    body: "Explanation of the problem and the fix.",
    confidence: 0.9,
    ...over,
  };
}

/** A view with two rule hits, `eval()` on request data and SQL built with `%`: for the rules' confirmation by the model. */
export const RULE_HITS_VIEW = (() => {
  const text = `from django.db import connection


def run(request):
    return eval(request.GET["expr"])


def search(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM item WHERE name = '%s'" % request.GET["q"])
        return cursor.fetchall()
`;
  return { path: "backend/tools/views.py", text, evalLine: lineOf(text, "eval("), sqlLine: lineOf(text, "cursor.execute(") };
})();
