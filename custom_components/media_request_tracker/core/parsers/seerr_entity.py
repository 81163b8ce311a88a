"""Jellyseerr notifications as Home Assistant's own Seerr integration shows them.

That integration (domain ``overseerr``) fills Jellyseerr's single webhook slot
with its own template, and shows each notification as the state of its event
entity: ``event_type`` is the notification type without ``MEDIA_``, lower
case; ``media`` and ``request`` hold its snake_case keys with the ids made
integers; the poster is the entity's ``entity_picture``; ``extra`` is there
only from Home Assistant 2026 (``tests/fakes/UPSTREAM.md``). This rebuilds
the body our own webhook would have received, so that the same parser reads
it; only the keys the parser reads are copied (no e-mail, no avatar).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# The event entity's keys, with the keys of Jellyseerr's default template.
_MEDIA_KEYS = (
    ("media_type", "media_type"),
    ("tmdb_id", "tmdbId"),
    ("tvdb_id", "tvdbId"),
)
_REQUEST_KEYS = (
    ("request_id", "request_id"),
    ("requested_by_username", "requestedBy_username"),
)


def jellyseerr_body(attributes: Mapping[str, Any]) -> dict[str, Any]:
    """Rebuild a Jellyseerr webhook body from the event entity's state attributes."""
    event_type = attributes.get("event_type")
    body: dict[str, Any] = {
        "notification_type": f"MEDIA_{event_type}".upper()
        if isinstance(event_type, str)
        else event_type,
        "subject": attributes.get("subject"),
        "image": attributes.get("entity_picture"),
        "media": _renamed(attributes.get("media"), _MEDIA_KEYS),
        "request": _renamed(attributes.get("request"), _REQUEST_KEYS),
        "extra": attributes.get("extra"),
    }
    return body


def _renamed(value: Any, keys: tuple[tuple[str, str], ...]) -> Any:
    """Copy the keys the parser reads, under its names; anything else stays as it is."""
    if not isinstance(value, Mapping):
        return value
    return {ours: value[theirs] for theirs, ours in keys if theirs in value}
