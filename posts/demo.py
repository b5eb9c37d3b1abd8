"""Demo posts for the demo user and the admin. Idempotent: posts are matched by author and text."""

from typing import Any

from accounts.models import User

from .models import Post

DEMO_POSTS = {
    "user": [
        "First post! Trying out the posts API.",
        "Reminder: move 200 from Checking to Savings on Friday.",
        "Ünïcödé wörks too 😀",
    ],
    "admin": ["Welcome to the demo. Posts are private to their author."],
}


def seed(*, stdout: Any, users: dict[str, User]) -> None:
    created = 0
    for role, texts in DEMO_POSTS.items():
        for text in texts:
            _, was_created = Post.objects.get_or_create(author=users[role], text=text)
            created += was_created
    stdout.write(f"  posts: {created} created\n")
