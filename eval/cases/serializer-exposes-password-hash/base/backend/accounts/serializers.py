from django.contrib.auth import get_user_model
from rest_framework import serializers


class MemberSerializer(serializers.ModelSerializer):
    class Meta:
        model = get_user_model()
        fields = ["id", "username", "first_name", "last_name", "email"]
        read_only_fields = ["id", "username"]
