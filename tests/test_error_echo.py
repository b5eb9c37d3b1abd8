"""An error that quotes the client's input is still a 400 when the input cannot be written as UTF-8.

`"\\ud800"` is valid JSON (a lone surrogate); error messages that echo the value made the JSON
renderer fail to encode the body: a 500 for bad input.
"""

import json

import pytest

from tests.helpers import assert_error_shape

pytestmark = pytest.mark.django_db

LONE_SURROGATE = "\ud800"


@pytest.mark.parametrize(
    ("url", "body", "attr"),
    [
        ("/api/v1/accounts/", {"name": "A", "currency": LONE_SURROGATE}, "currency"),
        ("/api/v1/accounts/", {"name": "A", "owner": LONE_SURROGATE}, "owner"),
        ("/api/v1/locations/", {"country_code": LONE_SURROGATE}, "country_code"),
        ("/api/v1/auth/register/", {"username": LONE_SURROGATE, "email": "a@example.com"}, "username"),
    ],
)
def test_a_lone_surrogate_echoed_in_an_error_is_a_400_not_a_500(admin_client_api, url, body, attr):
    response = admin_client_api.generic("POST", url, json.dumps(body), content_type="application/json")

    assert_error_shape(response, 400, attr=attr)
    details = [error["detail"] for error in response.json()["errors"] if error["attr"] == attr]
    assert details


def test_a_lone_surrogate_in_the_login_name_is_a_client_error(api_client):
    response = api_client.generic(
        "POST",
        "/api/v1/auth/login/",
        json.dumps({"username": LONE_SURROGATE, "password": "x"}),
        content_type="application/json",
    )

    assert 400 <= response.status_code < 500, response.content
