"""The admin pages for messages and posts work, and the demo seed is idempotent."""

from io import StringIO

import pytest
from django.test import Client

from accounts import demo as accounts_demo
from messaging import demo as messaging_demo
from messaging.models import Message
from posts import demo as posts_demo
from posts.models import Post
from tests.accounts.factories import AccountFactory, UserFactory
from tests.posts.factories import PostFactory

from .factories import MessageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_browser() -> Client:
    client = Client()
    client.force_login(UserFactory.create(is_superuser=True))
    return client


def test_message_admin_finds_a_number_written_in_any_form(staff_browser, settings):
    settings.PHONE_DEFAULT_REGION = "US"
    account = AccountFactory.create()
    wanted = MessageFactory.create(account=account, sender_number="+14155550199", body="wanted one")
    MessageFactory.create(account=account, body="unwanted one")
    response = staff_browser.get("/admin/messaging/message/", {"q": "(415) 555-0199"})
    assert response.status_code == 200
    assert b"wanted one" in response.content
    assert b"unwanted one" not in response.content
    filtered = staff_browser.get("/admin/messaging/message/", {"account__id__exact": str(account.pk)})
    assert filtered.status_code == 200
    detail = staff_browser.get(f"/admin/messaging/message/{wanted.pk}/change/")
    assert detail.status_code == 200  # read-only view: messages are immutable


def test_message_admin_add_normalises_numbers(staff_browser, settings):
    settings.PHONE_DEFAULT_REGION = "US"
    account = AccountFactory.create()
    response = staff_browser.post(
        "/admin/messaging/message/add/",
        {"account": str(account.pk), "sender_number": "(415) 555-0123", "receiver_number": "12", "body": "x"},
    )
    assert response.status_code == 200  # redisplayed with an error on receiver_number
    assert not Message.objects.exists()
    valid = {"account": str(account.pk), "sender_number": "(415) 555-0123", "receiver_number": "+442079460958"}
    staff_browser.post("/admin/messaging/message/add/", {**valid, "body": "x"})
    assert Message.objects.get().sender_number == "+14155550123"
    # Written with more characters than its 16-character E.164 form.
    staff_browser.post("/admin/messaging/message/add/", {**valid, "sender_number": "+1 (415) 555-0199", "body": "y"})
    assert Message.objects.get(body="y").sender_number == "+14155550199"


def test_post_admin_lists_and_searches(staff_browser):
    PostFactory.create(text="needle in a haystack")
    response = staff_browser.get("/admin/posts/post/", {"q": "needle"})
    assert response.status_code == 200
    assert b"needle in a haystack" in response.content


def test_demo_seed_is_idempotent():
    out = StringIO()
    users = accounts_demo.seed(stdout=out)
    for _ in range(2):
        posts_demo.seed(stdout=out, users=users)
        messaging_demo.seed(stdout=out, users=users)
    assert Post.objects.filter(author=users["user"]).count() == len(posts_demo.DEMO_POSTS["user"])
    expected = sum(len(messages) for messages in messaging_demo.DEMO_MESSAGES.values())
    assert Message.objects.filter(account__owner=users["user"]).count() == expected
