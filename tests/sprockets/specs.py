"""The test specs of the sprockets routes (tests/specs.py): locations, sprocket types, factories, sprockets."""

from typing import Any

from sprockets import services
from tests.specs import AUTHENTICATED_READ_ADMIN_WRITE, AUTHENTICATED_READ_CREATE_ADMIN_CHANGE, ResourceSpec
from tests.sprockets.factories import FactoryFactory, LocationFactory, SprocketFactory, SprocketTypeFactory


def _sprocket_body(caller: Any) -> dict[str, Any]:
    return {"factory": FactoryFactory.create().pk, "sprocket_type": SprocketTypeFactory.create().pk}


SPECS = [
    ResourceSpec(
        "location",
        make=lambda owner: LocationFactory.create(),  # unused, so an admin's delete is a 204, not a 409
        access=AUTHENTICATED_READ_ADMIN_WRITE,
        create_body=lambda caller: {
            "address_1": "1 Guarded Way",
            "city": "Springfield",
            "postal_code": "SEC-001",
            "country_code": "US",
        },
        update_body=lambda obj: {"city": "Shelbyville"},
        update_service=services.location_update,
        delete_service=services.location_delete,
    ),
    ResourceSpec(
        "sprocket-type",
        make=lambda owner: SprocketTypeFactory.create(),
        access=AUTHENTICATED_READ_ADMIN_WRITE,
        create_body=lambda caller: {
            "teeth": 20,
            "pitch_diameter": "30.000",
            "outside_diameter": "33.000",
            "pitch": "5.000",
        },
        update_body=lambda obj: {"teeth": 40},
        update_service=services.sprocket_type_update,
        delete_service=services.sprocket_type_delete,
    ),
    ResourceSpec(
        "factory",
        make=lambda owner: FactoryFactory.create(),
        access=AUTHENTICATED_READ_ADMIN_WRITE,
        create_body=lambda caller: {"name": "Shadow works", "sprocket_production_goal": 7},
        update_body=lambda obj: {"name": "Renamed works", "sprocket_production_goal": 1},
        update_service=services.factory_update,
        delete_service=services.factory_delete,
    ),
    ResourceSpec(
        "sprocket",
        make=lambda owner: SprocketFactory.create(),
        # Anyone signed in records a sprocket; only an admin changes or deletes one.
        access=AUTHENTICATED_READ_CREATE_ADMIN_CHANGE,
        create_body=_sprocket_body,
        update_body=lambda obj: {"name": "renamed"},
        update_service=services.sprocket_update,
        delete_service=services.sprocket_delete,
        # A move changes two factories' counters under row locks.
        race_extra_changes={"sprocket-moves": lambda obj: {"factory": FactoryFactory.create().pk}},
    ),
]
