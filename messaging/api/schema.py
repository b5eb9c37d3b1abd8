"""OpenAPI for messaging: summaries, descriptions and examples (views.py applies them with
`config.api.openapi.documented`)."""

from drf_spectacular.utils import OpenApiExample, extend_schema

# The OpenAPI tags of this app's operations, in order (collected by config.api.openapi.postprocess_tags).
TAGS = [
    {
        "name": "Messages",
        "description": "SMS-style messages sent from your accounts: read and create; immutable.",
    },
]


MESSAGE = {
    "id": "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a",
    "message_id": "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a",
    "account": "7b1d3e5f-2a4c-4e6b-8d0f-1a2b3c4d5e6f",
    "sender_number": "+14155550123",
    "receiver_number": "+442079460958",
    "body": "Your order has shipped.",
    "created_at": "2025-03-14T12:00:00Z",
}
LIST = (
    "Newest first (`?ordering=created_at`: oldest first), in pages of `page_size` linked by `next` and "
    "`previous` (a cursor, no count). Filter by `account`, `message_id`, `sender_number` and "
    "`receiver_number` (several values comma-separated or repeated), `created_after`, `created_before`; "
    "`search` looks in the body."
)

MESSAGES = {
    "list": extend_schema(description="Messages of your accounts (an admin: every message). " + LIST),
    "retrieve": extend_schema(description="One message of one of your accounts; any other is a 404."),
    "create": extend_schema(
        description=(
            "Sends a message from one of your accounts (another's is a 404). Phone numbers are normalised "
            "to E.164; one without `+` is read in the service's default region. Send an `Idempotency-Key` "
            "header to make a retry safe: the same key and body within 24 hours returns the first answer "
            "and sends nothing new."
        ),
        examples=[
            OpenApiExample(
                "New message",
                request_only=True,
                value={
                    "account": MESSAGE["account"],
                    "sender_number": "(415) 555-0123",
                    "receiver_number": "+44 20 7946 0958",
                    "body": MESSAGE["body"],
                },
            ),
            OpenApiExample("Sent", response_only=True, status_codes=["201"], value=MESSAGE),
        ],
    ),
    "destroy": extend_schema(description="Admin only. Messages are otherwise immutable."),
}
ACCOUNT_MESSAGES = {
    "list": extend_schema(
        summary="List an account's messages",
        description="The messages of one of your accounts, as `/messages/?account={id}`; an account that is "
        "not yours is a 404. " + LIST,
    ),
}
