"""One test per filter: one value, several values comma-separated, repeated, and both mixed."""

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from tests.accounts.factories import AccountFactory
from tests.helpers import assert_error_shape

from .factories import MessageFactory

pytestmark = pytest.mark.django_db

A, B, C = "+14155550101", "+14155550102", "+14155550103"


@pytest.fixture
def accounts(user):
    return [AccountFactory.create(owner=user) for _ in range(3)]


def _ids(client, params) -> set[str]:
    query = urlencode(params, doseq=True)
    response = client.get(f"/api/v1/messages/?{query}&page_size=100")
    assert response.status_code == 200, response.content
    return {m["id"] for m in response.json()["results"]}


def _set(*messages) -> set[str]:
    return {str(m.pk) for m in messages}


def _three_ways(key: str, values: list[str]) -> list[list[tuple[str, str]]]:
    """The same multi-value query as comma-separated, repeated, and a mix of both."""
    mixed = [(key, ",".join(values[:-1])), (key, values[-1])] if len(values) > 1 else [(key, values[0])]
    return [[(key, ",".join(values))], [(key, v) for v in values], mixed]


def test_account_filter(user_client, accounts):
    m0, _m1, m2 = (MessageFactory.create(account=a) for a in accounts)
    assert _ids(user_client, {"account": accounts[0].pk}) == _set(m0)
    for query in _three_ways("account", [str(accounts[0].pk), str(accounts[2].pk)]):
        assert _ids(user_client, query) == _set(m0, m2), query


def test_account_filter_with_another_users_account_matches_nothing(user_client, accounts, other_user):
    mine = MessageFactory.create(account=accounts[0])
    theirs = MessageFactory.create(account=AccountFactory.create(owner=other_user))
    assert _ids(user_client, {"account": theirs.account_id}) == set()
    assert _ids(user_client, {"account": f"{theirs.account_id},{mine.account_id}"}) == _set(mine)


def test_message_id_filter(user_client, accounts):
    m0, m1, m2 = (MessageFactory.create(account=accounts[0]) for _ in range(3))
    assert _ids(user_client, {"message_id": m1.pk}) == _set(m1)
    for query in _three_ways("message_id", [str(m0.pk), str(m2.pk)]):
        assert _ids(user_client, query) == _set(m0, m2), query


@pytest.mark.parametrize("field", ["sender_number", "receiver_number"])
def test_number_filters(user_client, accounts, field):
    ma, _mb, mc = (MessageFactory.create(account=accounts[0], **{field: number}) for number in (A, B, C))
    assert _ids(user_client, {field: A}) == _set(ma)
    for query in _three_ways(field, [A, C]):
        assert _ids(user_client, query) == _set(ma, mc), query


@pytest.mark.parametrize("field", ["sender_number", "receiver_number"])
def test_number_filters_normalise_like_create(user_client, accounts, settings, field):
    settings.PHONE_DEFAULT_REGION = "US"
    ma, mb, _ = (MessageFactory.create(account=accounts[0], **{field: number}) for number in (A, B, C))
    assert _ids(user_client, {field: "(415) 555-0101"}) == _set(ma)
    assert _ids(user_client, [(field, "415.555.0101"), (field, "+1 415 555 0102")]) == _set(ma, mb)


@pytest.mark.parametrize("field", ["sender_number", "receiver_number"])
@pytest.mark.parametrize("bad", ["12", "not a number", f"{A},12"])
def test_an_unreadable_number_in_a_filter_is_a_400(user_client, field, bad):
    assert_error_shape(user_client.get(f"/api/v1/messages/?{urlencode({field: bad})}"), 400, attr=field)


@pytest.mark.parametrize("field", ["account", "message_id"])
def test_a_malformed_uuid_is_a_400(user_client, accounts, field):
    MessageFactory.create(account=accounts[0])
    assert_error_shape(user_client.get(f"/api/v1/messages/?{field}=nope"), 400, attr=field)
    assert_error_shape(user_client.get(f"/api/v1/messages/?{field}={accounts[0].pk},nope"), 400, attr=field)


def test_too_many_values_is_a_400(user_client):
    query = ",".join(["+14155550101"] * 101)
    assert_error_shape(user_client.get(f"/api/v1/messages/?sender_number={query}"), 400, attr="sender_number")


def test_empty_values_do_not_filter(user_client, accounts):
    message = MessageFactory.create(account=accounts[0])
    assert _ids(user_client, {"account": "", "sender_number": ","}) == _set(message)


def test_filters_combine_with_and_across_fields(user_client, accounts):
    target = MessageFactory.create(account=accounts[0], sender_number=A, receiver_number=B)
    MessageFactory.create(account=accounts[1], sender_number=A, receiver_number=B)  # wrong account
    MessageFactory.create(account=accounts[0], sender_number=C, receiver_number=B)  # wrong sender
    MessageFactory.create(account=accounts[0], sender_number=A, receiver_number=C)  # wrong receiver
    query = [
        ("account", f"{accounts[0].pk},{accounts[2].pk}"),
        ("sender_number", A),
        ("sender_number", B),
        ("receiver_number", B),
    ]
    assert _ids(user_client, query) == _set(target)


def test_created_after_and_before_are_inclusive(user_client, accounts):
    now = timezone.now().replace(microsecond=0)
    old = MessageFactory.create(account=accounts[0], created_at=now - timedelta(days=2))
    mid = MessageFactory.create(account=accounts[0], created_at=now - timedelta(days=1))
    new = MessageFactory.create(account=accounts[0], created_at=now)
    day_ago = (now - timedelta(days=1)).isoformat()
    assert _ids(user_client, {"created_after": day_ago}) == _set(mid, new)
    assert _ids(user_client, {"created_before": day_ago}) == _set(old, mid)
    assert _ids(user_client, {"created_after": day_ago, "created_before": day_ago}) == _set(mid)
    zulu = (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert _ids(user_client, {"created_after": zulu}) == _set(new)


def test_a_malformed_date_is_a_400(user_client):
    assert_error_shape(user_client.get("/api/v1/messages/?created_after=yesterday"), 400, attr="created_after")


def test_search_is_a_case_insensitive_substring_of_the_body_with_literal_wildcards(user_client, accounts):
    hello = MessageFactory.create(account=accounts[0], body="Hello World")
    percent = MessageFactory.create(account=accounts[0], body="100% sure")
    MessageFactory.create(account=accounts[0], body="1000 sure")
    underscore = MessageFactory.create(account=accounts[0], body="snake_case")
    MessageFactory.create(account=accounts[0], body="snakeXcase")
    assert _ids(user_client, {"search": "hello wor"}) == _set(hello)
    assert _ids(user_client, {"search": "0%"}) == _set(percent)
    assert _ids(user_client, {"search": "e_c"}) == _set(underscore)


def test_ordering_takes_created_at_only(user_client, accounts):
    """Newest first by default; `created_at` reads oldest first; any other field is a 400 naming created_at."""
    for field in ["body", "id", "sender_number", "--created_at"]:
        response = user_client.get("/api/v1/messages/", {"ordering": field})
        assert_error_shape(response, 400, attr="ordering")
        assert "created_at" in response.json()["errors"][0]["detail"]
    now = timezone.now()
    for minutes in [3, 1, 4, 5, 2]:
        MessageFactory.create(account=accounts[minutes % 2], created_at=now - timedelta(minutes=minutes))
    newest_first = [m["id"] for m in user_client.get("/api/v1/messages/").json()["results"]]
    assert len(newest_first) == 5
    assert [m["id"] for m in user_client.get("/api/v1/messages/?ordering=-created_at").json()["results"]] == (
        newest_first
    )
    # Oldest first, walked page by page through the `next` links.
    walked: list[str] = []
    url = "/api/v1/messages?ordering=created_at&page_size=2"
    while url:
        page = user_client.get(url).json()
        walked += [m["id"] for m in page["results"]]
        url = page["next"]
    assert walked == newest_first[::-1]
