"""Shape of a message. Normalisation and rules live in messaging.models / messaging.services."""

from rest_framework import serializers

from messaging.models import BODY_MAX_LENGTH, Message


class MessageSerializer(serializers.ModelSerializer):
    message_id = serializers.UUIDField(source="id", read_only=True)
    # A plain id, not a related field: an account the caller cannot use is a 404 (see the view),
    # where a related field would answer 400 "does not exist" and leak that it exists.
    account = serializers.UUIDField(source="account_id")
    sender_number = serializers.CharField(max_length=64, help_text="Normalised to E.164.")
    receiver_number = serializers.CharField(max_length=64, help_text="Normalised to E.164.")
    body = serializers.CharField(min_length=1, max_length=BODY_MAX_LENGTH, trim_whitespace=False)

    class Meta:
        model = Message
        fields = ["id", "message_id", "account", "sender_number", "receiver_number", "body", "created_at"]
        read_only_fields = ["id", "message_id", "created_at"]
