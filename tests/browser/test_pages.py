"""What a person sees: the landing page, Swagger UI, ReDoc, the browsable API and the admin, in Chromium.

Each test clicks through a page as a newcomer would and leaves a screenshot in docs/img/.
"""

import json
import re
import urllib.request
from typing import Any

import pytest

from accounts.demo import DEMO_ADMIN, DEMO_USER

from .conftest import screenshot

pytestmark = pytest.mark.browser


def api_token(site: str, who: dict[str, str]) -> str:
    body = json.dumps({"username": who["username"], "password": who["password"]}).encode()
    request = urllib.request.Request(
        f"{site}/api/v1/auth/login/", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return str(json.load(answer)["access"])


def test_the_landing_page_links_all_work(page: Any) -> None:
    page.goto("/")
    links = page.eval_on_selector_all("main a[href], body a[href]", "anchors => anchors.map(a => a.href)")
    assert len(links) >= 4
    screenshot(page, "landing")
    for link in sorted(set(links)):
        answer = page.request.get(link)
        assert answer.status == 200, link
    assert page.off_machine == []


def test_swagger_ui_renders_every_tag_and_tries_a_request_with_a_token(page: Any, site: str) -> None:
    page.goto("/api/v1/docs/")
    page.wait_for_selector(".opblock-tag", timeout=30_000)
    tags = page.locator(".opblock-tag").all_inner_texts()
    schema = page.request.get("/api/v1/schema/?format=json").json()
    schema_tags = {tag for operation in _operations(schema) for tag in operation.get("tags", [])}
    assert {"Auth", "Accounts", "Messages", "Products", "Factories", "Sprockets", "Posts"} <= schema_tags
    shown = {text.splitlines()[0].strip() for text in tags}
    assert schema_tags <= shown, f"tags without a section: {schema_tags - shown}"
    screenshot(page, "swagger-ui")

    # The access token in the bearer box (the first one), as the README says; then a signed-in route.
    page.click("button.authorize")
    bearer = page.locator(".modal-ux .auth-container").first
    assert bearer.locator("h4").inner_text().startswith("jwtAuth")
    bearer.locator("input").fill(api_token(site, DEMO_USER))
    bearer.locator("button.authorize").click()
    page.click(".modal-ux button.btn-done")

    me = page.locator('.opblock-get:has(.opblock-summary-path[data-path="/api/v1/auth/me/"])').first
    me.locator(".opblock-summary").click()
    me.locator("button.try-out__btn").click()
    me.locator("button.execute").click()
    status = me.locator(".live-responses-table .response .response-col_status").first
    status.wait_for()
    assert status.inner_text().strip() == "200"
    assert (
        f'"username": "{DEMO_USER["username"]}"'
        in me.locator(".live-responses-table .highlight-code").first.inner_text()
    )
    assert page.off_machine == [], "Swagger UI must not load anything from another host"


def test_redoc_renders_every_tag_served_by_the_app_alone(page: Any) -> None:
    page.goto("/api/v1/redoc/")
    page.wait_for_selector(".api-content", timeout=30_000)
    schema_tags = [tag["name"] for tag in page.request.get("/api/v1/schema/?format=json").json()["tags"]]
    menu = page.eval_on_selector_all(
        "li[data-item-id^='tag/']:not([data-item-id*='/operation/'])", "items => items.map(i => i.innerText.trim())"
    )
    assert menu == schema_tags
    for tag in schema_tags:
        assert page.locator(f"[data-section-id='tag/{tag.replace(' ', '-')}'] h2").first.inner_text() == tag
    screenshot(page, "redoc")
    # Its footer logo came from its vendor's CDN: the bundle is served without it (config.api.schema).
    assert page.off_machine == []


def test_the_browsable_api_logs_in_and_creates_a_location_a_factory_a_sprocket_and_a_post(page: Any) -> None:
    page.goto("/api/v1/")
    assert page.locator("text=locations").first.is_visible()  # public list of resources
    page.click("text=Log in")
    page.fill("input[name=username]", DEMO_ADMIN["username"])
    page.fill("input[name=password]", DEMO_ADMIN["password"])
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url(re.compile(r"/api/v1/"))
    assert page.locator(f"text={DEMO_ADMIN['username']}").first.is_visible()

    page.goto("/api/v1/locations/")
    form = page.locator("#post-object-form")
    form.locator("input[name=name]").fill("Browser works")
    form.locator("input[name=address_1]").fill("1 Chromium Way")
    form.locator("input[name=city]").fill("Headless")
    form.locator("input[name=postal_code]").fill("BR-0001")
    form.locator("input[name=country_code]").fill("de")
    form.locator("button:has-text('POST')").click()
    page.wait_for_selector("text=HTTP 201 Created")
    assert "DE" in page.locator(".response-info").inner_text()

    page.goto("/api/v1/factories/")
    form = page.locator("#post-object-form")
    form.locator("input[name=name]").fill("Browser factory")
    location = form.locator("select[name=location] option", has_text="Browser works").get_attribute("value")
    form.locator("select[name=location]").select_option(value=location)
    form.locator("input[name=sprocket_production_goal]").fill("42")
    form.locator("button:has-text('POST')").click()
    page.wait_for_selector("text=HTTP 201 Created")

    page.goto("/api/v1/factories/?search=Browser")
    listed = page.locator(".response-info").inner_text()
    assert "Browser factory" in listed
    screenshot(page, "browsable-api")

    page.goto("/api/v1/sprockets/")
    form = page.locator("#post-object-form")
    form.locator("input[name=name]").fill("Browser sprocket")
    factory = form.locator("select[name=factory] option", has_text="Browser factory").get_attribute("value")
    form.locator("select[name=factory]").select_option(value=factory)
    form.locator("select[name=sprocket_type]").select_option(index=1)
    form.locator("button:has-text('POST')").click()
    page.wait_for_selector("text=HTTP 201 Created")
    page.goto("/api/v1/factories/?search=Browser")
    assert '"sprocket_production_actual": 1' in page.locator(".response-info").inner_text()

    page.goto("/api/v1/posts/")
    form = page.locator("#post-object-form")
    form.locator("textarea[name=text], input[name=text]").first.fill("Written in the browsable API")
    form.locator("button:has-text('POST')").click()
    page.wait_for_selector("text=HTTP 201 Created")
    page.goto("/api/v1/posts/")
    assert "Written in the browsable API" in page.locator(".response-info").inner_text()


def test_the_browsable_api_logs_out_under_the_content_security_policy(page: Any) -> None:
    page.goto("/api-auth/login/?next=/api/v1/products/")
    page.fill("input[name=username]", DEMO_USER["username"])
    page.fill("input[name=password]", DEMO_USER["password"])
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url(re.compile(r"/api/v1/products/"))

    page.click(f"a.dropdown-toggle:has-text('{DEMO_USER['username']}')")
    page.click("text=Log out")

    page.wait_for_selector("text=Log in")
    assert page.url.endswith("/api/v1/products/")
    assert page.locator(f"a.dropdown-toggle:has-text('{DEMO_USER['username']}')").count() == 0


def admin_login(page: Any) -> None:
    page.goto("/admin/login/")
    page.fill("input[name=username]", DEMO_ADMIN["username"])
    page.fill("input[name=password]", DEMO_ADMIN["password"])
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")


def test_the_admin_searches_filters_and_shows_the_factory_chart(page: Any) -> None:
    admin_login(page)

    page.goto("/admin/messaging/message/")
    page.fill("#searchbar", "+442079460958")
    page.press("#searchbar", "Enter")
    page.wait_for_selector("#result_list")
    assert page.locator("#result_list tbody tr").count() == 1

    page.goto("/admin/catalog/product/")
    page.click("#changelist-filter >> text=Kitchen")
    page.wait_for_selector("#result_list")
    categories = page.locator("#result_list tbody td.field-category").all_inner_texts()
    assert categories
    assert set(categories) == {"Kitchen"}

    page.goto("/admin/sprockets/factory/")
    page.locator("#result_list tbody tr th a").first.click()
    chart = page.locator("svg polyline")
    chart.first.wait_for(state="attached")
    assert chart.count() == 2  # goal and actual
    goal_points, actual_points = (len(line.get_attribute("points").split()) for line in chart.all())
    shown = re.search(r"The newest (\d+) of (\d+) points", page.locator(".field-production_chart").inner_text())
    assert shown is not None
    assert goal_points == actual_points == int(shown.group(1)) > 1
    screenshot(page, "admin-factory-chart")


def test_the_admin_factory_list_fits_at_1400_pixels(browser: Any, site: str) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, base_url=site)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    admin_login(tab)
    tab.goto("/admin/sprockets/factory/")
    tab.wait_for_selector("#result_list")
    box = tab.eval_on_selector(
        ".results", "results => [results.scrollWidth, results.clientWidth, results.getBoundingClientRect().right]"
    )
    last = tab.locator("#result_list thead th").last
    header = last.bounding_box()
    try:
        assert box[0] <= box[1], f"the list is {box[0]} px wide in a {box[1]} px box: its last columns are cut"
        assert header["x"] + header["width"] <= box[2] + 0.5, last.inner_text()
        assert last.evaluate("th => th.scrollWidth <= th.clientWidth"), last.inner_text()
        assert errors == []
        screenshot(tab, "admin-factory-list")
    finally:
        context.close()


def _operations(schema: dict) -> list[dict]:
    return [
        operation
        for path in schema["paths"].values()
        for method, operation in path.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]
