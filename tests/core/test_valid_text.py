"""Text read from upstream is valid Unicode before it enters a request."""

from __future__ import annotations

import pytest

from custom_components.media_request_tracker.core.parsers import (
    parse_jellyseerr,
    parse_radarr,
)
from custom_components.media_request_tracker.core.parsers.fields import (
    optional_str,
    valid_text,
)
from tests.payloads import payload


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dune", "Dune"),
        ("Frieren 😀", "Frieren 😀"),
        ("cut \ud83d", "cut \ufffd"),
        ("\udc00 low first", "\ufffd low first"),
        ("\ud83d\ude00 as two halves", "\ufffd\ufffd as two halves"),
    ],
)
def test_lone_surrogates_become_replacement_characters(
    text: str, expected: str
) -> None:
    assert valid_text(text) == expected
    assert valid_text(text).encode("utf-8")


def test_every_string_field_is_read_as_valid_text() -> None:
    assert optional_str({"name": "  a\ud800b  "}, "name") == "a\ufffdb"


def test_a_jellyseerr_title_and_requester_with_lone_surrogates_are_repaired() -> None:
    data = payload("jellyseerr_movie_auto_approved")
    data["subject"] = "Dune\ud83d: Part Two (2024)"
    data["request"]["requestedBy_username"] = "ad\udc00min"
    event = parse_jellyseerr(data)
    assert event.media.title == "Dune\ufffd: Part Two"
    assert event.requested_by == "ad\ufffdmin"


def test_a_radarr_release_title_with_a_lone_surrogate_is_repaired() -> None:
    data = payload("radarr_grab")
    data["release"]["releaseTitle"] = "Dune.Part.Two\ud800.2024"
    event = parse_radarr(data)
    assert event.release_title == "Dune.Part.Two\ufffd.2024"
