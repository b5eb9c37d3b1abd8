"""OpenAPI for posts: summaries, descriptions and examples (views.py applies them with
`config.api.openapi.documented`)."""

from drf_spectacular.utils import OpenApiExample, extend_schema

# The OpenAPI tags of this app's operations, in order (collected by config.api.openapi.postprocess_tags).
TAGS = [
    {
        "name": "Posts",
        "description": "Your own short posts; admins may read and delete anyone's.",
    },
]


POST = {
    "id": "5e2a9c7d-1b3f-4d6e-8a0c-2f4b6d8e0a1c",
    "author": "3f9c2b1e-8d4a-4c7e-9b21-5a6f0e7d1c42",
    "text": "First batch of 20-tooth sprockets shipped today.",
    "created_at": "2025-03-14T11:00:00Z",
    "updated_at": "2025-03-14T11:00:00Z",
}
SIZE_LIMIT = "The text may be up to 1 MiB of UTF-8 and must not be blank; more is a 413."

POSTS = {
    "list": extend_schema(
        description=(
            "Your own posts, newest first. An admin may add `?author=<user id>` to list someone else's. "
            "Answers carry an `ETag`: send it back in `If-None-Match` to get an empty 304 while nothing changed."
        )
    ),
    "retrieve": extend_schema(description="One of your posts (an admin: anyone's); someone else's is a 404."),
    "create": extend_schema(
        description="Publishes a post as you. " + SIZE_LIMIT,
        examples=[
            OpenApiExample("New post", request_only=True, value={"text": POST["text"]}),
            OpenApiExample("Created", response_only=True, status_codes=["201"], value=POST),
        ],
    ),
    "update": extend_schema(description="Replaces the text of one of your posts. " + SIZE_LIMIT),
    "partial_update": extend_schema(description="Changes the text of one of your posts. " + SIZE_LIMIT),
    "destroy": extend_schema(description="Deletes one of your posts (an admin: anyone's); someone else's is a 404."),
}
