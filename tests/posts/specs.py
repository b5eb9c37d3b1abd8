"""The test spec of the posts route (tests/specs.py)."""

from posts import services
from tests.posts.factories import PostFactory
from tests.specs import OWNED, ResourceSpec

SPECS = [
    ResourceSpec(
        "post",
        make=lambda owner: PostFactory.create(author=owner),
        owner_of=lambda obj: obj.author,
        # An admin reads and deletes anyone's post (moderation) but only its author rewrites it.
        access=OWNED.but(admin_update=403, admin_partial_update=403),
        create_body=lambda caller: {"text": "fresh"},
        update_body=lambda obj: {"text": "edited"},
        # An admin's list without ?author= shows their own posts.
        admin_list_query=lambda obj: f"author={obj.author_id}",
        update_service=services.post_update,
        delete_service=services.post_delete,
    ),
]
