"""`/api/v1/schema/`: built at most once per configured language, whatever `?lang=` or `?version=` says."""

import hashlib
import uuid
from unittest import mock

import pytest
from django.conf import settings
from django.test import Client, override_settings

from config.api.schema import CachedSpectacularAPIView
from tests.helpers import assert_error_shape


@pytest.fixture
def builds():
    """Count the document's builds, starting from an empty per-process memo."""
    generator = CachedSpectacularAPIView.generator_class
    real = generator.get_schema
    calls: list[str] = []

    def counting(self, *args, **kwargs):
        calls.append("build")
        return real(self, *args, **kwargs)

    with (
        mock.patch.dict(CachedSpectacularAPIView._schemas, clear=True),
        mock.patch.object(generator, "get_schema", counting),
    ):
        yield calls


@override_settings(LANGUAGES=[("en", "English"), ("de", "German")])
def test_random_lang_and_version_values_never_build_more_than_one_document_per_configured_language(builds):
    client = Client()
    client.get("/api/v1/schema/?format=json&lang=de")
    for _ in range(4):
        client.get(f"/api/v1/schema/?format=json&lang={uuid.uuid4().hex[:8]}")
        client.get(f"/api/v1/schema/?format=json&version={uuid.uuid4().hex[:8]}")
        client.get(f"/api/v1/schema/?format=json&lang=en-{uuid.uuid4().hex[:6]}")
    assert len(builds) <= 2
    assert len(CachedSpectacularAPIView._schemas) <= 2


@pytest.mark.parametrize("format_parameter", ["&format=json", ""], ids=["json", "yaml"])
def test_an_unknown_lang_is_a_400_naming_it_in_json(builds, format_parameter):
    answer = Client().get(f"/api/v1/schema/?lang=zz-top{format_parameter}")
    assert answer["Content-Type"] == "application/json"
    assert_error_shape(answer, 400, attr="lang", code="invalid_choice")
    assert builds == []


def test_a_repeated_lang_is_a_400(builds):
    assert_error_shape(Client().get("/api/v1/schema/?lang=en&lang=de"), 400, attr="lang")
    assert builds == []


@pytest.mark.parametrize("lang", ["en", "EN", "en-us", "en-GB"])
def test_any_spelling_or_variant_of_a_configured_language_is_that_language_s_one_document(builds, lang):
    plain = Client().get("/api/v1/schema/?format=json")
    answer = Client().get(f"/api/v1/schema/?format=json&lang={lang}")
    assert answer.status_code == 200
    assert hashlib.sha256(answer.content).digest() == hashlib.sha256(plain.content).digest()
    assert len(builds) == 1


def test_the_api_speaks_english_only():
    """No translations ship and no LocaleMiddleware runs: one configured language, one document."""
    assert [code for code, _ in settings.LANGUAGES] == ["en"]


def test_the_version_parameter_does_not_change_the_document(builds):
    plain = Client().get("/api/v1/schema/?format=json")
    answer = Client().get("/api/v1/schema/?format=json&version=zzz")
    assert answer.json()["info"]["version"] == plain.json()["info"]["version"]
    assert len(builds) == 1
