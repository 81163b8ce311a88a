"""Defensive readers for untrusted JSON.

Payloads come from templates users edit by hand, so every field may be
missing, empty or of the wrong type. These helpers turn that into ``None``
or into one clear ``PayloadError``, and never into anything else.
"""

from __future__ import annotations

import re
from typing import Any


class PayloadError(ValueError):
    """The body is JSON, but not a payload of the source it was sent to."""


def require_object(payload: object, what: str) -> dict[str, Any]:
    """Return ``payload`` as a JSON object or reject it."""
    if not isinstance(payload, dict):
        raise PayloadError(f"{what} must be a JSON object")
    return payload


def optional_object(container: dict[str, Any], key: str) -> dict[str, Any] | None:
    """Return a nested object, ``None`` when absent or null."""
    value = container.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise PayloadError(f"'{key}' must be an object")
    return value


def optional_list(container: dict[str, Any], key: str) -> list[Any]:
    """Return a nested list, empty when absent or null."""
    value = container.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise PayloadError(f"'{key}' must be a list")
    return value


# Lone UTF-16 surrogates: JSON may escape them ("\ud800"), and Python's json
# reads them, but they are not text: no UTF-8 encoder (orjson, the recorder)
# accepts them.
_SURROGATE = re.compile("[\ud800-\udfff]")


def valid_text(text: str) -> str:
    """Return ``text`` as valid Unicode: each lone surrogate becomes U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def optional_str(container: dict[str, Any], key: str) -> str | None:
    """Return a non-empty string, ``None`` for absent, null or blank."""
    value = container.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise PayloadError(f"'{key}' must be a string")
    text = valid_text(str(value).strip())
    return text or None


def required_str(container: dict[str, Any], key: str) -> str:
    """Return a non-empty string or reject the payload."""
    if (value := optional_str(container, key)) is None:
        raise PayloadError(f"'{key}' is missing")
    return value


_INTEGER = re.compile(r"^[+-]?\d{1,18}$")


def as_int(value: object, key: str) -> int | None:
    """Read an integer sent as a number or as a string (Jellyseerr sends strings)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise PayloadError(f"'{key}' must be an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    if isinstance(value, str) and _INTEGER.match(value.strip()):
        return int(value.strip())
    raise PayloadError(f"'{key}' must be an integer")


def optional_int(container: dict[str, Any], key: str) -> int | None:
    """Read an integer field; zero counts as unknown, as the *arrs send it."""
    value = as_int(container.get(key), key)
    return value or None


def optional_bool(container: dict[str, Any], key: str) -> bool:
    """Read a boolean that may also arrive as ``"true"``/``"false"``."""
    value = container.get(key)
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return False


_HEX_HASH = re.compile(r"^[0-9a-fA-F]{40}([0-9a-fA-F]{24})?$")


def download_hash(container: dict[str, Any], key: str = "downloadId") -> str | None:
    """Return a torrent hash in qBittorrent's form (lower-case, 40 characters).

    Radarr and Sonarr send upper case; for pure v2 torrents they send 64 hex
    characters, of which qBittorrent's id is the first 40. Ids of other
    download clients (usenet) are kept as they are, lower-cased.
    """
    value = optional_str(container, key)
    if value is None:
        return None
    if _HEX_HASH.match(value):
        return value[:40].lower()
    return value.lower()


def year_of(value: object, key: str) -> int | None:
    """Read a plausible year; anything else is unknown rather than an error."""
    try:
        year = as_int(value, key)
    except PayloadError:
        return None
    return year if year is not None and 1800 <= year <= 2200 else None
