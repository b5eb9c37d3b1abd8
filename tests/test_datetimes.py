"""One date-time rule (config/api/datetimes.py): UTC offsets -12:00..+14:00, a UTC year in 1..9999.

Found by schema fuzzing: `?produced_after=1215-08-25T08:14:33.42795+20:38` reached PostgreSQL
("time zone displacement out of range") and was a 500.
"""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from tests.accounts.factories import AccountFactory
from tests.helpers import assert_error_shape
from tests.messaging.factories import MessageFactory
from tests.sprockets.factories import FactoryFactory, SprocketFactory, SprocketTypeFactory

OUT_OF_RANGE = [
    "1215-08-25T08:14:33.42795+20:38",
    "2024-05-01T10:00:00-13:00",
    "2024-05-01T10:00:00+14:01",
    "0001-01-01T00:00:00+01:00",  # 31 December of year 0 in UTC
    "9999-12-31T23:30:00-01:00",  # year 10000 in UTC
]


@pytest.mark.parametrize("value", OUT_OF_RANGE)
@pytest.mark.parametrize("parameter", ["produced_after", "produced_before"])
def test_sprocket_date_filters_refuse_out_of_range_values(user_client, parameter, value):
    assert_error_shape(user_client.get("/api/v1/sprockets/", {parameter: value}), 400, attr=parameter)


@pytest.mark.parametrize("value", OUT_OF_RANGE)
@pytest.mark.parametrize("parameter", ["created_after", "created_before"])
def test_message_date_filters_refuse_out_of_range_values(user_client, parameter, value):
    assert_error_shape(user_client.get("/api/v1/messages/", {parameter: value}), 400, attr=parameter)


@pytest.mark.parametrize("value", OUT_OF_RANGE)
@pytest.mark.parametrize("parameter", ["since", "until"])
def test_chart_bounds_refuse_out_of_range_values(user_client, parameter, value):
    factory = FactoryFactory.create()
    response = user_client.get(f"/api/v1/factories/{factory.pk}/chart/", {parameter: value})
    assert_error_shape(response, 400, attr=parameter)


@pytest.mark.parametrize("value", OUT_OF_RANGE)
def test_produced_at_in_a_body_refuses_out_of_range_values(user_client, value):
    payload = {
        "factory": FactoryFactory.create().pk,
        "sprocket_type": SprocketTypeFactory.create().pk,
        "produced_at": value,
    }
    assert_error_shape(user_client.post("/api/v1/sprockets/", payload, format="json"), 400, attr="produced_at")


def test_extreme_real_offsets_are_compared_in_utc(user_client):
    sprocket = SprocketFactory.create(produced_at=datetime(2024, 5, 1, 10, 0, tzinfo=UTC))
    for value in ("2024-05-02T00:00:00+14:00", "2024-04-30T22:00:00-12:00"):  # both 10:00 UTC
        ids = [row["id"] for row in user_client.get("/api/v1/sprockets/", {"produced_after": value}).json()["results"]]
        assert ids == [sprocket.pk], value
    created = user_client.post(
        "/api/v1/sprockets/",
        {
            "factory": sprocket.factory_id,
            "sprocket_type": sprocket.sprocket_type_id,
            "produced_at": "2024-05-02T00:00+14:00",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["produced_at"] == "2024-05-01T10:00:00Z"


def test_message_filter_with_an_offset(user, user_client):
    message = MessageFactory.create(account=AccountFactory(owner=user))
    later = (message.created_at + timedelta(seconds=1)).astimezone(timezone(timedelta(hours=14)))
    response = user_client.get("/api/v1/messages/", {"created_before": later.isoformat()})
    assert response.status_code == 200, response.content
    assert [row["id"] for row in response.json()["results"]] == [str(message.pk)]
