"""The posts service (MySQL 8): `users` and `posts`.

Its users had no username, only `email_address`: the username is the email, any character a
username may not hold replaced by "_" (they signed in with their email there, and still can
here). Its first version stored **plaintext** passwords, its last bcrypt hashes: a plaintext one
is hashed here (never stored as given) and counted in the report. `is_archived` is a soft
delete; `is_activated` is not read: that service never checked it (everyone could sign in), and
reading it would lock out every user it left at its default, false. The same email as a user we
already have (say from the catalog service) merges into that user (legacy.importers.users).
Posts keep their ids (32 hex digits are a UUID) and times; the models' rules apply (not blank,
at most POST_TEXT_MAX_BYTES of UTF-8).
"""

import re
from typing import Any

from posts.caching import post_list_cache_invalidate
from posts.models import Post

from ..importing import Imported, Row, Run, Skipped, Table, as_uuid, aware, check
from .users import LegacyUser, users_table

SOURCE = "posts-service"
NOT_IN_USERNAME = re.compile(r"[^\w.@+-]")


def _person(row: Row) -> LegacyUser | Skipped:
    email = (row["email_address"] or "").strip()
    archived = bool(row["is_archived"])
    return LegacyUser(
        legacy_id=row["id"],
        email=email,
        username=NOT_IN_USERNAME.sub("_", email)[:150],
        password=row["password"] or "",
        deleted_at=(aware(row["updated_at"]) or aware(row["created_at"])) if archived else None,
        date_joined=aware(row["created_at"]),
    )


def tables(run: Run) -> list[Table]:

    def convert_posts(rows: list[Row]) -> list[Any]:
        wanted = [key for key in (as_uuid(row["id"]) for row in rows) if key is not None]
        used = set(Post.objects.filter(pk__in=wanted).values_list("pk", flat=True))
        outcomes: list[Any] = []
        for row in rows:
            author = run.pk_of("users", row["user_id"])
            if author is None:
                outcomes.append(Skipped(f"user {row['user_id']} was not imported (skipped, or absent from the source)"))
                continue
            post = Post(author_id=author, text=row["text"] or "")
            legacy_pk = as_uuid(row["id"])
            if legacy_pk is not None and legacy_pk not in used:
                post.pk = legacy_pk
            problem = check(post, exclude=["author"])
            if problem is not None:
                outcomes.append(problem)
                continue
            created, updated = aware(row["created_at"]), aware(row["updated_at"])
            times = {name: value for name, value in (("created_at", created), ("updated_at", updated)) if value}
            outcomes.append(Imported(post, times=times))
        return outcomes

    def invalidate(instances: list[Any]) -> None:
        for author_id in {post.author_id for post in instances}:
            post_list_cache_invalidate(author_id)

    return [
        users_table(_person),
        Table(
            name="posts",
            model=Post,
            convert=convert_posts,
            keep_ids=False,
            after_write=invalidate,
        ),
    ]
