"""A notification shown by Home Assistant's Seerr integration reads as our own webhook's."""

from __future__ import annotations

from typing import Any

from custom_components.media_request_tracker.core.events import (
    RequestEvent,
    RequestStatus,
)
from custom_components.media_request_tracker.core.parsers import parse_jellyseerr
from custom_components.media_request_tracker.core.parsers.seerr_entity import (
    jellyseerr_body,
)
from tests.payloads import payload

# The event entity's attributes at Home Assistant 2025.4.4 for the fixture's request
# (event.py parse_event: ids as integers, statuses lower case, the poster as entity_picture).
DUNE_ATTRIBUTES: dict[str, Any] = {
    "event_types": [
        "pending",
        "approved",
        "available",
        "failed",
        "declined",
        "auto_approved",
    ],
    "event_type": "auto_approved",
    "subject": "Dune: Part Two (2024)",
    "message": "Follow the mythic journey of Paul Atreides.",
    "media": {
        "media_type": "movie",
        "tmdb_id": 693134,
        "tvdb_id": None,
        "status": "processing",
        "status4k": "unknown",
    },
    "request": {
        "request_id": 42,
        "requested_by_email": "admin@example.com",
        "requested_by_username": "admin",
        "requested_by_avatar": "/avatarproxy/1a2b",
        "requested_by_settings_discord_id": "",
        "requested_by_settings_telegram_chat_id": "",
    },
    "entity_picture": "https://image.tmdb.org/t/p/w600_and_h900_bestv2/1pdfLvkbY9ohJlCjQH2CZjjYVvJ.jpg",
    "friendly_name": "Jellyseerr Last media event",
}


def test_the_entitys_event_parses_as_the_same_webhook_would() -> None:
    ours = parse_jellyseerr(payload("jellyseerr_movie_auto_approved"))
    assert parse_jellyseerr(jellyseerr_body(DUNE_ATTRIBUTES)) == ours


def test_only_what_the_parser_reads_is_copied() -> None:
    body = jellyseerr_body(DUNE_ATTRIBUTES)
    assert body["request"] == {"request_id": 42, "requestedBy_username": "admin"}
    assert "admin@example.com" not in str(body)


def test_requested_seasons_come_from_extra_when_the_entity_has_it() -> None:
    attributes = DUNE_ATTRIBUTES | {
        "event_type": "pending",
        "media": {"media_type": "tv", "tmdb_id": 95396, "tvdb_id": 371980},
        "extra": [{"name": "Requested Seasons", "value": "1, 2"}],
    }
    event = parse_jellyseerr(jellyseerr_body(attributes))
    assert isinstance(event, RequestEvent)
    assert event.status is RequestStatus.PENDING
    assert event.seasons == (1, 2)
