"""Text helpers with no Django or DRF imports (the throttles and the error handler both use them)."""


def utf8_safe(text: str) -> str:
    """`text` with anything UTF-8 cannot encode (a lone surrogate, valid in JSON as "\\ud800") escaped."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")
