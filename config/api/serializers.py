"""Serializer helpers shared by the apps."""

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from rest_framework import serializers
from rest_framework.fields import empty


class FullReplacementMixin(serializers.ModelSerializer):
    """PUT replaces the resource: optional fields left out return to their model defaults.

    DRF's own PUT leaves omitted optional fields unchanged, which makes PUT a PATCH in
    disguise. PATCH (`partial=True`) is untouched.
    """

    def to_internal_value(self, data: Any) -> Any:
        validated = super().to_internal_value(data)
        if self.instance is None or self.partial:
            return validated
        model = self.Meta.model
        for name, field in self.fields.items():
            if field.read_only or name in validated or field.source == "*":
                continue
            source = field.source or name
            try:
                model_field = model._meta.get_field(source)  # type: ignore[attr-defined]
            except FieldDoesNotExist:
                continue  # a computed field: nothing to reset
            default = self._model_default(model_field)
            if default is not empty:
                validated[source] = default
        return validated

    @staticmethod
    def _model_default(model_field: Any) -> Any:
        if not isinstance(model_field, models.Field) or model_field.primary_key or not model_field.editable:
            return empty
        if getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False):
            return empty
        if model_field.has_default():
            return model_field.get_default()
        if model_field.null:
            return None
        if model_field.blank and isinstance(model_field, (models.CharField, models.TextField)):
            return ""
        return empty
