"""/accounts/: ownership, validation, full replacement, filters and pagination (API.md, Accounts)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Account
from tests.accounts.factories import AccountFactory, UserFactory
from tests.helpers import assert_error_shape

pytestmark = pytest.mark.django_db

ACCOUNTS = "/api/v1/accounts/"
ACCOUNT_FIELDS = {"id", "owner", "name", "description", "balance", "currency", "active", "created_at", "updated_at"}


def detail(account) -> str:
    return f"{ACCOUNTS}{account.id}/"


# --- access matrix --------------------------------------------------------------------------
def test_anonymous_gets_401(api_client, user):
    account = AccountFactory.create(owner=user)

    for response in (
        api_client.get(ACCOUNTS),
        api_client.post(ACCOUNTS, {"name": "x"}),
        api_client.get(detail(account)),
        api_client.patch(detail(account), {"name": "x"}),
        api_client.put(detail(account), {"name": "x"}),
        api_client.delete(detail(account)),
    ):
        assert_error_shape(response, 401, code="not_authenticated")


def test_another_users_account_is_404(other_client, user):
    account = AccountFactory.create(owner=user, name="Mine")

    assert_error_shape(other_client.get(detail(account)), 404)
    assert_error_shape(other_client.patch(detail(account), {"name": "Stolen"}), 404)
    assert_error_shape(other_client.put(detail(account), {"name": "Stolen"}), 404)
    assert_error_shape(other_client.delete(detail(account)), 404)
    account.refresh_from_db()
    assert account.name == "Mine"
    assert other_client.get(ACCOUNTS).json()["count"] == 0


def test_owner_has_all_methods(user, user_client):
    created = user_client.post(ACCOUNTS, {"name": "Checking"})
    assert created.status_code == 201, created.content
    url = f"{ACCOUNTS}{created.json()['id']}/"

    assert user_client.get(url).status_code == 200
    assert user_client.patch(url, {"description": "d"}).status_code == 200
    assert user_client.put(url, {"name": "Renamed"}).status_code == 200
    assert [row["name"] for row in user_client.get(ACCOUNTS).json()["results"]] == ["Renamed"]
    assert user_client.delete(url).status_code == 204
    assert_error_shape(user_client.get(url), 404)
    assert not Account.objects.exists()


def test_admin_sees_and_manages_every_account(admin_client_api, user, other_user):
    mine = AccountFactory.create(owner=user)
    AccountFactory.create(owner=other_user)

    assert admin_client_api.get(ACCOUNTS).json()["count"] == 2
    assert admin_client_api.get(detail(mine)).status_code == 200
    assert admin_client_api.patch(detail(mine), {"active": False}).json()["active"] is False
    assert admin_client_api.put(detail(mine), {"name": "Replaced"}).status_code == 200
    assert admin_client_api.delete(detail(mine)).status_code == 204


def test_create_sets_owner_to_caller(user, user_client):
    body = user_client.post(ACCOUNTS, {"name": "Main"}).json()

    assert body["owner"] == str(user.id)
    assert set(body) == ACCOUNT_FIELDS


def test_admin_creates_for_another_owner(admin_client_api, user):
    response = admin_client_api.post(ACCOUNTS, {"name": "Given", "owner": str(user.id)})

    assert response.status_code == 201, response.content
    assert response.json()["owner"] == str(user.id)
    assert Account.objects.get(name="Given").owner == user


def test_admin_create_with_unknown_owner_is_400(admin_client_api):
    response = admin_client_api.post(ACCOUNTS, {"name": "Orphan", "owner": "00000000-0000-0000-0000-000000000000"})

    assert_error_shape(response, 400, attr="owner")


def test_non_admin_owner_is_ignored(user, user_client, other_user):
    response = user_client.post(ACCOUNTS, {"name": "Sneaky", "owner": str(other_user.id)})

    assert response.status_code == 201, response.content
    assert response.json()["owner"] == str(user.id)
    assert not Account.objects.filter(owner=other_user).exists()


def test_non_admin_owner_is_ignored_even_if_unknown(user, user_client):
    """A user cannot probe which user ids exist through the ignored field."""
    response = user_client.post(ACCOUNTS, {"name": "Probe", "owner": "00000000-0000-0000-0000-000000000000"})

    assert response.status_code == 201, response.content
    assert response.json()["owner"] == str(user.id)


def test_non_admin_cannot_move_an_account_to_someone_else(user, user_client, other_user):
    account = AccountFactory.create(owner=user)

    response = user_client.patch(detail(account), {"owner": str(other_user.id)})

    assert response.status_code == 200, response.content
    account.refresh_from_db()
    assert account.owner == user


def test_admin_put_keeps_the_owner_and_patch_may_move_it(admin_client_api, user, other_user):
    account = AccountFactory.create(owner=user, name="Moving")

    assert admin_client_api.put(detail(account), {"name": "Moving"}).json()["owner"] == str(user.id)
    moved = admin_client_api.patch(detail(account), {"owner": str(other_user.id)})

    assert moved.status_code == 200, moved.content
    assert moved.json()["owner"] == str(other_user.id)


def test_admin_moving_an_account_onto_a_taken_name_is_400(admin_client_api, user, other_user):
    AccountFactory.create(owner=other_user, name="Same")
    account = AccountFactory.create(owner=user, name="Same")

    assert_error_shape(admin_client_api.patch(detail(account), {"owner": str(other_user.id)}), 400, attr="name")


# --- PATCH and PUT --------------------------------------------------------------------------
@pytest.fixture
def noted_account(user) -> Account:
    """An account of `user` with every optional field away from its default."""
    return AccountFactory.create(
        owner=user, name="Keep", description="notes", balance="12.50", currency="EUR", active=False
    )


def test_patch_keeps_unspecified_fields(noted_account, user_client):
    response = user_client.patch(detail(noted_account), {"description": "new notes"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["description"] == "new notes"
    assert (body["name"], body["balance"], body["currency"], body["active"]) == ("Keep", "12.50", "EUR", False)


def test_put_resets_omitted_optional_fields_to_defaults(user, noted_account, user_client):
    response = user_client.put(detail(noted_account), {"name": "Replaced"})

    assert response.status_code == 200, response.content
    defaults = {"description": "", "balance": "0.00", "currency": "USD", "active": True}
    assert {field: response.json()[field] for field in defaults} == defaults
    assert (response.json()["name"], response.json()["owner"]) == ("Replaced", str(user.id))
    noted_account.refresh_from_db()
    assert (noted_account.description, str(noted_account.balance), noted_account.currency, noted_account.active) == (
        "",
        "0.00",
        "USD",
        True,
    )


def test_put_requires_name(user, user_client):
    account = AccountFactory.create(owner=user)

    assert_error_shape(user_client.put(detail(account), {"description": "x"}), 400, attr="name")


# --- validation -----------------------------------------------------------------------------
def test_defaults_on_create(user_client):
    body = user_client.post(ACCOUNTS, {"name": "Defaults"}).json()

    assert body["description"] == ""
    assert body["balance"] == "0.00"
    assert body["currency"] == "USD"
    assert body["active"] is True


def test_duplicate_name_for_same_owner_is_400(user, user_client, other_client):
    AccountFactory.create(owner=user, name="Savings")

    assert_error_shape(user_client.post(ACCOUNTS, {"name": "Savings"}), 400, attr="name")
    # Another owner may reuse it.
    assert other_client.post(ACCOUNTS, {"name": "Savings"}).status_code == 201


def test_rename_onto_an_existing_name_is_400(user, user_client):
    AccountFactory.create(owner=user, name="Taken")
    account = AccountFactory.create(owner=user, name="Free")

    assert_error_shape(user_client.patch(detail(account), {"name": "Taken"}), 400, attr="name")
    assert_error_shape(user_client.put(detail(account), {"name": "Taken"}), 400, attr="name")
    # Saving with its own name is not a duplicate.
    assert user_client.put(detail(account), {"name": "Free"}).status_code == 200


def test_admin_duplicate_name_for_the_target_owner_is_400(admin_client_api, user):
    AccountFactory.create(owner=user, name="Dup")

    response = admin_client_api.post(ACCOUNTS, {"name": "Dup", "owner": str(user.id)})

    assert_error_shape(response, 400, attr="name")


@pytest.mark.parametrize("name", ["", "   ", "x" * 121])
def test_bad_names_are_400(user_client, name):
    assert_error_shape(user_client.post(ACCOUNTS, {"name": name}), 400, attr="name")


def test_name_of_120_characters_is_fine(user_client):
    assert user_client.post(ACCOUNTS, {"name": "x" * 120}).status_code == 201


BAD_BALANCES = ["1.234", "-0.01", "-5", "1000000000000", "1000000000000.00", "abc", "NaN", "Infinity"]


@pytest.mark.parametrize("balance", BAD_BALANCES)
def test_bad_balances_are_400(user_client, balance):
    assert_error_shape(user_client.post(ACCOUNTS, {"name": "B", "balance": balance}), 400, attr="balance")


@pytest.mark.parametrize(
    ("balance", "stored"), [("0", "0.00"), ("999999999999.99", "999999999999.99"), (12.5, "12.50")]
)
def test_good_balances(user_client, balance, stored):
    response = user_client.post(ACCOUNTS, {"name": "B", "balance": balance})

    assert response.status_code == 201, response.content
    assert response.json()["balance"] == stored


def test_currency_lower_case_is_stored_upper_case(user_client):
    response = user_client.post(ACCOUNTS, {"name": "Euro", "currency": "eur"})

    assert response.status_code == 201, response.content
    assert response.json()["currency"] == "EUR"
    assert Account.objects.get(name="Euro").currency == "EUR"


@pytest.mark.parametrize("currency", ["ZZZ", "US", "USDX", "", "12$"])
def test_invalid_currency_is_400(user_client, currency):
    assert_error_shape(user_client.post(ACCOUNTS, {"name": "C", "currency": currency}), 400, attr="currency")


@pytest.mark.parametrize("field", ["name", "description", "balance", "currency", "active", "owner"])
def test_explicit_null_is_400(user, user_client, admin_client_api, field):
    account = AccountFactory.create(owner=user)

    assert_error_shape(admin_client_api.post(ACCOUNTS, {"name": "N", field: None}), 400, attr=field)
    assert_error_shape(admin_client_api.patch(detail(account), {field: None}), 400, attr=field)
    if field != "owner":  # ignored for a non-admin
        assert_error_shape(user_client.post(ACCOUNTS, {"name": "N", field: None}), 400, attr=field)
        assert_error_shape(user_client.patch(detail(account), {field: None}), 400, attr=field)
        assert_error_shape(user_client.put(detail(account), {"name": "N", field: None}), 400, attr=field)


def test_wrong_types_are_400(user_client):
    assert_error_shape(user_client.post(ACCOUNTS, {"name": "T", "active": "maybe"}), 400, attr="active")
    assert_error_shape(user_client.post(ACCOUNTS, {"name": ["list"]}), 400, attr="name")
    assert_error_shape(user_client.post(ACCOUNTS, ["not", "an", "object"]), 400)


def test_decimals_are_strings_in_lists_and_details(user, user_client):
    account = AccountFactory.create(owner=user, balance="49.90")

    assert user_client.get(detail(account)).json()["balance"] == "49.90"
    assert user_client.get(ACCOUNTS).json()["results"][0]["balance"] == "49.90"


def test_timestamps_are_iso_utc(user, user_client):
    body = user_client.get(detail(AccountFactory.create(owner=user))).json()

    for field in ("created_at", "updated_at"):
        assert body[field].endswith("Z") or body[field].endswith("+00:00"), body[field]


# --- filters, search, ordering --------------------------------------------------------------
def names(response):
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


def test_filter_active_false_is_applied(user, user_client):
    AccountFactory.create(owner=user, name="On", active=True)
    AccountFactory.create(owner=user, name="Off", active=False)

    assert names(user_client.get(ACCOUNTS, {"active": "false"})) == ["Off"]
    assert names(user_client.get(ACCOUNTS, {"active": "true"})) == ["On"]
    assert names(user_client.get(ACCOUNTS)) == ["Off", "On"]


@pytest.mark.parametrize(("value", "expected"), [("0", ["Off"]), ("False", ["Off"]), ("1", ["On"]), ("TRUE", ["On"])])
def test_filter_active_accepts_usual_spellings(user, user_client, value, expected):
    AccountFactory.create(owner=user, name="On", active=True)
    AccountFactory.create(owner=user, name="Off", active=False)

    assert names(user_client.get(ACCOUNTS, {"active": value})) == expected


@pytest.mark.parametrize("value", ["abc", "maybe", "2"])
def test_filter_active_junk_is_400_not_ignored(user_client, value):
    assert_error_shape(user_client.get(ACCOUNTS, {"active": value}), 400, attr="active")


def test_search_by_name_is_case_insensitive_substring_with_literal_wildcards(user, user_client):
    AccountFactory.create(owner=user, name="Holiday Fund")
    AccountFactory.create(owner=user, name="100% Savings")
    AccountFactory.create(owner=user, name="my_account")
    AccountFactory.create(owner=user, name="myXaccount")

    assert names(user_client.get(ACCOUNTS, {"search": "FUND"})) == ["Holiday Fund"]
    assert names(user_client.get(ACCOUNTS, {"search": "%"})) == ["100% Savings"]
    assert names(user_client.get(ACCOUNTS, {"search": "my_"})) == ["my_account"]


def test_search_does_not_leak_other_users_accounts(user, user_client, other_user):
    AccountFactory.create(owner=other_user, name="Secret")

    assert names(user_client.get(ACCOUNTS, {"search": "Secret"})) == []


def test_default_ordering_is_by_name(user, user_client):
    for name in ("b", "c", "a"):
        AccountFactory.create(owner=user, name=name)

    assert names(user_client.get(ACCOUNTS)) == ["a", "b", "c"]


def test_ordering_by_balance(user, user_client):
    AccountFactory.create(owner=user, name="mid", balance="50.00")
    AccountFactory.create(owner=user, name="low", balance="5.00")
    AccountFactory.create(owner=user, name="high", balance="500.00")

    assert names(user_client.get(ACCOUNTS, {"ordering": "balance"})) == ["low", "mid", "high"]
    assert names(user_client.get(ACCOUNTS, {"ordering": "-balance"})) == ["high", "mid", "low"]


def test_ordering_by_name_and_created_at(user, user_client):
    for name in ("second", "third", "first"):
        AccountFactory.create(owner=user, name=name)

    assert names(user_client.get(ACCOUNTS, {"ordering": "-name"})) == ["third", "second", "first"]
    by_created = user_client.get(ACCOUNTS, {"ordering": "created_at"}).json()["results"]
    stamps = [row["created_at"] for row in by_created]
    assert stamps == sorted(stamps)


def test_ties_are_broken_by_id_in_the_same_direction(user, user_client):
    for index in range(5):
        AccountFactory.create(owner=user, name=f"tie{index}", balance="1.00")

    ascending = [row["id"] for row in user_client.get(ACCOUNTS, {"ordering": "balance"}).json()["results"]]
    descending = [row["id"] for row in user_client.get(ACCOUNTS, {"ordering": "-balance"}).json()["results"]]

    assert ascending == sorted(ascending)
    assert descending == list(reversed(ascending))


def test_unknown_ordering_is_400(user_client):
    response = user_client.get(ACCOUNTS, {"ordering": "owner__password"})

    assert_error_shape(response, 400, attr="ordering")
    assert "balance" in response.json()["errors"][0]["detail"]


# --- pagination -----------------------------------------------------------------------------
@pytest.fixture
def many_accounts(user):
    return [AccountFactory.create(owner=user, name=f"acc{index:03d}") for index in range(105)]


@pytest.mark.parametrize("page_size", ["0", "-1", ""])
def test_bad_page_size_gives_default(user_client, many_accounts, page_size):
    body = user_client.get(ACCOUNTS, {"page_size": page_size}).json()

    assert len(body["results"]) == 20
    assert body["count"] == 105


def test_a_page_size_that_is_not_a_number_is_a_400(user_client, many_accounts):
    # Typed `integer` in the OpenAPI document (issue 24): junk is refused, no longer read as the default.
    assert_error_shape(user_client.get(ACCOUNTS, {"page_size": "junk"}), 400, attr="page_size", code="invalid")


def test_page_size_is_clamped_to_100(user_client, many_accounts):
    assert len(user_client.get(ACCOUNTS, {"page_size": 1000}).json()["results"]) == 100


def test_page_size_and_page(user_client, many_accounts):
    body = user_client.get(ACCOUNTS, {"page_size": 10, "page": 3}).json()

    assert set(body) == {"count", "next", "previous", "results"}
    assert [row["name"] for row in body["results"]] == [f"acc{index:03d}" for index in range(20, 30)]
    assert "page=4" in body["next"]
    assert "page=2" in body["previous"]


def test_page_past_the_end_is_404(user_client, many_accounts):
    assert_error_shape(user_client.get(ACCOUNTS, {"page": 7}), 404)
    assert_error_shape(user_client.get(ACCOUNTS, {"page": "junk"}), 404)


def test_pages_do_not_overlap(user_client, many_accounts):
    seen = []
    for page in range(1, 6):
        seen += [row["id"] for row in user_client.get(ACCOUNTS, {"page": page, "page_size": 25}).json()["results"]]

    assert len(seen) == len(set(seen)) == 105


def test_list_query_count_does_not_grow_with_page_size(user, user_client, django_assert_max_num_queries):
    for index in range(40):
        AccountFactory.create(owner=user, name=f"q{index}")

    with CaptureQueriesContext(connection) as small:
        assert len(user_client.get(ACCOUNTS, {"page_size": 2}).json()["results"]) == 2
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(user_client.get(ACCOUNTS, {"page_size": 40}).json()["results"]) == 40


def test_admin_list_query_count_does_not_grow_with_page_size(admin_client_api, django_assert_max_num_queries):
    for _ in range(30):
        AccountFactory.create(owner=UserFactory.create())

    with CaptureQueriesContext(connection) as small:
        admin_client_api.get(ACCOUNTS, {"page_size": 2})
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(admin_client_api.get(ACCOUNTS, {"page_size": 30}).json()["results"]) == 30
