"""Login and register rate limits (API.md, Conventions: rate limits)."""

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.helpers import assert_error_shape

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/login/"
REGISTER = "/api/v1/auth/register/"
ME = "/api/v1/auth/me/"


def login(client, username, ip="10.0.0.1", password="wrong-password-1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def assert_throttled(response):
    assert_error_shape(response, 429, code="throttled")
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= 60


def test_sixth_login_attempt_for_one_username_is_429(api_client, user):
    for _ in range(5):
        assert_error_shape(login(api_client, user.username), 401)

    assert_throttled(login(api_client, user.username))
    # Even the right password is refused now.
    assert_throttled(login(api_client, user.username, password=DEFAULT_PASSWORD))


def test_username_limit_holds_across_ips_and_case(api_client, user):
    for index in range(5):
        login(api_client, user.username.upper() if index % 2 else user.username, ip=f"10.0.1.{index}")

    assert_throttled(login(api_client, user.username, ip="10.0.1.99"))


def test_username_limit_counts_email_field_too(api_client, user):
    for index in range(5):
        api_client.post(LOGIN, {"email": user.email, "password": "nope-nope-1"}, REMOTE_ADDR=f"10.0.2.{index}")

    assert_throttled(api_client.post(LOGIN, {"email": user.email, "password": "x"}, REMOTE_ADDR="10.0.2.99"))


def test_other_usernames_are_not_affected_by_one_being_limited(api_client, user, other_user):
    for index in range(6):
        login(api_client, user.username, ip=f"10.0.3.{index}")

    response = login(api_client, other_user.username, ip="10.0.3.99", password=DEFAULT_PASSWORD)
    assert response.status_code == 200, response.content


def test_eleventh_login_from_one_ip_is_429_across_usernames(api_client):
    for index in range(10):
        assert_error_shape(login(api_client, f"someone{index}", ip="10.0.4.1"), 401)

    assert_throttled(login(api_client, "someone-new", ip="10.0.4.1"))
    # Another IP is unaffected.
    assert_error_shape(login(api_client, "someone-new", ip="10.0.4.2"), 401)


def test_login_and_register_are_separate_buckets(api_client):
    for index in range(10):
        login(api_client, f"filler{index}", ip="10.0.5.1")
    assert_throttled(login(api_client, "filler-x", ip="10.0.5.1"))

    response = api_client.post(
        REGISTER,
        {"email": "fresh@example.com", "username": "fresh", "password": "a-Strong-passphrase-9"},
        REMOTE_ADDR="10.0.5.1",
    )

    assert response.status_code == 201, response.content


def test_register_is_limited_per_ip(api_client):
    for index in range(10):
        api_client.post(REGISTER, {"email": "bad", "username": f"reg{index}", "password": "x"}, REMOTE_ADDR="10.0.6.1")

    response = api_client.post(
        REGISTER,
        {"email": "ok@example.com", "username": "okay", "password": "a-Strong-passphrase-9"},
        REMOTE_ADDR="10.0.6.1",
    )
    assert_throttled(response)


def test_register_is_limited_per_username(api_client):
    for index in range(5):
        api_client.post(
            REGISTER, {"email": "bad", "username": "sameName", "password": "x"}, REMOTE_ADDR=f"10.0.7.{index}"
        )

    response = api_client.post(
        REGISTER,
        {"email": "ok@example.com", "username": "samename", "password": "a-Strong-passphrase-9"},
        REMOTE_ADDR="10.0.7.99",
    )
    assert_throttled(response)


@override_settings(RATE_LIMIT_AUTH_USERNAME="2/m", RATE_LIMIT_AUTH_IP="100/m")
def test_limits_follow_settings(api_client, user):
    login(api_client, user.username)
    login(api_client, user.username)

    assert_throttled(login(api_client, user.username))


@override_settings(RATELIMIT_ENABLE=False)
def test_rate_limits_can_be_switched_off(api_client, user):
    for _ in range(15):
        assert_error_shape(login(api_client, user.username), 401)


@override_settings(RATE_LIMIT_USER="3/m")
def test_authenticated_requests_are_limited_per_user(user_client, other_client):
    for _ in range(3):
        assert user_client.get(ME).status_code == 200

    assert_throttled(user_client.get(ME))
    assert other_client.get(ME).status_code == 200


# --- one bucket per account (issue 20, finding 8) --------------------------------------------
def test_username_and_email_of_one_user_share_the_bucket(api_client, user):
    for index in range(5):
        assert_error_shape(login(api_client, user.username, ip=f"10.0.8.{index}"), 401)

    # The same account by its email, in either field: the account has had its five.
    assert_throttled(login(api_client, user.email.upper(), ip="10.0.8.98"))
    assert_throttled(
        api_client.post(LOGIN, {"email": user.email, "password": DEFAULT_PASSWORD}, REMOTE_ADDR="10.0.8.99")
    )


def test_email_first_then_username_share_the_bucket(api_client, user):
    for index in range(5):
        api_client.post(LOGIN, {"email": user.email, "password": "nope-nope-1"}, REMOTE_ADDR=f"10.0.9.{index}")

    assert_throttled(login(api_client, user.username, ip="10.0.9.99", password=DEFAULT_PASSWORD))


def test_an_unknown_identifier_keeps_a_bucket_of_its_own(api_client, user):
    for index in range(5):
        assert_error_shape(login(api_client, "nobody-here", ip=f"10.0.10.{index}"), 401)

    assert_throttled(login(api_client, "NOBODY-here", ip="10.0.10.98"))
    # Nobody's guesses cost a real account nothing.
    assert login(api_client, user.username, ip="10.0.10.99", password=DEFAULT_PASSWORD).status_code == 200


def test_a_username_that_is_someone_elses_email_counts_for_both_accounts(api_client):
    """The backend checks the password of both users it may name, so both accounts pay for the guess."""
    owner = UserFactory(email="shared@example.com")
    squatter = UserFactory(username="shared@example.com")
    for index in range(5):
        login(api_client, "shared@example.com", ip=f"10.0.11.{index}")

    assert_throttled(login(api_client, owner.username, ip="10.0.11.98"))
    assert_throttled(login(api_client, squatter.email, ip="10.0.11.99"))


# --- the browsable API's login form (issue 20, finding 3) ------------------------------------
BROWSABLE_LOGIN = "/api-auth/login/"


def browsable_login(client, username, ip="10.0.12.1", password="wrong-password-1"):
    return client.post(BROWSABLE_LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_the_browsable_api_login_is_limited_per_account(user):
    browser = Client()
    for index in range(5):
        assert browsable_login(browser, user.username, ip=f"10.0.12.{index}").status_code == 200  # the form again

    refused = browsable_login(browser, user.email, ip="10.0.12.98", password=DEFAULT_PASSWORD)
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert b"Too many login attempts" in refused.content
    assert "_auth_user_id" not in browser.session
    assert browsable_login(browser, user.username, ip="10.0.12.99").status_code == 429


def test_the_browsable_api_login_shares_the_api_logins_buckets(api_client, user):
    for index in range(3):
        login(api_client, user.username, ip=f"10.0.13.{index}")
    for index in range(2):
        assert browsable_login(Client(), user.username, ip=f"10.0.13.{10 + index}").status_code == 200

    assert_throttled(login(api_client, user.username, ip="10.0.13.99", password=DEFAULT_PASSWORD))
    assert browsable_login(Client(), user.username, ip="10.0.13.98", password=DEFAULT_PASSWORD).status_code == 429


def test_the_browsable_api_login_shares_the_api_logins_ip_bucket(api_client):
    for index in range(5):
        login(api_client, f"someone{index}", ip="10.0.14.1")
    for index in range(5):
        assert browsable_login(Client(), f"other{index}", ip="10.0.14.1").status_code == 200

    assert browsable_login(Client(), "other-new", ip="10.0.14.1").status_code == 429
    assert_throttled(login(api_client, "someone-new", ip="10.0.14.1"))


def test_the_browsable_api_login_page_itself_is_not_counted():
    browser = Client()
    for _ in range(30):
        assert browser.get(BROWSABLE_LOGIN).status_code == 200


def test_the_browsable_api_login_still_signs_in(user):
    browser = Client()
    answer = browsable_login(browser, user.username, password=DEFAULT_PASSWORD)
    assert answer.status_code == 302
    assert browser.get(ME, HTTP_ACCEPT="application/json").status_code == 200


# --- wrong current passwords (issue 20, finding 7) -------------------------------------------
PASSWORD = "/api/v1/auth/password/"
NEW_PASSWORD = "another-Strong-passphrase-7"


def change_password(client, old_password):
    return client.post(PASSWORD, {"old_password": old_password, "new_password": NEW_PASSWORD})


def test_the_sixth_password_change_attempt_in_a_minute_is_429_even_with_the_right_password(
    api_client, user, user_client, other_client
):
    for _ in range(5):
        assert_error_shape(change_password(user_client, "not-my-password"), 400, attr="old_password")

    assert_throttled(change_password(user_client, "still-not-it"))
    assert_throttled(change_password(user_client, DEFAULT_PASSWORD))
    # The password did not change; another user is not affected.
    assert login(api_client, user.username, password=DEFAULT_PASSWORD).status_code == 200
    assert_error_shape(change_password(other_client, "not-my-password"), 400, attr="old_password")


def test_the_password_change_limit_is_per_user_whatever_the_token(user, client_for):
    for _ in range(5):
        change_password(client_for(user), "not-my-password")

    assert_throttled(change_password(client_for(user), DEFAULT_PASSWORD))


@override_settings(RATE_LIMIT_PASSWORD_CHANGE="2/m")
def test_the_password_change_limit_follows_its_setting(user_client):
    change_password(user_client, "not-my-password")
    change_password(user_client, "not-my-password")

    assert_throttled(change_password(user_client, DEFAULT_PASSWORD))


ADMIN_PASSWORD_CHANGE = "/admin/password_change/"


def admin_change_password(client, old_password):
    return client.post(
        ADMIN_PASSWORD_CHANGE,
        {"old_password": old_password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )


def test_the_admins_own_password_change_form_shares_the_password_change_limit(api_client, admin_user, client_for):
    """The admin site's "Change password" asks for the current password too: the same door, the same bucket."""
    staff = Client()
    staff.force_login(admin_user)
    for _ in range(3):
        assert_error_shape(change_password(client_for(admin_user), "not-my-password"), 400, attr="old_password")
    for _ in range(2):
        assert admin_change_password(staff, "not-my-password").status_code == 200  # the form again, with its error

    refused = admin_change_password(staff, DEFAULT_PASSWORD)

    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert login(api_client, admin_user.username, password=DEFAULT_PASSWORD).status_code == 200


def test_the_admins_password_change_form_still_works(admin_user):
    staff = Client()
    staff.force_login(admin_user)
    assert staff.get(ADMIN_PASSWORD_CHANGE).status_code == 200

    assert admin_change_password(staff, DEFAULT_PASSWORD).status_code == 302
    admin_user.refresh_from_db()
    assert admin_user.check_password(NEW_PASSWORD)


def test_the_admins_own_password_change_revokes_every_refresh_token_as_the_api_does(admin_user, api_client):
    # Admin = API rules (issue 20): POST /auth/password/ blacklists every refresh token; so does this form.
    refresh = login(api_client, admin_user.username, password=DEFAULT_PASSWORD).json()["refresh"]
    staff = Client()
    staff.force_login(admin_user)

    assert admin_change_password(staff, DEFAULT_PASSWORD).status_code == 302

    refused = api_client.post("/api/v1/auth/refresh/", {"refresh": refresh}, format="json")
    assert_error_shape(refused, 401, code="token_not_valid")
    assert staff.get("/admin/").status_code == 200  # the session that changed it stays signed in


def test_the_admins_password_change_form_still_needs_a_staff_session():
    assert Client().post(ADMIN_PASSWORD_CHANGE, {"old_password": "x"}).status_code == 302


def user_lookups(queries):
    return [query["sql"] for query in queries if "auth_user" in query["sql"]]


@pytest.mark.parametrize(
    ("path", "browser"),
    [(LOGIN, False), ("/api-auth/login/", True)],
    ids=["api", "browsable-api-form"],
)
def test_an_attempt_refused_by_the_ip_limit_looks_no_user_up_and_spends_no_account_bucket(path, browser, user):
    client = Client()
    for index in range(10):
        client.post(path, {"username": f"filler{index}", "password": "wrong-password-1"}, REMOTE_ADDR="10.0.9.1")

    with CaptureQueriesContext(connection) as queries:
        refused = client.post(path, {"username": user.username, "password": "wrong-password-1"}, REMOTE_ADDR="10.0.9.1")
    assert refused.status_code == 429
    assert user_lookups(queries.captured_queries) == []
    # The refused attempts did not count against the account: five wrong passwords from elsewhere
    # are still answered, the sixth is the account's limit.
    for index in range(5):
        response = client.post(path, {"username": user.username, "password": "nope-1"}, REMOTE_ADDR=f"10.0.8.{index}")
        assert response.status_code != 429, index
    assert client.post(path, {"username": user.username, "password": "x"}, REMOTE_ADDR="10.0.8.9").status_code == 429
