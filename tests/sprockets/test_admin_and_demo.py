"""Admin pages (the inline SVG chart) and the idempotent demo seed."""

import itertools
from io import StringIO

import pytest
from django.utils import timezone

from accounts.models import User
from sprockets import demo, services
from sprockets.charts import CHART_SVG_MAX_POINTS, factory_chart_data, production_chart_svg
from sprockets.models import Factory, FactoryChartEntry, Location, Sprocket, SprocketType

from .factories import FactoryFactory, SprocketFactory, SprocketTypeFactory

pytestmark = pytest.mark.django_db


def test_factory_change_page_shows_an_inline_svg_chart(staff):
    sprocket = SprocketFactory.create()
    response = staff.get(f"/admin/sprockets/factory/{sprocket.factory.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html
    assert html.count("<polyline") == 2
    assert "cdn" not in html.lower()


def test_factory_page_draws_the_newest_points_and_links_the_whole_history(staff):
    factory = Factory.objects.bulk_create([Factory(name="Long history")])[0]
    FactoryChartEntry.objects.bulk_create(
        FactoryChartEntry(factory=factory, sprocket_production_goal=5, sprocket_production_actual=i % 7)
        for i in range(1500)
    )

    html = staff.get(f"/admin/sprockets/factory/{factory.pk}/change/").content.decode()

    assert "The newest 1000 of 1500 points" in html
    assert f'href="/api/v1/factories/{factory.pk}/chart?bucket=hour"' in html
    assert html.count("<polyline") == 2


def test_chart_svg_is_downsampled():
    chart = {
        "time": list(range(0, 60_000, 60)),
        "sprocket_production_goal": [5] * 1000,
        "sprocket_production_actual": list(range(1000)),
    }
    svg = str(production_chart_svg(chart))  # type: ignore[arg-type]
    actual_points = svg.split('points="')[2].split('"')[0].split()
    assert len(actual_points) == CHART_SVG_MAX_POINTS
    assert "1000 points" in svg


@pytest.mark.parametrize(
    "url",
    [
        "/admin/sprockets/location/",
        "/admin/sprockets/sprockettype/",
        "/admin/sprockets/factory/?q=a",
        "/admin/sprockets/sprocket/",
        "/admin/sprockets/factorychartentry/",
        "/admin/sprockets/factory/add/",
    ],
)
def test_admin_pages_render(staff, url):
    SprocketFactory.create()
    assert staff.get(url).status_code == 200


def test_admin_sprocket_add_and_delete_go_through_the_service(staff):
    factory = FactoryFactory.create()
    sprocket_type = SprocketTypeFactory.create()
    response = staff.post(
        "/admin/sprockets/sprocket/add/",
        {
            "name": "via admin",
            "factory": factory.pk,
            "sprocket_type": sprocket_type.pk,
            "produced_at_0": "2024-01-01",
            "produced_at_1": "10:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    factory.refresh_from_db()
    assert factory.sprocket_production_actual == 1
    sprocket = Sprocket.objects.get()
    response = staff.post(f"/admin/sprockets/sprocket/{sprocket.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    factory.refresh_from_db()
    assert factory.sprocket_production_actual == 0
    assert factory_chart_data(factory_id=factory.pk)["sprocket_production_actual"] == [0, 1, 0]


def test_admin_goal_change_records_a_chart_point(staff):
    factory = services.factory_create(name="Admin made", sprocket_production_goal=1)
    response = staff.post(
        f"/admin/sprockets/factory/{factory.pk}/change/",
        {"name": "Admin made", "location": "", "sprocket_production_goal": 6},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(
        FactoryChartEntry.objects.filter(factory=factory).values_list("sprocket_production_goal", flat=True)
    ) == [
        1,
        6,
    ]


def test_demo_seed_is_idempotent(admin_user, user):
    users = {"admin": admin_user, "user": user}
    demo.seed(stdout=StringIO(), users=users)
    counts = [model.objects.count() for model in (Location, SprocketType, Factory, Sprocket, FactoryChartEntry)]
    assert all(counts)
    demo.seed(stdout=StringIO(), users=users)
    assert [model.objects.count() for model in (Location, SprocketType, Factory, Sprocket, FactoryChartEntry)] == counts
    for factory in Factory.objects.all():
        assert factory.sprocket_production_actual == factory.sprockets.count()


def test_a_fresh_demos_chart_points_are_spread_over_the_past_days(api_client):
    from django.core.management import call_command

    from accounts.demo import DEMO_USER

    call_command("seed_demo", stdout=StringIO())
    api_client.force_authenticate(User.objects.get(username=DEMO_USER["username"]))
    now = timezone.now().timestamp()

    for factory in Factory.objects.all():
        answer = api_client.get(f"/api/v1/factories/{factory.pk}/?with_chart_data=true&chart_points=5")
        assert answer.status_code == 200
        times = answer.json()["chart_data"]["time"]
        assert len(times) == 5
        # The newest points are hours apart, not the seed's one second: the chart draws a line.
        gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
        assert min(gaps) >= 3600, gaps
        assert max(times) <= now
        # The whole history spans days, and its last point is the counter the factory shows.
        everything = factory_chart_data(factory_id=factory.pk)
        assert everything["time"][-1] - everything["time"][0] >= 5 * 86400
        assert everything["sprocket_production_actual"][-1] == factory.sprocket_production_actual == 5
        produced = sorted(s.produced_at.timestamp() for s in factory.sprockets.all())
        assert [int(t) for t in produced] == [int(t) for t in times]
