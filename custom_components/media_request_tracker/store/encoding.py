"""One record to JSON bytes, so that one bad request never takes the others with it."""

from __future__ import annotations

from typing import Any

from homeassistant.helpers.json import json_bytes

from custom_components.media_request_tracker.core.model import MediaRequest
from custom_components.media_request_tracker.core.parsers.fields import valid_text


class Unserialisable(Exception):
    """One request cannot be turned into JSON, even with its text repaired."""


def _repaired(value: Any) -> Any:
    """Copy with lone surrogates replaced: orjson refuses them, json accepts them."""
    if isinstance(value, str):
        return valid_text(value)
    if isinstance(value, dict):
        return {_repaired(key): _repaired(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_repaired(item) for item in value]
    return value


def encode_record(record: Any) -> bytes:
    """JSON of one record; text that is not valid UTF-8 gets replacement characters.

    Raises ``Unserialisable`` for anything else orjson refuses (an integer
    beyond 64 bits, a type it does not know).
    """
    try:
        return json_bytes(record)
    except TypeError:
        pass
    try:
        return json_bytes(_repaired(record))
    except TypeError as err:
        raise Unserialisable(str(err)) from err


def encode_request(request: MediaRequest) -> bytes:
    """JSON of one request, as the snapshot and the journal store it."""
    try:
        record = request.as_dict()
    except Exception as err:  # noqa: BLE001 - a bug in one request, kept pending
        raise Unserialisable(f"{type(err).__name__}: {err}") from err
    return encode_record(record)
