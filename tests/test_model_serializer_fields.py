"""config.api.serializers.ModelSerializer: a model's fields built once per class, a copy for each instance."""

import importlib

import pytest
from rest_framework import serializers

from accounts.api.serializers import AccountSerializer, UserSerializer
from config.api.serializers import ModelSerializer

APPS = ["accounts", "catalog", "sprockets", "posts", "messaging"]


def all_subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= all_subclasses(sub)
    return found


def test_every_model_serializer_of_the_apps_derives_from_ours():
    for app in APPS:
        importlib.import_module(f"{app}.api.serializers")
    apps_classes = {cls for cls in all_subclasses(serializers.ModelSerializer) if cls.__module__.split(".")[0] in APPS}
    assert len(apps_classes) >= 10
    assert {cls for cls in apps_classes if not issubclass(cls, ModelSerializer)} == set()


def test_a_second_instance_builds_no_model_field(monkeypatch):
    built: list[str] = []
    original = serializers.ModelSerializer.build_field

    def counting(self, field_name, *args):
        built.append(field_name)
        return original(self, field_name, *args)

    monkeypatch.setattr(serializers.ModelSerializer, "build_field", counting)
    monkeypatch.delattr(UserSerializer, "_fields_built_once", raising=False)
    first = UserSerializer().fields
    assert sorted(built) == sorted(UserSerializer.Meta.fields)
    built.clear()
    second = UserSerializer().fields
    assert built == []
    assert list(first) == list(second) == UserSerializer.Meta.fields


@pytest.mark.django_db
def test_each_instance_has_its_own_bound_fields_and_validates_alone(user):
    one, other = UserSerializer(user, data={"email": "not an email"}, partial=True), UserSerializer(user)
    for name in UserSerializer.Meta.fields:
        assert one.fields[name] is not other.fields[name]
        assert one.fields[name].parent is one
        assert other.fields[name].parent is other
    assert not one.is_valid()
    assert "email" in one.errors
    assert other.data["email"] == user.email


@pytest.mark.django_db
def test_a_subclass_s_per_request_fields_still_apply(rf, user, admin_user):
    for caller, owner_read_only in ((user, True), (admin_user, False)):
        request = rf.get("/")
        request.user = caller
        assert AccountSerializer(context={"request": request}).fields["owner"].read_only is owner_read_only
