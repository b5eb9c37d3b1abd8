"""HTTP caching semantics: one validator per representation, and what a cache may keep (issue 20).

A strong ETag identifies one representation (RFC 9110 §8.8.3): the compact JSON, the indented JSON
and the browsable API's HTML of one list are three representations, so they never share one, and
`If-None-Match` with one of them never answers 304 for another. `Cache-Control` and `Vary` tell a
shared cache (a CDN, a proxy) what it may keep: never one user's answer for another user.
"""

import pytest
from django.test import Client
from django.utils.cache import cc_delim_re
from rest_framework.test import APIClient

from tests.catalog.factories import ProductFactory
from tests.posts.factories import PostFactory
from tests.sprockets.factories import FactoryFactory

pytestmark = pytest.mark.django_db

JSON = "application/json"
INDENTED = "application/json; indent=2"
HTML = "text/html"


def vary(answer) -> set[str]:
    return {name.lower() for name in cc_delim_re.split(answer.get("Vary", "")) if name}


def cache_control(answer) -> set[str]:
    return {part.strip().lower() for part in answer.get("Cache-Control", "").split(",") if part.strip()}


@pytest.fixture
def lists(user, client_for) -> dict[str, tuple[APIClient, str]]:
    """One cached list of each kind, with a row in it: public, per user, shared by signed-in users."""
    ProductFactory.create()
    PostFactory.create(author=user)
    FactoryFactory.create()
    signed_in = client_for(user)
    return {
        "products": (APIClient(), "/api/v1/products/"),
        "posts": (signed_in, "/api/v1/posts/"),
        "factories": (signed_in, "/api/v1/factories/"),
    }


@pytest.mark.parametrize("name", ["products", "posts", "factories"])
def test_each_rendering_of_a_cached_list_has_its_own_validator(lists, name):
    client, path = lists[name]
    tags = {accept: client.get(path, HTTP_ACCEPT=accept).get("ETag") for accept in (JSON, INDENTED, HTML)}

    assert tags[JSON]
    assert tags[INDENTED]
    assert tags[JSON] != tags[INDENTED]
    # The browsable API's page shows who is signed in and carries a CSRF token: not one fixed
    # representation of the data, so it has no validator at all (and is never a 304).
    assert tags[HTML] is None


@pytest.mark.parametrize("name", ["products", "posts", "factories"])
def test_if_none_match_answers_304_for_the_same_representation_only(lists, name):
    client, path = lists[name]
    json_tag = client.get(path, HTTP_ACCEPT=JSON)["ETag"]
    indented_tag = client.get(path, HTTP_ACCEPT=INDENTED)["ETag"]

    assert client.get(path, HTTP_ACCEPT=JSON, HTTP_IF_NONE_MATCH=json_tag).status_code == 304
    assert client.get(path, HTTP_ACCEPT=INDENTED, HTTP_IF_NONE_MATCH=indented_tag).status_code == 304
    for accept, other_tag in ((JSON, indented_tag), (INDENTED, json_tag), (HTML, json_tag), (HTML, indented_tag)):
        answer = client.get(path, HTTP_ACCEPT=accept, HTTP_IF_NONE_MATCH=other_tag)
        assert answer.status_code == 200, (accept, other_tag)
        assert answer.content


def test_an_indented_answer_s_validator_is_its_own_and_stable():
    ProductFactory.create()
    client = APIClient()
    first = client.get("/api/v1/products/", HTTP_ACCEPT=INDENTED)
    again = client.get("/api/v1/products/", HTTP_ACCEPT=INDENTED)
    four = client.get("/api/v1/products/", HTTP_ACCEPT="application/json; indent=4")

    assert first["ETag"] == again["ETag"]
    assert four["ETag"] not in (first["ETag"], client.get("/api/v1/products/")["ETag"])
    assert b"\n  " in first.content  # indented as asked


# --- If-None-Match compared as RFC 9110 §13.1.2 says ----------------------------------------------------
@pytest.fixture
def reads(user, client_for) -> dict[str, tuple[APIClient, str]]:
    """Every cached read with an ETag: the three lists, and the product detail (the one cached detail)."""
    product = ProductFactory.create()
    PostFactory.create(author=user)
    FactoryFactory.create()
    signed_in = client_for(user)
    return {
        "products": (APIClient(), "/api/v1/products/"),
        "product": (APIClient(), f"/api/v1/products/{product.pk}/"),
        "posts": (signed_in, "/api/v1/posts/"),
        "factories": (signed_in, "/api/v1/factories/"),
    }


READS = ["products", "product", "posts", "factories"]


@pytest.mark.parametrize("method", ["get", "head"])
@pytest.mark.parametrize("accept", [JSON, INDENTED])
@pytest.mark.parametrize("name", READS)
def test_if_none_match_star_answers_304_for_any_current_representation(reads, name, accept, method):
    client, path = reads[name]
    full = client.get(path, HTTP_ACCEPT=accept)

    for star in ("*", " * "):
        not_modified = getattr(client, method)(path, HTTP_ACCEPT=accept, HTTP_IF_NONE_MATCH=star)
        assert not_modified.status_code == 304, star
        assert not_modified.content == b""
        for header in ("ETag", "Cache-Control", "Vary"):
            assert not_modified[header] == full[header], header


def test_if_none_match_star_on_a_missing_product_is_its_404():
    # No current representation, so `*` does not match (and a 304 would claim there is one).
    answer = APIClient().get("/api/v1/products/00000000-0000-0000-0000-000000000000/", HTTP_IF_NONE_MATCH="*")
    assert answer.status_code == 404


@pytest.mark.parametrize("name", READS)
def test_if_none_match_matches_when_any_tag_of_its_list_does_by_weak_comparison(reads, name):
    client, path = reads[name]
    tag = client.get(path)["ETag"]
    indented = client.get(path, HTTP_ACCEPT=INDENTED)["ETag"]

    for matching in (
        f'"a", {tag}, "b"',  # anywhere in the list
        f'"a","b",{tag}',  # without spaces
        f', "a" ,  , {tag} ,',  # empty elements and odd whitespace (RFC 9110 §5.6.1)
        f"W/{tag}",  # weak comparison: W/"x" matches "x"
        f'"a", W/{tag}',
    ):
        answer = client.get(path, HTTP_IF_NONE_MATCH=matching)
        assert answer.status_code == 304, matching
        assert answer["ETag"] == tag

    for other in (
        '"a", "b"',
        f'W/"a", W/{indented}',  # another representation's tag, weak or not
        f"w/{tag}",  # not the weak prefix (it is case-sensitive): not a tag at all
        tag.strip('"'),  # unquoted: not a tag
        f'"{tag}"',  # quoted twice: another tag
    ):
        answer = client.get(path, HTTP_IF_NONE_MATCH=other)
        assert answer.status_code == 200, other
        assert answer["ETag"] == tag
        assert answer.content


# --- Cache-Control and Vary (finding 14) ------------------------------------------------------------
@pytest.mark.parametrize("path", ["/api/v1/auth/me/", "/api/v1/accounts/", "/api/v1/posts/", "/api/v1/messages/"])
def test_user_scoped_answers_are_private_and_vary_on_the_credentials(user_client, path):
    answer = user_client.get(path)

    assert answer.status_code == 200
    assert "private" in cache_control(answer)
    assert cache_control(answer) & {"no-store", "no-cache"}
    assert "public" not in cache_control(answer)
    assert {"authorization", "cookie"} <= vary(answer)


@pytest.mark.parametrize("path", ["/api/v1/auth/me/", "/api/v1/posts/"])
def test_a_session_signed_in_answer_varies_on_the_cookie(user, path):
    client = Client()
    client.force_login(user)
    answer = client.get(path, HTTP_ACCEPT=JSON)

    assert answer.status_code == 200
    assert "private" in cache_control(answer)
    assert {"authorization", "cookie"} <= vary(answer)


def test_public_product_answers_say_a_shared_cache_may_keep_them_if_it_revalidates():
    product = ProductFactory.create()
    for path in ("/api/v1/products/", f"/api/v1/products/{product.pk}/"):
        answer = APIClient().get(path)
        assert answer.status_code == 200
        assert cache_control(answer) == {"public", "max-age=0", "must-revalidate"}
        assert "accept" in vary(answer)
        assert "authorization" not in vary(answer)  # the same answer whoever asks


def test_a_304_carries_the_200_s_cache_headers(user_client):
    ProductFactory.create()
    for client, path in ((APIClient(), "/api/v1/products/"), (user_client, "/api/v1/posts/")):
        full = client.get(path)
        not_modified = client.get(path, HTTP_IF_NONE_MATCH=full["ETag"])
        assert not_modified.status_code == 304
        for header in ("ETag", "Cache-Control", "Vary"):
            assert not_modified[header] == full[header], (path, header)


def test_the_browsable_page_of_a_public_list_is_not_for_shared_caches():
    answer = APIClient().get("/api/v1/products/", HTTP_ACCEPT=HTML)
    assert answer.status_code == 200
    assert "public" not in cache_control(answer)
    assert "no-store" in cache_control(answer)


@pytest.mark.parametrize(
    ("path", "status"), [("/api/v1/posts/", 401), ("/api/v1/products/not-a-uuid/", 404), ("/health/", 200)]
)
def test_answers_that_say_nothing_else_are_not_stored(path, status):
    answer = Client().get(path)
    assert answer.status_code == status
    assert cache_control(answer) == {"private", "no-store"}
    assert {"authorization", "cookie"} <= vary(answer)
