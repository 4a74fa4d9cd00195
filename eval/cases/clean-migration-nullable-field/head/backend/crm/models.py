from django.db import models


class Contact(models.Model):
    name = models.CharField(max_length=200)
    email = models.EmailField()
    last_contacted = models.DateTimeField(null=True)
    phone = models.CharField(max_length=32, blank=True, null=True)
