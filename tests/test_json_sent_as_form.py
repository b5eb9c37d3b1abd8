"""A JSON document sent with a form content type is a 400 that says to send JSON (API.md, Conventions)."""

import json

import pytest

from accounts.models import Account
from tests.helpers import assert_error_shape

pytestmark = pytest.mark.django_db

FORM = "application/x-www-form-urlencoded"


@pytest.mark.parametrize("document", [{"name": "Savings"}, [{"name": "Savings"}], {"name": "Savings", "active": False}])
def test_json_sent_as_a_form_is_a_400_saying_to_send_json(user_client, document):
    response = user_client.post("/api/v1/accounts/", data=json.dumps(document), content_type=FORM)

    assert_error_shape(response, 400, code="parse_error")
    assert "application/json" in response.json()["errors"][0]["detail"]
    assert not Account.objects.exists()


def test_json_sent_as_a_form_to_login_is_the_same_400(api_client, user):
    body = json.dumps({"username": user.username, "password": "whatever-it-is"})

    response = api_client.post("/api/v1/auth/login/", data=body, content_type=FORM)

    assert_error_shape(response, 400, code="parse_error")
    assert "application/json" in response.json()["errors"][0]["detail"]


def test_a_real_form_still_logs_in(api_client, user):
    user.set_password("a-Strong-passphrase-9")
    user.save()

    response = api_client.post(
        "/api/v1/auth/login/", data=f"username={user.username}&password=a-Strong-passphrase-9", content_type=FORM
    )

    assert response.status_code == 200, response.content
    assert response.json()["token_type"] == "Bearer"


def test_a_form_whose_text_merely_starts_with_a_brace_is_read_as_a_form(user_client):
    response = user_client.post("/api/v1/accounts/", data="{not json", content_type=FORM)

    # Read as a form: one odd key and no `name`, so the answer is about the missing field.
    assert_error_shape(response, 400, attr="name")
