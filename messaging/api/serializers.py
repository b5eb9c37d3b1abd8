"""Shape of a message. Normalisation and rules live in messaging.models / messaging.services."""

from typing import Any

from rest_framework import serializers

from config.api.serializers import ModelSerializer
from messaging.models import BODY_MAX_LENGTH, WRITTEN_NUMBER_MAX_LENGTH, Message


class UUIDStringField(serializers.UUIDField):
    """A UUID written as a string. DRF's UUIDField also turns a JSON integer into a UUID
    (`5` -> `00000000-...-000000000005`), so a wrong type became a 404 instead of a 400."""

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("invalid", value=data)
        return super().to_internal_value(data)


class MessageSerializer(ModelSerializer):
    message_id = serializers.UUIDField(source="id", read_only=True)
    # A plain id, not a related field: an account the caller cannot use is a 404 (see the view),
    # where a related field would answer 400 "does not exist" and leak that it exists.
    account = UUIDStringField(source="account_id")
    sender_number = serializers.CharField(max_length=WRITTEN_NUMBER_MAX_LENGTH, help_text="Normalised to E.164.")
    receiver_number = serializers.CharField(max_length=WRITTEN_NUMBER_MAX_LENGTH, help_text="Normalised to E.164.")
    body = serializers.CharField(min_length=1, max_length=BODY_MAX_LENGTH, trim_whitespace=False)

    class Meta:
        model = Message
        fields = ["id", "message_id", "account", "sender_number", "receiver_number", "body", "created_at"]
        read_only_fields = ["id", "message_id", "created_at"]
