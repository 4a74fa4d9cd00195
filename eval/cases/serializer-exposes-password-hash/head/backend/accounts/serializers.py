from django.contrib.auth import get_user_model
from rest_framework import serializers


class MemberSerializer(serializers.ModelSerializer):
    class Meta:
        model = get_user_model()
        fields = "__all__"
        read_only_fields = ["id", "username"]
