"""A single-valued query parameter given twice is a 400 naming it (config.api.filters.refuse_repeated).

Before, only the last value counted, silently: schemathesis sent
`/sprockets/?sprocket_type=<junk>&sprocket_type=null&sprocket_type=0.0` and got a 200 filtered by 0.
"""

import pytest

from tests.helpers import assert_error_shape

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/api/v1/sprockets/?sprocket_type=junk&sprocket_type=null&sprocket_type=0.0", "sprocket_type"),
        ("/api/v1/sprocket-types/?teeth=3&teeth=5", "teeth"),
        ("/api/v1/products/?category=a&category=b", "category"),
        ("/api/v1/products/?min_price=1&min_price=2", "min_price"),
        ("/api/v1/products/?search=a&search=b", "search"),
        ("/api/v1/products/?page=1&page=2", "page"),
        ("/api/v1/products/?page_size=5&page_size=6", "page_size"),
        ("/api/v1/messages/?cursor=a&cursor=b", "cursor"),
        ("/api/v1/posts/?page_size=1&page_size=1", "page_size"),
        ("/api/v1/factories/?with_chart_data=true&chart_points=5&chart_points=6", "chart_points"),
        ("/ready/?checks=database&checks=cache", "checks"),
    ],
)
def test_a_single_valued_parameter_given_twice_is_a_400_naming_it(user_client, path, parameter):
    assert_error_shape(user_client.get(path), 400, attr=parameter)


def test_the_chart_s_own_parameters_too(user_client):
    from tests.sprockets.factories import FactoryFactory

    factory = FactoryFactory.create()
    response = user_client.get(f"/api/v1/factories/{factory.pk}/chart/?bucket=hour&bucket=day")
    assert_error_shape(response, 400, attr="bucket")


@pytest.mark.parametrize("path", ["/api/v1/products/?n=1&n=2", "/api/v1/sprockets/?utm=a&utm=b", "/ready/?x=1&x=2"])
def test_unknown_parameters_are_still_ignored_however_often_they_come(user_client, path):
    assert user_client.get(path).status_code == 200


def test_once_is_fine(user_client):
    assert user_client.get("/api/v1/products/?category=a&page_size=5&search=x").status_code == 200


@pytest.mark.parametrize(
    "path", ["/api/v1/products/?ordering=name&ordering=-price", "/api/v1/posts/?ordering=a&ordering=b"]
)
def test_ordering_twice_is_a_400_on_cached_lists_too(user_client, path):
    assert_error_shape(user_client.get(path), 400, attr="ordering")


def test_the_message_filters_that_take_several_values_may_still_be_repeated(user_client):
    response = user_client.get("/api/v1/messages/?sender_number=%2B14155550123&sender_number=%2B14155550124")
    assert response.status_code == 200, response.content
