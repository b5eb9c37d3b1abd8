"""The sprockets admin writes through sprockets.services: counters, charts and postal codes as in the API."""

import pytest

from sprockets.charts import factory_chart_data
from sprockets.models import Factory, FactoryChartEntry, Location, Sprocket, SprocketType

from .factories import FactoryFactory, LocationFactory, SprocketFactory, SprocketTypeFactory

pytestmark = pytest.mark.django_db

ADMIN = "/admin/sprockets"


def form_errors(response) -> dict:
    assert response.status_code == 200, response.status_code
    return response.context["adminform"].form.errors


def actuals(factory: Factory) -> tuple[int, list[int]]:
    """The counter and the chart's actual series, which must end on the counter."""
    factory.refresh_from_db()
    return factory.sprocket_production_actual, factory_chart_data(factory_id=factory.pk)["sprocket_production_actual"]


def sprocket_form(sprocket: Sprocket, **changes: object) -> dict:
    return {
        "name": sprocket.name,
        "factory": sprocket.factory_id,
        "sprocket_type": sprocket.sprocket_type_id,
        "produced_at_0": sprocket.produced_at.strftime("%Y-%m-%d"),
        "produced_at_1": sprocket.produced_at.strftime("%H:%M:%S"),
        **changes,
    }


def location_form(**fields: object) -> dict:
    return {"address_1": "1 Main Street", "city": "Springfield", "country_code": "us", **fields}


def test_a_taken_postal_code_is_a_form_error(staff):
    LocationFactory.create(postal_code="12345")
    mine = LocationFactory.create(postal_code="67890")

    added = staff.post(f"{ADMIN}/location/add/", location_form(postal_code="12345"))
    assert form_errors(added)["postal_code"] == ["A location with this postal code already exists."]
    changed = staff.post(f"{ADMIN}/location/{mine.pk}/change/", location_form(postal_code="12345"))
    assert form_errors(changed)["postal_code"] == ["A location with this postal code already exists."]
    mine.refresh_from_db()
    assert mine.postal_code == "67890"
    assert Location.objects.count() == 2


def test_a_location_added_there_is_normalised_by_the_model(staff):
    assert staff.post(f"{ADMIN}/location/add/", location_form(postal_code="11111")).status_code == 302
    assert Location.objects.get().country_code == "US"


def test_a_sprocket_type_with_outside_not_above_pitch_diameter_is_a_form_error(staff):
    sprocket_type = SprocketTypeFactory.create()
    data = {"name": "", "teeth": "12", "pitch_diameter": "30", "outside_diameter": "20", "pitch": "6"}
    assert form_errors(staff.post(f"{ADMIN}/sprockettype/add/", data))["outside_diameter"]
    changed = staff.post(f"{ADMIN}/sprockettype/{sprocket_type.pk}/change/", data)
    assert form_errors(changed)["outside_diameter"]
    assert SprocketType.objects.count() == 1


def test_moving_a_sprocket_to_another_factory_moves_its_count_and_charts_both(staff):
    sprocket = SprocketFactory.create()
    source, target = sprocket.factory, FactoryFactory.create()

    response = staff.post(f"{ADMIN}/sprocket/{sprocket.pk}/change/", sprocket_form(sprocket, factory=target.pk))

    assert response.status_code == 302, response.content.decode()[:2000]
    assert actuals(source) == (0, [0, 1, 0])
    assert actuals(target) == (1, [0, 1])


def test_deleting_sprockets_singly_and_in_bulk_keeps_counters_and_charts_right(staff):
    one, two = FactoryFactory.create_batch(2)
    sprockets = [SprocketFactory.create(factory=factory) for factory in (one, one, one, two)]

    assert staff.post(f"{ADMIN}/sprocket/{sprockets[0].pk}/delete/", {"post": "yes"}).status_code == 302
    assert actuals(one) == (2, [0, 1, 2, 3, 2])

    response = staff.post(
        f"{ADMIN}/sprocket/",
        {"action": "delete_selected", "_selected_action": [s.pk for s in sprockets[1:]], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Sprocket.objects.exists()
    assert actuals(one) == (0, [0, 1, 2, 3, 2, 1, 0])
    assert actuals(two) == (0, [0, 1, 0])


def test_a_factory_still_making_sprockets_is_not_deleted(staff):
    sprocket = SprocketFactory.create()
    response = staff.post(f"{ADMIN}/factory/{sprocket.factory_id}/delete/", {"post": "yes"})
    assert response.status_code == 200  # the confirmation page naming the protected sprockets
    assert Factory.objects.filter(pk=sprocket.factory_id).exists()


def test_deleting_a_factory_there_goes_through_the_service(staff):
    factory = FactoryFactory.create()
    assert staff.post(f"{ADMIN}/factory/{factory.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not Factory.objects.exists()
    assert not FactoryChartEntry.objects.exists()


def test_the_chart_history_cannot_be_changed_or_deleted_there(staff):
    factory = FactoryFactory.create()
    entry = FactoryChartEntry.objects.get(factory=factory)
    assert staff.get(f"{ADMIN}/factorychartentry/{entry.pk}/change/").status_code == 200  # view only
    assert staff.post(f"{ADMIN}/factorychartentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert FactoryChartEntry.objects.filter(pk=entry.pk).exists()


def test_a_sprocket_made_after_the_delete_confirmation_is_an_error_message_not_a_500(staff, monkeypatch):
    from sprockets.admin import FactoryAdmin

    sprocket = SprocketFactory.create()
    # As if the sprocket had been made between the page's check of what is in use and the delete.
    monkeypatch.setattr(FactoryAdmin, "get_deleted_objects", lambda self, objs, request: ([], {}, set(), []))

    response = staff.post(f"{ADMIN}/factory/{sprocket.factory_id}/delete/", {"post": "yes"}, follow=True)

    assert response.status_code == 200
    assert "Not deleted: it is still in use" in response.content.decode()
    assert Factory.objects.filter(pk=sprocket.factory_id).exists()
