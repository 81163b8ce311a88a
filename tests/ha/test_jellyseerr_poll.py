"""The safety net for lost Jellyseerr webhooks, against the fake Jellyseerr's request list.

Jellyseerr sends a notification once: a request made while Home Assistant
was stopped is read from ``GET /api/v1/request`` at the next start, and a
request both paths tell of is one entity with one timeline line per step.
"""

# ruff: noqa: F811

from __future__ import annotations

from datetime import timedelta
import logging
from typing import Any

from homeassistant.core import Event, HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.media_request_tracker.const import (
    CONF_TRACK_UNREQUESTED,
    EVENT_STATE_CHANGED,
)
from custom_components.media_request_tracker.diagnostics import (
    async_get_config_entry_diagnostics,
)
from custom_components.media_request_tracker.jellyseerr_poll import PAGE_SIZE
from tests.fakes.jellyseerr import ADMIN, VERSIONS, FakeJellyseerr
from tests.payloads import payload

from .conftest import WEBHOOK_IDS, entry_with, stored_requests

# ``entry`` is the registration tests' fixture (an entry
# registered in the fake Jellyseerr), which the tests take as an argument.
from .test_registration import entry, set_up  # noqa: F401

DUNE = "sensor.jellyfin_home_dune_part_two_2024"
DUNE_POSTER = "/1pdfLvkbY9ohJlCjQH2CZjjYVvJ.jpg"
POSTER_URL = f"https://image.tmdb.org/t/p/w600_and_h900_bestv2{DUNE_POSTER}"
# Jellyseerr v2.0.0 (updatedAt still moves, no COMPLETED), v2.7.3, Seerr v3.1.0.
each_version = pytest.mark.parametrize("jellyseerr_version", ["2.0.0", *VERSIONS])


def add_dune(jellyseerr: FakeJellyseerr, status: int = 1) -> int:
    """Alice asks for Dune: Part Two in Jellyseerr."""
    return jellyseerr.listed.add(
        media_type="movie",
        tmdb_id=693134,
        title="Dune: Part Two",
        date="2024-02-27",
        poster_path=DUNE_POSTER,
        status=status,
    )


def timeline(hass: HomeAssistant, entity_id: str = DUNE) -> list[tuple[str, str]]:
    return [
        (line["state"], line["source"])
        for line in hass.states.get(entity_id).attributes["timeline"]
    ]


def moves(hass: HomeAssistant) -> list[Event]:
    """Every state change event fired from now on."""
    fired: list[Event] = []
    hass.bus.async_listen(EVENT_STATE_CHANGED, fired.append)
    return fired


async def stop(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Home Assistant goes away: the entry is unloaded, Jellyseerr's webhooks are lost."""
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


async def next_poll(hass: HomeAssistant, minutes: float = 16) -> None:
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=minutes))
    await hass.async_block_till_done(wait_background_tasks=True)


def our_warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        record
        for record in caplog.records
        if record.name.startswith("custom_components")
        and record.levelno >= logging.WARNING
    ]


@each_version
async def test_a_request_made_while_home_assistant_was_stopped_appears_at_the_start(
    hass: HomeAssistant, entry: MockConfigEntry, jellyseerr: FakeJellyseerr
) -> None:
    await set_up(hass, entry)
    await stop(hass, entry)
    add_dune(jellyseerr)
    await set_up(hass, entry)
    state = hass.states.get(DUNE)
    assert state.state == "requested"
    assert state.attributes["requested_by"] == "alice"
    assert state.attributes["entity_picture"] == POSTER_URL
    assert state.attributes["request_id"] == "1"
    [line] = state.attributes["timeline"]
    assert line["source"] == "jellyseerr"
    assert line["detail"] == (
        "requested in Jellyseerr, waiting for approval (by alice); "
        "found by polling Jellyseerr"
    )


@each_version
async def test_a_request_seen_by_both_paths_is_one_entity_with_one_line_per_step(
    hass: HomeAssistant, entry: MockConfigEntry, jellyseerr: FakeJellyseerr
) -> None:
    await set_up(hass, entry)
    fired = moves(hass)
    number = add_dune(jellyseerr)
    await jellyseerr.notify("MEDIA_PENDING", jellyseerr.listed.notification(number))
    await hass.async_block_till_done()
    await next_poll(hass)
    # An admin approves in Jellyseerr's UI: the status moves and the webhook goes out.
    jellyseerr.listed.set_status(number, 2, ADMIN)
    await jellyseerr.notify("MEDIA_APPROVED", jellyseerr.listed.notification(number))
    await hass.async_block_till_done()
    await next_poll(hass)
    await next_poll(hass, 32)
    assert len(hass.states.async_entity_ids("sensor")) == 2  # Dune and the summary
    assert timeline(hass) == [("requested", "jellyseerr"), ("approved", "jellyseerr")]
    assert [event.data["to_state"] for event in fired] == ["requested", "approved"]


@each_version
@pytest.mark.parametrize(("status", "state"), [(2, "approved"), (3, "declined")])
async def test_approved_or_declined_while_stopped_is_moved_once(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    jellyseerr: FakeJellyseerr,
    status: int,
    state: str,
) -> None:
    await set_up(hass, entry)
    number = add_dune(jellyseerr)
    await jellyseerr.notify("MEDIA_PENDING", jellyseerr.listed.notification(number))
    await hass.async_block_till_done()
    await stop(hass, entry)
    jellyseerr.listed.set_status(number, status, ADMIN)
    fired = moves(hass)
    await set_up(hass, entry)
    await next_poll(hass)
    await next_poll(hass, 32)
    assert hass.states.get(DUNE).state == state
    assert timeline(hass) == [("requested", "jellyseerr"), (state, "jellyseerr")]
    assert [event.data["to_state"] for event in fired] == [state]


@pytest.mark.parametrize("track_unrequested", [True, False])
async def test_an_unmatched_grab_finds_its_lost_request_and_is_applied_to_it(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    jellyseerr: FakeJellyseerr,
    hass_client_no_auth: Any,
    track_unrequested: bool,
) -> None:
    entry = entry_with(entry, options={CONF_TRACK_UNREQUESTED: track_unrequested})
    await set_up(hass, entry)
    add_dune(jellyseerr, status=2)  # approved; its webhook never arrived
    calls = len(jellyseerr.listed.list_calls)
    client = await hass_client_no_auth()
    response = await client.post(
        f"/api/webhook/{WEBHOOK_IDS['radarr']}", json=payload("radarr_grab")
    )
    assert response.status == 200
    await hass.async_block_till_done()
    assert len(jellyseerr.listed.list_calls) == calls  # debounced, not yet
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=11))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert len(jellyseerr.listed.list_calls) == calls + 1
    [dune] = [
        state
        for state in hass.states.async_all("sensor")
        if state.attributes.get("tmdb_id") == 693134
    ]
    assert dune.state == "indexed"
    assert dune.attributes["requested_by"] == "alice"
    assert dune.attributes["entity_picture"] == POSTER_URL
    assert dune.attributes["download_hash"] is not None


async def test_paging_stops_at_the_first_request_known_and_unchanged(
    hass: HomeAssistant, entry: MockConfigEntry, jellyseerr: FakeJellyseerr
) -> None:
    await set_up(hass, entry)
    await stop(hass, entry)
    for tmdb_id in range(1000, 1000 + PAGE_SIZE + 5):
        jellyseerr.listed.add(
            media_type="movie",
            tmdb_id=tmdb_id,
            title=f"Film {tmdb_id}",
            date="2020-01-01",
            poster_path=None,
        )
    calls = len(jellyseerr.listed.list_calls)
    await set_up(hass, entry)
    # Everything was new: both pages were read.
    assert len(jellyseerr.listed.list_calls) == calls + 2
    assert len(hass.states.async_entity_ids("sensor")) == PAGE_SIZE + 5 + 1
    add_dune(jellyseerr)
    await next_poll(hass)
    # The new one, then a known, unchanged one: one page, newest first.
    assert jellyseerr.listed.list_calls[-1] == {
        "take": str(PAGE_SIZE),
        "skip": "0",
        "sort": "added",
        "filter": "all",
    }
    assert len(jellyseerr.listed.list_calls) == calls + 3
    assert hass.states.get(DUNE).state == "requested"


async def test_requests_older_than_the_first_poll_are_not_brought_in(
    hass: HomeAssistant, entry: MockConfigEntry, jellyseerr: FakeJellyseerr
) -> None:
    """A Jellyseerr with history: what was there before the integration is not news."""
    add_dune(jellyseerr)
    await set_up(hass, entry)
    assert hass.states.get(DUNE) is None
    await next_poll(hass)
    assert hass.states.get(DUNE) is None


async def test_a_failing_jellyseerr_is_logged_once_and_tried_again(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    jellyseerr: FakeJellyseerr,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await set_up(hass, entry)
    await stop(hass, entry)
    add_dune(jellyseerr)
    jellyseerr.fail_with = 502
    caplog.clear()
    await set_up(hass, entry)
    await next_poll(hass)
    [warning] = [
        record
        for record in our_warnings(caplog)
        if "Jellyseerr's requests" in record.getMessage()
    ]
    assert warning.exc_info is None
    assert jellyseerr.api_key not in warning.getMessage()
    assert hass.states.get(DUNE) is None
    jellyseerr.fail_with = None
    await next_poll(hass, 32)
    assert hass.states.get(DUNE).state == "requested"


async def test_a_webhook_that_comes_after_the_poll_adds_no_second_line(
    hass: HomeAssistant, entry: MockConfigEntry, jellyseerr: FakeJellyseerr
) -> None:
    await set_up(hass, entry)
    fired = moves(hass)
    number = add_dune(jellyseerr)
    await next_poll(hass)
    await jellyseerr.notify("MEDIA_PENDING", jellyseerr.listed.notification(number))
    await hass.async_block_till_done()
    assert timeline(hass) == [("requested", "jellyseerr")]
    assert [event.data["to_state"] for event in fired] == ["requested"]


async def test_a_4k_request_keeps_its_flag(
    hass: HomeAssistant, entry: MockConfigEntry, jellyseerr: FakeJellyseerr
) -> None:
    await set_up(hass, entry)
    jellyseerr.listed.add(
        media_type="movie",
        tmdb_id=693134,
        title="Dune: Part Two",
        date="2024-02-27",
        poster_path=DUNE_POSTER,
        is_4k=True,
    )
    await next_poll(hass)
    assert hass.states.get(DUNE).state == "requested"
    assert (await stored_requests(hass))["1"]["is_4k"] is True


async def test_an_old_pending_request_approved_while_stopped_is_looked_up_by_its_id(
    hass: HomeAssistant, entry: MockConfigEntry, jellyseerr: FakeJellyseerr
) -> None:
    """Newer requests, known and unchanged, end the paging before the old one."""
    await set_up(hass, entry)
    number = add_dune(jellyseerr)
    await jellyseerr.notify("MEDIA_PENDING", jellyseerr.listed.notification(number))
    await hass.async_block_till_done()
    for tmdb_id in (2001, 2002):
        newer = jellyseerr.listed.add(
            media_type="movie",
            tmdb_id=tmdb_id,
            title=f"Film {tmdb_id}",
            date="2020-01-01",
            poster_path=None,
            status=2,
        )
        await jellyseerr.notify(
            "MEDIA_AUTO_APPROVED", jellyseerr.listed.notification(newer)
        )
    await hass.async_block_till_done()
    await stop(hass, entry)
    jellyseerr.listed.set_status(number, 2, ADMIN)
    jellyseerr.calls.clear()
    await set_up(hass, entry)
    assert hass.states.get(DUNE).state == "approved"
    assert ("GET", f"/api/v1/request/{number}") in jellyseerr.calls
    assert [call for call in jellyseerr.calls if call[1] == "/api/v1/request"] == [
        ("GET", "/api/v1/request")
    ]


async def test_diagnostics_tell_the_last_poll_without_the_key(
    hass: HomeAssistant, entry: MockConfigEntry, jellyseerr: FakeJellyseerr
) -> None:
    await set_up(hass, entry)
    add_dune(jellyseerr)
    await next_poll(hass)
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    poll = diagnostics["connections"]["jellyseerr_poll"]
    assert poll["last_result"] == "1 applied from 1 page(s)"
    assert poll["last_run"] is not None
    assert poll["newest_request_id"] == 1
    assert jellyseerr.api_key not in str(diagnostics)
