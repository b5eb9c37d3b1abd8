"""Every sprockets resource answers created_at and updated_at, as the predecessor did (API.md)."""

from datetime import datetime, timedelta
from typing import Any

import pytest

pytestmark = pytest.mark.django_db

LOCATION: dict[str, Any] = {"address_1": "1 Dock Rd", "city": "Bergen", "postal_code": "5003", "country_code": "no"}
SPROCKET_TYPE: dict[str, Any] = {
    "teeth": 12,
    "pitch_diameter": "24.500",
    "outside_diameter": "27.000",
    "pitch": "6.350",
}


def utc(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    assert moment.utcoffset() == timedelta(0), text
    return moment


@pytest.mark.parametrize(
    ("path", "body", "change"),
    [
        ("/api/v1/locations/", LOCATION, {"city": "Oslo"}),
        ("/api/v1/sprocket-types/", SPROCKET_TYPE, {"teeth": 13}),
    ],
)
def test_created_at_and_updated_at_are_answered_and_updated_at_moves(admin_client_api, path, body, change):
    created = admin_client_api.post(path, body, format="json")
    assert created.status_code == 201, created.content
    first = created.json()
    assert utc(first["created_at"]) <= utc(first["updated_at"])

    patched = admin_client_api.patch(f"{path}{first['id']}/", change, format="json").json()

    assert patched["created_at"] == first["created_at"]
    assert utc(patched["updated_at"]) > utc(first["updated_at"])
    listed = admin_client_api.get(path).json()["results"][0]
    assert (listed["created_at"], listed["updated_at"]) == (patched["created_at"], patched["updated_at"])
    # Clients cannot write them.
    forged = admin_client_api.patch(f"{path}{first['id']}/", {"created_at": "2000-01-01T00:00:00Z"}, format="json")
    assert forged.json()["created_at"] == first["created_at"]


@pytest.mark.parametrize("path", ["/api/v1/locations/", "/api/v1/sprocket-types/"])
def test_ordering_by_created_at_and_updated_at(admin_client_api, path):
    bodies: list[dict[str, Any]] = (
        [{**LOCATION, "postal_code": code} for code in ("1", "2", "3")]
        if "locations" in path
        else [{**SPROCKET_TYPE, "teeth": teeth} for teeth in (3, 4, 5)]
    )
    ids = [admin_client_api.post(path, body, format="json").json()["id"] for body in bodies]
    admin_client_api.patch(f"{path}{ids[0]}/", {"name": "touched"}, format="json")

    by_created = [item["id"] for item in admin_client_api.get(path, {"ordering": "-created_at"}).json()["results"]]
    by_updated = [item["id"] for item in admin_client_api.get(path, {"ordering": "-updated_at"}).json()["results"]]

    assert by_created == ids[::-1]
    assert by_updated == [ids[0], ids[2], ids[1]]
