"""The system check api.E003: each start-up patch of Django's and DRF's request handling still takes
effect. Replacing a patched method by one without the patch (as an upgrade renaming the method would
leave things) must make the check fail, naming the patch."""

from typing import Any

import pytest
from django.core.checks import run_checks
from django.http import HttpRequest
from rest_framework import serializers
from rest_framework.request import Request

from config.api.checks import start_up_patches_check


def unpatched_content_type_params(self: HttpRequest, meta: dict[str, Any]) -> None:
    self.content_type, self.content_params = "application/json", {}


def unpatched_load_stream(self: Request) -> None:
    self._stream = None  # type: ignore[assignment]


def unpatched_integer(self: serializers.IntegerField, data: Any) -> int:
    return int(data)


def test_the_installed_patches_pass_and_run_with_every_check():
    assert start_up_patches_check() == []
    assert not [message for message in run_checks() if message.id == "api.E003"]


@pytest.mark.parametrize(
    ("owner", "method", "replacement", "named"),
    [
        (HttpRequest, "_set_content_type_params", unpatched_content_type_params, "config.api.charsets"),
        (Request, "_load_stream", unpatched_load_stream, "config.api.parsers"),
        (serializers.IntegerField, "to_internal_value", unpatched_integer, "config.api.strict_types"),
    ],
)
def test_a_patch_that_no_longer_applies_is_an_error(monkeypatch, owner, method, replacement, named):
    monkeypatch.setattr(owner, method, replacement)
    errors = start_up_patches_check()
    assert [error.id for error in errors] == ["api.E003"]
    assert named in errors[0].msg
