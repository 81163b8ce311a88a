"""A 4K request and a standard one for the same film each follow only their own instance.

Jellyseerr sends a 4K request to the Radarr flagged 4K and a standard one to
another; both requests name the same TMDB id. With ``separate_4k`` (the entry
has a 4K instance) each *arr event belongs only to requests of its
instance's kind. Without it, one instance may serve both kinds and either
request takes its events, as before.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from custom_components.media_request_tracker.core.events import (
    ArrNoticeEvent,
    GrabEvent,
    ImportEvent,
    RequestEvent,
    TrackerEvent,
    with_instance,
)
from custom_components.media_request_tracker.core.model import MediaRequest, Stage
from custom_components.media_request_tracker.core.options import TrackerOptions
from custom_components.media_request_tracker.core.parsers import (
    parse_jellyseerr,
    parse_radarr,
)
from custom_components.media_request_tracker.core.tracker import RequestTracker
from tests.payloads import DUNE_HASH, jellyseerr, payload

START = datetime(2024, 6, 1, 20, 0, tzinfo=UTC)
STANDARD = "radarr-standard"
UHD = "radarr-4k"
UHD_HASH = "c" * 40
# Jellyseerr's request ids: one standard, one 4K, for Dune: Part Two.
STANDARD_REQUEST = "41"
UHD_REQUEST = "42"


class Feed:
    """A tracker fed events one minute apart."""

    def __init__(self, *, separate_4k: bool) -> None:
        self.tracker = RequestTracker(options=TrackerOptions(separate_4k=separate_4k))
        self.now = START

    def __call__(self, event: TrackerEvent) -> None:
        self.now += timedelta(minutes=1)
        self.tracker.apply(event, self.now)

    def request(self, request_id: str) -> MediaRequest:
        request = self.tracker.get(request_id)
        assert request is not None
        return request


def film_request(*, is_4k: bool) -> TrackerEvent:
    """Jellyseerr's automatic approval of a standard or a 4K request for the film."""
    data = jellyseerr(
        "jellyseerr_movie_auto_approved",
        request_id=UHD_REQUEST if is_4k else STANDARD_REQUEST,
    )
    if is_4k:
        data["event"] = "4K Movie Request Automatically Approved"
    return parse_jellyseerr(data)


def from_instance(data: dict[str, Any], *, is_4k: bool) -> TrackerEvent:
    """A Radarr payload as the webhook of the 4K or the standard instance passes it on."""
    return with_instance(parse_radarr(data), UHD if is_4k else STANDARD, is_4k=is_4k)


def grab(*, is_4k: bool) -> TrackerEvent:
    data = payload("radarr_grab")
    if is_4k:
        data["downloadId"] = UHD_HASH.upper()
        data["release"]["releaseTitle"] = "Dune.Part.Two.2024.2160p.UHD.BluRay-GRP"
    return from_instance(data, is_4k=is_4k)


def hashless(name: str) -> dict[str, Any]:
    """A payload without a download id (a manual import): only the ids can place it."""
    data = payload(name)
    data.pop("downloadId", None)
    return data


def both_requested(*, uhd_first: bool) -> Feed:
    """A tracker with a standard and a 4K request, in the order given."""
    feed = Feed(separate_4k=True)
    for is_4k in (True, False) if uhd_first else (False, True):
        feed(film_request(is_4k=is_4k))
    return feed


def own_and_other(is_4k: bool) -> tuple[str, str]:
    """The request of the instance's kind, and the other one."""
    return (UHD_REQUEST, STANDARD_REQUEST) if is_4k else (STANDARD_REQUEST, UHD_REQUEST)


@pytest.mark.parametrize("uhd_first", [True, False], ids=["4k_first", "4k_last"])
@pytest.mark.parametrize("is_4k", [True, False], ids=["4k_grab", "standard_grab"])
def test_a_grab_goes_to_the_request_of_its_instance_s_kind_only(
    uhd_first: bool, is_4k: bool
) -> None:
    feed = both_requested(uhd_first=uhd_first)
    feed(grab(is_4k=is_4k))
    own, other = own_and_other(is_4k)
    assert feed.request(own).stage is Stage.INDEXED
    assert feed.request(own).download_hash == (UHD_HASH if is_4k else DUNE_HASH)
    assert feed.request(other).stage is Stage.APPROVED
    assert feed.request(other).download_hashes == []


@pytest.mark.parametrize("uhd_grab_first", [True, False], ids=["4k_first", "4k_last"])
def test_two_grabs_each_follow_their_own_request_and_instance(
    uhd_grab_first: bool,
) -> None:
    feed = both_requested(uhd_first=False)
    for is_4k in (True, False) if uhd_grab_first else (False, True):
        feed(grab(is_4k=is_4k))
    standard, uhd = feed.request(STANDARD_REQUEST), feed.request(UHD_REQUEST)
    assert (standard.download_hashes, uhd.download_hashes) == ([DUNE_HASH], [UHD_HASH])
    # The queue poller follows each request in the instance named here.
    assert standard.arr is not None
    assert standard.arr.instance == STANDARD
    assert uhd.arr is not None
    assert uhd.arr.instance == UHD


@pytest.mark.parametrize("uhd_first", [True, False], ids=["4k_first", "4k_last"])
@pytest.mark.parametrize("is_4k", [True, False], ids=["4k_import", "standard_import"])
def test_an_import_without_a_hash_goes_to_the_request_of_its_instance_s_kind_only(
    uhd_first: bool, is_4k: bool
) -> None:
    feed = both_requested(uhd_first=uhd_first)
    feed(from_instance(hashless("radarr_download"), is_4k=is_4k))
    own, other = own_and_other(is_4k)
    assert feed.request(own).stage is Stage.IMPORTING
    assert feed.request(other).stage is Stage.APPROVED


@pytest.mark.parametrize("uhd_first", [True, False], ids=["4k_first", "4k_last"])
@pytest.mark.parametrize("is_4k", [True, False], ids=["4k_notice", "standard_notice"])
def test_a_notice_goes_to_the_timeline_of_its_instance_s_kind_only(
    uhd_first: bool, is_4k: bool
) -> None:
    feed = both_requested(uhd_first=uhd_first)
    feed(from_instance(payload("radarr_movie_file_delete"), is_4k=is_4k))
    own, other = own_and_other(is_4k)
    assert feed.request(own).timeline[-1].detail == "file deleted in Radarr (upgrade)"
    assert len(feed.request(other).timeline) == 1


def test_the_4k_instance_s_import_of_a_standard_download_hash_is_not_taken() -> None:
    feed = Feed(separate_4k=True)
    feed(film_request(is_4k=False))
    feed(grab(is_4k=False))
    feed(from_instance(payload("radarr_download"), is_4k=True))
    assert feed.request(STANDARD_REQUEST).stage is Stage.INDEXED


def test_a_4k_import_with_only_a_standard_request_changes_nothing() -> None:
    feed = Feed(separate_4k=True)
    feed(film_request(is_4k=False))
    feed(from_instance(hashless("radarr_download"), is_4k=True))
    assert feed.request(STANDARD_REQUEST).stage is Stage.APPROVED


def test_an_unrequested_4k_grab_is_tracked_as_a_4k_request_of_its_own() -> None:
    feed = Feed(separate_4k=True)
    feed(film_request(is_4k=False))
    feed(grab(is_4k=True))
    assert feed.request(STANDARD_REQUEST).stage is Stage.APPROVED
    (unrequested,) = [r for r in feed.tracker if r.request_id != STANDARD_REQUEST]
    assert unrequested.is_4k is True
    assert unrequested.stage is Stage.INDEXED
    assert unrequested.download_hash == UHD_HASH


def test_a_4k_request_adopts_the_4k_grab_that_overtook_it() -> None:
    feed = Feed(separate_4k=True)
    feed(grab(is_4k=True))
    feed(grab(is_4k=False))  # the newest
    feed(film_request(is_4k=True))
    assert len(feed.tracker) == 2
    (adopter,) = [r for r in feed.tracker if r.requested_by == "admin"]
    assert adopter.is_4k is True
    assert adopter.download_hashes == [UHD_HASH]


def test_a_4k_request_does_not_adopt_a_standard_grab() -> None:
    feed = Feed(separate_4k=True)
    feed(grab(is_4k=False))
    feed(film_request(is_4k=True))
    uhd = feed.request(UHD_REQUEST)
    assert uhd.stage is Stage.APPROVED
    assert uhd.download_hashes == []
    assert len(feed.tracker) == 2


# Without a 4K instance ------------------------------------------------------


def test_without_a_4k_instance_a_4k_request_takes_the_grab_of_its_only_radarr() -> None:
    feed = Feed(separate_4k=False)
    feed(film_request(is_4k=True))
    feed(from_instance(payload("radarr_grab"), is_4k=False))
    uhd = feed.request(UHD_REQUEST)
    assert uhd.stage is Stage.INDEXED
    assert uhd.download_hash == DUNE_HASH
    assert len(feed.tracker) == 1


def test_without_a_4k_instance_a_4k_and_a_standard_request_each_get_a_grab() -> None:
    feed = Feed(separate_4k=False)
    feed(film_request(is_4k=False))
    feed(film_request(is_4k=True))
    second = payload("radarr_grab")
    second["downloadId"] = UHD_HASH
    feed(from_instance(payload("radarr_grab"), is_4k=False))
    feed(from_instance(second, is_4k=False))
    assert feed.request(UHD_REQUEST).download_hashes == [DUNE_HASH]
    assert feed.request(STANDARD_REQUEST).download_hashes == [UHD_HASH]


# The instance that grabbed a request -----------------------------------------


def two_grabbed() -> Feed:
    """Two standard requests, the older grabbed by one instance, the newer by another."""
    feed = Feed(separate_4k=False)
    feed(parse_jellyseerr(jellyseerr("jellyseerr_movie_auto_approved", request_id="1")))
    feed(parse_jellyseerr(jellyseerr("jellyseerr_movie_auto_approved", request_id="2")))
    first, second = payload("radarr_grab"), payload("radarr_grab")
    second["downloadId"] = UHD_HASH
    feed(with_instance(parse_radarr(first), "radarr-b"))  # the newest, "2"
    feed(with_instance(parse_radarr(second), "radarr-a"))  # then "1"
    return feed


def test_an_import_prefers_the_request_its_instance_grabbed_over_the_newest() -> None:
    feed = two_grabbed()
    feed(with_instance(parse_radarr(hashless("radarr_download")), "radarr-a"))
    assert feed.request("1").stage is Stage.IMPORTING
    assert feed.request("2").stage is Stage.INDEXED


def test_a_notice_prefers_the_request_its_instance_grabbed_over_the_newest() -> None:
    feed = two_grabbed()
    feed(with_instance(parse_radarr(payload("radarr_movie_file_delete")), "radarr-a"))
    assert feed.request("1").timeline[-1].detail == "file deleted in Radarr (upgrade)"
    assert feed.request("2").timeline[-1].state is Stage.INDEXED


def test_another_grab_prefers_the_request_its_instance_grabbed_over_the_newest() -> (
    None
):
    feed = two_grabbed()
    replacement = payload("radarr_grab")
    replacement["downloadId"] = "d" * 40
    feed(with_instance(parse_radarr(replacement), "radarr-a"))
    assert feed.request("1").download_hash == "d" * 40
    assert "d" * 40 not in feed.request("2").download_hashes


def test_a_request_another_instance_grabbed_still_takes_an_import() -> None:
    feed = Feed(separate_4k=False)
    feed(parse_jellyseerr(jellyseerr("jellyseerr_movie_auto_approved")))
    feed(with_instance(parse_radarr(payload("radarr_grab")), "radarr-b"))
    feed(with_instance(parse_radarr(hashless("radarr_download")), "radarr-a"))
    assert feed.request("42").stage is Stage.IMPORTING


# Naming the instance ---------------------------------------------------------


@pytest.mark.parametrize(
    "fixture", ["radarr_grab", "radarr_download", "radarr_movie_file_delete"]
)
def test_the_webhook_marks_an_arr_event_with_its_instance_s_4k_flag(
    fixture: str,
) -> None:
    event = with_instance(parse_radarr(payload(fixture)), UHD, is_4k=True)
    assert isinstance(event, GrabEvent | ImportEvent | ArrNoticeEvent)
    assert (event.instance, event.is_4k) == (UHD, True)


def test_an_instance_named_without_a_flag_is_a_standard_one() -> None:
    event = with_instance(parse_radarr(payload("radarr_grab")), STANDARD)
    assert isinstance(event, GrabEvent)
    assert (event.instance, event.is_4k) == (STANDARD, False)


def test_a_jellyseerr_event_keeps_its_own_4k_flag() -> None:
    event = with_instance(film_request(is_4k=True), STANDARD, is_4k=False)
    assert isinstance(event, RequestEvent)
    assert event.is_4k is True
