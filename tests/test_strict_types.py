"""Types are strict (API.md): a JSON number where the schema says string is a 400 naming the field.

Found by schema fuzzing: `{"text": 0}` made a post "0", `{"postal_code": 0}` a location "0".
Decimals are the documented exception: a JSON number is accepted there (and documented so).
"""

import pytest

from tests.helpers import assert_error_shape
from tests.posts.factories import PostFactory
from tests.sprockets.factories import LocationFactory


@pytest.mark.parametrize("value", [0, 1.5, True, ["x"], {"x": 1}])
def test_post_text_must_be_a_string(user_client, user, value):
    assert_error_shape(user_client.post("/api/v1/posts/", {"text": value}, format="json"), 400, attr="text")
    post = PostFactory.create(author=user)
    response = user_client.patch(f"/api/v1/posts/{post.pk}/", {"text": value}, format="json")
    assert_error_shape(response, 400, attr="text")


def test_location_postal_code_must_be_a_string(admin_client_api):
    location = LocationFactory.create()
    payload = {"address_1": "1 Way", "city": "Oakland", "postal_code": 94607, "country_code": "US"}
    response = admin_client_api.put(f"/api/v1/locations/{location.pk}/", payload, format="json")
    assert_error_shape(response, 400, attr="postal_code")


def test_register_username_must_be_a_string(api_client):
    payload = {"email": "n@example.com", "username": 12345, "password": "a-long-enough-pass-42"}
    assert_error_shape(api_client.post("/api/v1/auth/register/", payload, format="json"), 400, attr="username")


def test_form_bodies_still_work(user_client):
    assert user_client.post("/api/v1/posts/", {"text": "hello"}, format="multipart").status_code == 201


@pytest.mark.parametrize("price", [" 5", "5 ", "+5", "1e2", "١٢"])
def test_price_strings_outside_the_documented_pattern_are_400(admin_client_api, price):
    payload = {"name": "P", "price": price, "sku": "P-1"}
    assert_error_shape(admin_client_api.post("/api/v1/products/", payload, format="json"), 400, attr="price")


def test_price_as_json_number_is_accepted(admin_client_api):
    response = admin_client_api.post("/api/v1/products/", {"name": "P", "price": 12.5, "sku": "P-2"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["price"] == "12.50"


@pytest.mark.parametrize("value", ["0", "0.000", "-0", ".000"])
def test_sprocket_type_dimensions_refuse_zero(admin_client_api, value):
    payload = {"teeth": 5, "pitch_diameter": value, "outside_diameter": "6", "pitch": "1"}
    response = admin_client_api.post("/api/v1/sprocket-types/", payload, format="json")
    assert_error_shape(response, 400, attr="pitch_diameter")


@pytest.mark.parametrize("value", [" us", "us ", "u s"])
def test_country_code_is_not_trimmed(admin_client_api, value):
    payload = {"address_1": "1 Way", "city": "Oakland", "postal_code": "94607", "country_code": value}
    assert_error_shape(admin_client_api.post("/api/v1/locations/", payload, format="json"), 400, attr="country_code")


@pytest.mark.parametrize("field", ["balance", "active"])
def test_an_empty_form_value_of_a_non_text_field_is_invalid(user_client, user, field):
    # Found by schema fuzzing: `balance=` in a form was read as "not given" (200).
    from tests.accounts.factories import AccountFactory

    account = AccountFactory.create(owner=user)
    response = user_client.patch(f"/api/v1/accounts/{account.pk}/", {field: ""}, format="multipart")
    assert_error_shape(response, 400, attr=field)


def test_an_empty_form_date_time_is_invalid(admin_client_api):
    from tests.sprockets.factories import SprocketFactory

    sprocket = SprocketFactory.create()
    payload = {"factory": sprocket.factory_id, "sprocket_type": sprocket.sprocket_type_id, "produced_at": ""}
    response = admin_client_api.put(f"/api/v1/sprockets/{sprocket.pk}/", payload, format="multipart")
    assert_error_shape(response, 400, attr="produced_at")


def test_an_empty_form_value_still_clears_a_nullable_field(admin_client_api):
    from tests.sprockets.factories import FactoryFactory

    factory = FactoryFactory.create()
    response = admin_client_api.patch(f"/api/v1/factories/{factory.pk}/", {"location": ""}, format="multipart")
    assert response.status_code == 200, response.content
    assert response.json()["location"] is None


def test_max_length_counts_the_spaces_that_are_trimmed(admin_client_api):
    # Found by schema fuzzing: 255 characters plus a leading space passed `maxLength: 255`.
    payload = {"address_1": " " + "x" * 255, "city": "Oakland", "postal_code": "1", "country_code": "US"}
    assert_error_shape(admin_client_api.post("/api/v1/locations/", payload, format="json"), 400, attr="address_1")
    payload["address_1"] = " " + "x" * 254
    assert admin_client_api.post("/api/v1/locations/", payload, format="json").status_code == 201


# --- integers and ids are JSON integers (issue 20) ----------------------------------------------
# `{"factory": 1.9}` was read as id 1 (201), `1e0` as 1, and `1e400` (a float infinity) raised
# OverflowError in the id lookup: a 500 on POST /sprockets/ and PATCH /factories/.


def _raw(client, method, path, body):
    return client.generic(method, path, body, content_type="application/json")


@pytest.mark.parametrize("literal", ["{pk}.9", "{pk}.0", "{pk}e0", "1e400", "-1e400", "[{pk}]", '{{"id": {pk}}}'])
@pytest.mark.parametrize("field", ["factory", "sprocket_type"])
def test_an_integer_id_that_is_not_a_json_integer_is_incorrect_type(admin_client_api, field, literal):
    from sprockets.models import Sprocket
    from tests.sprockets.factories import FactoryFactory, SprocketTypeFactory

    ids = {"factory": FactoryFactory.create().pk, "sprocket_type": SprocketTypeFactory.create().pk}
    body = ", ".join(f'"{name}": {literal.format(pk=pk) if name == field else pk}' for name, pk in ids.items())
    response = _raw(admin_client_api, "POST", "/api/v1/sprockets/", "{" + body + "}")
    assert_error_shape(response, 400, attr=field, code="incorrect_type")
    assert not Sprocket.objects.exists()


@pytest.mark.parametrize("literal", ["1e400", "{pk}.9", "{pk}e0"])
def test_a_location_id_that_is_not_a_json_integer_is_incorrect_type(admin_client_api, literal):
    from tests.sprockets.factories import FactoryFactory

    location = LocationFactory.create()
    factory = FactoryFactory.create(location=location)
    body = '{"location": ' + literal.format(pk=location.pk) + "}"
    response = _raw(admin_client_api, "PATCH", f"/api/v1/factories/{factory.pk}/", body)
    assert_error_shape(response, 400, attr="location", code="incorrect_type")


def test_the_idempotent_create_path_refuses_an_overflowing_id_too(admin_client_api):
    from tests.sprockets.factories import FactoryFactory

    body = f'{{"factory": {FactoryFactory.create().pk}, "sprocket_type": 1e400}}'
    response = admin_client_api.generic(
        "POST", "/api/v1/sprockets/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1e400"
    )
    assert_error_shape(response, 400, attr="sprocket_type", code="incorrect_type")


@pytest.mark.parametrize("literal", ["5", "1.5", "1e400"])
def test_a_uuid_id_must_be_a_json_string(admin_client_api, literal):
    # An account's owner is a user's UUID: `5` was read as UUID 00000000-...-000000000005.
    response = _raw(admin_client_api, "POST", "/api/v1/accounts/", f'{{"name": "A", "owner": {literal}}}')
    assert_error_shape(response, 400, attr="owner", code="incorrect_type")


def test_an_integer_id_beyond_64_bits_does_not_exist(admin_client_api):
    from tests.sprockets.factories import SprocketTypeFactory

    body = f'{{"factory": {2**64}, "sprocket_type": {SprocketTypeFactory.create().pk}}}'
    response = _raw(admin_client_api, "POST", "/api/v1/sprockets/", body)
    assert_error_shape(response, 400, attr="factory", code="does_not_exist")


@pytest.mark.parametrize("literal", ["5.0", "5e0", "5.5", "1e400", "-1e400"])
def test_an_integer_field_takes_only_a_json_integer(admin_client_api, literal):
    body = '{"teeth": ' + literal + ', "pitch_diameter": "5", "outside_diameter": "6", "pitch": "1"}'
    response = _raw(admin_client_api, "POST", "/api/v1/sprocket-types/", body)
    assert_error_shape(response, 400, attr="teeth", code="invalid")


def test_a_form_integer_is_still_its_digits(admin_client_api):
    payload = {"teeth": "5", "pitch_diameter": "5", "outside_diameter": "6", "pitch": "1"}
    response = admin_client_api.post("/api/v1/sprocket-types/", payload, format="multipart")
    assert response.status_code == 201, response.content
    assert response.json()["teeth"] == 5
