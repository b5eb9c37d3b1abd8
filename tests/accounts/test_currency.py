"""An account's currency: pycountry's ISO 4217 codes, any letter case, stored upper case by the model."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from accounts.currencies import CURRENCY_CODES, normalize_currency_code
from accounts.models import Account
from tests.accounts.factories import AccountFactory, UserFactory
from tests.helpers import assert_error_shape

pytestmark = pytest.mark.django_db


def test_the_model_normalises_the_currency_in_its_field(user):
    account = Account(owner=user, name="Euro", currency="eUr")
    account.full_clean()
    assert account.currency == "EUR"


def test_the_model_refuses_a_code_quoting_it_as_written(user):
    with pytest.raises(ValidationError) as caught:
        Account(owner=user, name="Bad", currency="usx").full_clean()
    assert caught.value.message_dict == {"currency": ["'usx' is not an ISO 4217 currency code."]}


def test_xcg_replaced_ang_in_2025(user_client):
    # pycountry follows ISO 4217: the Caribbean guilder (XCG) replaced the Netherlands Antillean
    # guilder (ANG) on 31 March 2025.
    assert "XCG" in CURRENCY_CODES
    assert "ANG" not in CURRENCY_CODES
    assert_error_shape(user_client.post("/api/v1/accounts/", {"name": "Old", "currency": "ANG"}), 400, attr="currency")


@pytest.mark.parametrize("value", ["", " usd", "usd ", "us", "usdx", "\u212aes", "\u212aES"])
def test_normalize_refuses_anything_but_a_code(value):
    with pytest.raises(ValidationError):
        normalize_currency_code(value)


def test_the_admin_form_stores_the_currency_upper_case():
    staff = Client()
    staff.force_login(UserFactory.create(is_superuser=True))
    owner = UserFactory.create()
    response = staff.post(
        "/admin/accounts/account/add/",
        {"owner": str(owner.pk), "name": "From admin", "description": "", "balance": "1.00", "currency": "gbp"},
    )
    assert response.status_code == 302, response.content
    assert Account.objects.get(name="From admin").currency == "GBP"


def test_a_patch_of_the_currency_alone_is_stored_upper_case(user, user_client):
    account = AccountFactory.create(owner=user)
    response = user_client.patch(f"/api/v1/accounts/{account.pk}/", {"currency": "chf"}, format="json")
    assert response.json()["currency"] == "CHF"
    account.refresh_from_db()
    assert account.currency == "CHF"


def test_a_currency_that_only_looks_like_one_is_a_400(user_client):
    # KELVIN SIGN lower-cases to "k" (pycountry would find KES) but upper-cases to itself.
    response = user_client.post("/api/v1/accounts/", {"name": "Kelvin", "currency": "\u212aES"}, format="json")
    assert_error_shape(response, 400, attr="currency")
