"""The messaging selectors decide what the caller sees; the views only pass the caller on."""

import re
import uuid

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.api.views import AccountViewSet, UserViewSet
from accounts.selectors import account_for_user
from config.api.exceptions import ObjectNotFound
from config.api.viewsets import ScopedViewSetMixin
from messaging import selectors
from messaging.api.views import AccountMessageViewSet, MessageViewSet
from tests.accounts.factories import AccountFactory, AdminFactory

from .factories import MessageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_owners(user, other_user):
    mine = MessageFactory.create(account=AccountFactory.create(owner=user))
    theirs = MessageFactory.create(account=AccountFactory.create(owner=other_user))
    return mine, theirs


def test_message_list_is_the_callers_own_all_for_an_admin_none_anonymous(user, two_owners):
    mine, theirs = two_owners
    assert list(selectors.message_list(user=user)) == [mine]
    assert set(selectors.message_list(user=AdminFactory.create())) == {mine, theirs}
    assert not selectors.message_list(user=AnonymousUser()).exists()


def test_a_users_message_list_names_their_account_ids(user, two_owners):
    # The index trick (narrow_to_account_ids): the ids are spelled out, not only joined on.
    mine, _ = two_owners
    sql = str(selectors.message_list(user=user).query)
    assert mine.account_id.hex in sql.replace("-", "")


def test_account_message_list_raises_not_found_for_someone_elses_or_a_missing_account(user, two_owners):
    _, theirs = two_owners
    for account_id in (theirs.account_id, uuid.uuid4(), "not-a-uuid", None):
        with pytest.raises(ObjectNotFound, match=re.escape(selectors.ACCOUNT_NOT_FOUND)):
            selectors.account_message_list(user=user, account_id=account_id)
    assert not selectors.account_message_list(user=AnonymousUser(), account_id=theirs.account_id).exists()
    assert list(selectors.account_message_list(user=AdminFactory.create(), account_id=theirs.account_id)) == [theirs]


def test_account_for_user_returns_your_account_or_raises(user, two_owners):
    mine, theirs = two_owners
    assert account_for_user(user=user, account_id=str(mine.account_id)) == mine.account
    with pytest.raises(ObjectNotFound):
        account_for_user(user=user, account_id=theirs.account_id)


@pytest.mark.parametrize("viewset", [UserViewSet, AccountViewSet, MessageViewSet, AccountMessageViewSet])
def test_accounts_and_messaging_viewsets_use_the_one_scoping_mechanism(viewset):
    assert issubclass(viewset, ScopedViewSetMixin)
    assert "get_queryset" not in vars(viewset)
