"""What the safety net makes of a request from Jellyseerr's list, before anything is applied."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from custom_components.media_request_tracker.core.events import RequestStatus
from custom_components.media_request_tracker.core.jellyseerr_events import Novelty
from custom_components.media_request_tracker.core.model import MediaRequest, Stage
from custom_components.media_request_tracker.core.parsers import (
    PayloadError,
    parse_jellyseerr,
    parse_radarr,
)
from custom_components.media_request_tracker.core.parsers.jellyseerr_api import (
    parse_api_request,
)
from custom_components.media_request_tracker.core.tracker import RequestTracker
from tests.payloads import jellyseerr, payload

NOW = datetime(2026, 1, 5, 20, 0, tzinfo=UTC)
# Dune: Part Two as Seerr 3.1.0 lists it (server/entity/MediaRequest.ts), trimmed.
LISTED: dict[str, Any] = {
    "id": 42,
    "status": 2,
    "createdAt": "2026-01-05T18:01:00.000Z",
    "updatedAt": "2026-01-05T18:01:00.000Z",
    "type": "movie",
    "is4k": False,
    "media": {
        "mediaType": "movie",
        "tmdbId": 693134,
        "tvdbId": None,
        "imdbId": None,
        "status": 3,
        "status4k": 1,
    },
    "seasons": [],
    "requestedBy": {"id": 1, "displayName": "admin", "email": "admin@example.com"},
    "modifiedBy": {"id": 1, "displayName": "admin", "email": "admin@example.com"},
}


def listed(**changes: Any) -> dict[str, Any]:
    item = copy.deepcopy(LISTED)
    item.update(changes)
    return item


def test_a_request_no_one_told_of_is_new() -> None:
    assert RequestTracker().novelty(parse_api_request(listed())) is Novelty.NEW


def test_a_request_its_webhook_brought_is_unchanged_until_its_status_moves() -> None:
    tracker = RequestTracker()
    tracker.apply(parse_jellyseerr(jellyseerr("jellyseerr_movie_auto_approved")), NOW)
    assert tracker.novelty(parse_api_request(listed())) is Novelty.UNCHANGED
    declined = parse_api_request(listed(status=3))
    assert tracker.novelty(declined) is Novelty.CHANGED
    tracker.apply(declined, NOW)
    assert tracker.get("42").stage is Stage.DECLINED  # type: ignore[union-attr]
    assert tracker.novelty(declined) is Novelty.UNCHANGED


def test_a_failed_request_comes_back_only_when_jellyseerr_moves_its_status() -> None:
    tracker = RequestTracker()
    tracker.apply(parse_jellyseerr(jellyseerr("jellyseerr_movie_auto_approved")), NOW)
    failed = jellyseerr("jellyseerr_movie_auto_approved", "MEDIA_FAILED")
    tracker.apply(parse_jellyseerr(failed), NOW)
    approved_again = parse_api_request(listed())
    # Jellyseerr last said failed and now says approved: it was retried.
    assert tracker.novelty(approved_again) is Novelty.CHANGED
    stored = [request.as_dict() for request in tracker]
    # Stored before statuses were kept: an approval does not undo our failure.
    stored[0]["jellyseerr_status"] = None
    older = RequestTracker([MediaRequest.from_dict(stored[0])])
    assert older.novelty(approved_again) is Novelty.UNCHANGED


def test_a_grab_adopted_by_its_request_is_found_by_the_jellyseerr_id() -> None:
    tracker = RequestTracker()
    grabbed = tracker.apply(parse_radarr(payload("radarr_grab")), NOW)
    assert grabbed.unmatched_grab
    [grab_id] = grabbed.created
    tracker.apply(parse_api_request(listed()), NOW)
    assert len(tracker) == 1
    request = tracker.get(grab_id)
    assert request is not None
    assert request.jellyseerr_id == "42"
    assert tracker.novelty(parse_api_request(listed())) is Novelty.UNCHANGED
    # The approval's webhook, late, finds the same request rather than making one.
    tracker.apply(parse_jellyseerr(jellyseerr("jellyseerr_movie_auto_approved")), NOW)
    assert len(tracker) == 1


def test_a_grab_of_a_requested_title_is_not_unmatched() -> None:
    tracker = RequestTracker()
    tracker.apply(parse_jellyseerr(jellyseerr("jellyseerr_movie_auto_approved")), NOW)
    assert not tracker.apply(parse_radarr(payload("radarr_grab")), NOW).unmatched_grab


def test_a_fulfilled_request_before_2_6_reads_as_available() -> None:
    item = listed(media={**LISTED["media"], "status": 5})
    assert parse_api_request(item).status is RequestStatus.AVAILABLE
    assert parse_api_request(listed(status=5)).status is RequestStatus.AVAILABLE


def test_the_requester_is_named_as_the_webhook_names_them() -> None:
    item = listed(requestedBy={"id": 3, "jellyfinUsername": "bob", "email": "b@x"})
    assert parse_api_request(item).requested_by == "bob"


@pytest.mark.parametrize(
    "item",
    [
        "not an object",
        listed(id=None),
        listed(status=9),
        listed(media=None),
        listed(media={"mediaType": "music", "tmdbId": 1}),
        listed(media={"mediaType": "movie", "tmdbId": None, "tvdbId": None}),
    ],
)
def test_a_request_that_cannot_be_read_is_a_payload_error(item: object) -> None:
    with pytest.raises(PayloadError):
        parse_api_request(item)


def test_a_request_its_webhook_brought_without_an_id_takes_the_polled_id() -> None:
    tracker = RequestTracker()
    notification = jellyseerr("jellyseerr_movie_auto_approved")
    notification["request"] = None  # a template without {{request}}
    tracker.apply(parse_jellyseerr(notification), NOW)
    tracker.apply(parse_api_request(listed()), NOW)
    [request] = tracker
    assert request.jellyseerr_id == "42"
    assert tracker.novelty(parse_api_request(listed())) is Novelty.UNCHANGED


@pytest.mark.parametrize(
    ("event", "is_4k"),
    [
        ("Movie Request Automatically Approved", False),
        ("4K Movie Request Automatically Approved", True),
        ("New 4K Series Request", True),
    ],
)
def test_the_webhook_tells_a_4k_request_by_its_event(event: str, is_4k: bool) -> None:
    notification = jellyseerr("jellyseerr_movie_auto_approved")
    notification["event"] = event
    parsed = parse_jellyseerr(notification)
    assert parsed.is_4k is is_4k  # type: ignore[union-attr]
    tracker = RequestTracker()
    tracker.apply(parsed, NOW)
    assert tracker.get("42").is_4k is is_4k  # type: ignore[union-attr]
