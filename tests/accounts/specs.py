"""The test specs of the accounts app's routes (tests/specs.py): users and customer accounts."""

from typing import Any

from accounts import services
from accounts.models import User
from tests.accounts.factories import AccountFactory, UserFactory
from tests.specs import OWNED, ResourceSpec


def _soft_deleted(obj: Any) -> bool:
    user = User._base_manager.get(pk=obj.pk)
    return user.deleted_at is not None and not user.is_active


SPECS = [
    ResourceSpec(
        "user",
        make=lambda owner: UserFactory.create(),  # a new user, owning themself
        owner_of=lambda obj: obj,  # a user owns themself
        # Only an admin lists, deletes (a soft delete) and sets roles; there is no create (sign-up
        # is /auth/register/). Another user's DELETE is refused by role before the object is read.
        access=OWNED.but(user_list=403, owner_list=403, user_destroy=403, owner_destroy=403),
        update_body=lambda obj: {"first_name": "Renamed"},
        replace_body=lambda obj: {"email": "taken-over@example.com", "username": "taken-over", "first_name": "Mallory"},
        update_service=services.user_update,
        delete_service=services.user_soft_delete,
        is_deleted=_soft_deleted,
        # is_active=True: a PATCH landing after the soft delete must not re-activate the user.
        race_extra_changes={"user-reactivating": lambda obj: {"first_name": "Raced", "is_active": True}},
    ),
    ResourceSpec(
        "account",
        make=lambda owner: AccountFactory.create(owner=owner),
        owner_of=lambda obj: obj.owner,
        access=OWNED,
        create_body=lambda caller: {"name": "Fresh", "description": "mine now", "currency": "EUR"},
        update_body=lambda obj: {"name": "Renamed"},
        update_service=services.account_update,
        delete_service=services.account_delete,
    ),
]
