"""A write applies its fields to the row as it is now, not as the request first read it."""

import pytest

from accounts import services
from accounts.models import User
from tests.accounts.factories import UserFactory


@pytest.mark.django_db
def test_user_update_keeps_a_change_committed_after_the_caller_read_the_user():
    """Two PATCHes of different fields at once: the view reads the user, another request
    commits a change, then this one saves. The other change must survive."""
    user: User = UserFactory.create(first_name="Old", last_name="Old")
    read_by_this_request = User.objects.get(pk=user.pk)
    services.user_update(actor=user, user=User.objects.get(pk=user.pk), data={"last_name": "Newer"})

    services.user_update(actor=user, user=read_by_this_request, data={"first_name": "New"})

    user.refresh_from_db()
    assert (user.first_name, user.last_name) == ("New", "Newer")
