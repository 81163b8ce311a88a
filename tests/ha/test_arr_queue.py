"""Progress and import state from Radarr's queue, for a download qBittorrent does not hold.

The fake Radarr serves ``/api/v3/queue`` as each release does; a usenet
download in SABnzbd advances there. Each test drives the poller one poll at a
time, as its timer would.
"""

from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.media_request_tracker.const import DOMAIN
from custom_components.media_request_tracker.queue_coordinator import (
    ArrQueueCoordinator,
)
from tests.fakes.arr import FakeArr
from tests.fakes.arr_queue import TITLE_MISMATCH
from tests.payloads import payload

from .conftest import ENTRY_ID, PostWebhook, arr_data, entry_with
from .fix_flows import fix_flows

ENTITY_ID = "sensor.jellyfin_home_dune_part_two_2024"
NZO_ID = "SABnzbd_nzo_p86tgx"
SIZE = 8_000_000_000
MOVIE_ID = 12  # the film's id in Radarr, as in the grab fixture
IMPORT_ISSUE = f"import_blocked_{ENTRY_ID}_"


# Registration in Radarr is not what these tests are about.
pytestmark = pytest.mark.usefixtures("no_registration")


@pytest.fixture
def config_entry(config_entry: MockConfigEntry, radarr: FakeArr) -> MockConfigEntry:
    """An entry with Radarr and no qBittorrent."""
    return entry_with(config_entry, **arr_data({"radarr": radarr}))


def _queue(hass: HomeAssistant) -> ArrQueueCoordinator:
    (queue,) = hass.config_entries.async_get_entry(ENTRY_ID).runtime_data.queues
    return queue


async def _request_and_grab(post_webhook: PostWebhook, radarr: FakeArr) -> None:
    """Jellyseerr's request, then Radarr's grab of an NZB that SABnzbd holds."""
    radarr.queue.add_usenet(
        NZO_ID,
        "Dune.Part.Two.2024.1080p.WEB-DL-GRP",
        movie_id=MOVIE_ID,
        size=SIZE,
        size_left=SIZE,
    )
    grab: dict[str, Any] = payload("radarr_grab")
    grab["downloadId"] = NZO_ID
    grab["downloadClient"] = "SABnzbd"
    for source, body in (
        ("jellyseerr", payload("jellyseerr_movie_auto_approved")),
        ("radarr", grab),
    ):
        assert (await post_webhook(source, body)).status == HTTPStatus.OK


def _import_issues(hass: HomeAssistant) -> list[str]:
    """The blocked-import repairs raised, by issue id."""
    return [
        issue_id
        for domain, issue_id in ir.async_get(hass).issues
        if domain == DOMAIN and issue_id.startswith(IMPORT_ISSUE)
    ]


async def _poll(hass: HomeAssistant) -> None:
    await _queue(hass).async_refresh()
    await hass.async_block_till_done()


async def test_a_usenet_download_is_followed_to_its_end_through_the_queue(
    hass: HomeAssistant,
    post_webhook: PostWebhook,
    radarr: FakeArr,
    freezer: FrozenDateTimeFactory,
) -> None:
    await _request_and_grab(post_webhook, radarr)
    assert hass.states.get(ENTITY_ID).state == "indexed"

    freezer.tick(timedelta(seconds=30))  # each poll half a minute on, as its timer runs
    radarr.queue.advance(NZO_ID, SIZE * 3 // 4, timedelta(minutes=20))
    await _poll(hass)
    state = hass.states.get(ENTITY_ID)
    assert state.state == "downloading"
    assert state.attributes["progress"] == 25.0
    assert state.attributes["size"] == SIZE
    assert state.attributes["download_client"] == "SABnzbd"
    assert state.attributes["instance"] == "Radarr"
    assert 0 < state.attributes["eta"] <= 20 * 60

    freezer.tick(timedelta(seconds=30))
    radarr.queue.advance(NZO_ID, SIZE // 4, timedelta(minutes=5))
    await _poll(hass)
    assert hass.states.get(ENTITY_ID).attributes["progress"] == 75.0

    freezer.tick(timedelta(seconds=30))
    radarr.queue.finish(NZO_ID)
    await _poll(hass)
    state = hass.states.get(ENTITY_ID)
    assert state.state == "download_done"
    assert state.attributes["progress"] == 100.0
    assert state.attributes.get("download_speed") is None
    assert state.attributes.get("eta") is None
    assert state.attributes["import_status"] == "importPending"


async def test_each_poll_is_one_queue_call(
    hass: HomeAssistant, post_webhook: PostWebhook, radarr: FakeArr
) -> None:
    await _request_and_grab(post_webhook, radarr)
    await hass.async_block_till_done()
    before = radarr.queue.queue_calls
    for _ in range(3):
        await _poll(hass)
    assert radarr.queue.queue_calls == before + 3


async def test_no_queue_call_while_nothing_waits_on_a_download(
    hass: HomeAssistant, setup_integration: MockConfigEntry, radarr: FakeArr
) -> None:
    await _poll(hass)
    assert radarr.queue.queue_calls == 0
    assert _queue(hass).update_interval is None


async def test_a_blocked_import_raises_a_repair_in_radarrs_words(
    hass: HomeAssistant, post_webhook: PostWebhook, radarr: FakeArr
) -> None:
    await _request_and_grab(post_webhook, radarr)
    radarr.queue.block(NZO_ID)
    await _poll(hass)

    state = hass.states.get(ENTITY_ID)
    assert state.attributes["import_status"] == "importBlocked"
    assert state.attributes["import_message"] == TITLE_MISMATCH
    (issue_id,) = _import_issues(hass)
    issue = ir.async_get(hass).async_get_issue(DOMAIN, issue_id)
    assert issue.translation_key == "import_blocked"
    assert issue.translation_placeholders["message"] == TITLE_MISMATCH
    assert issue.translation_placeholders["app"] == "Radarr"


async def test_the_blocked_import_repair_goes_when_the_film_is_imported(
    hass: HomeAssistant, post_webhook: PostWebhook, radarr: FakeArr
) -> None:
    await _request_and_grab(post_webhook, radarr)
    radarr.queue.block(NZO_ID)
    await _poll(hass)

    radarr.queue.remove(NZO_ID)
    imported: dict[str, Any] = payload("radarr_download")
    imported["downloadId"] = NZO_ID
    assert (await post_webhook("radarr", imported)).status == HTTPStatus.OK
    await _poll(hass)

    state = hass.states.get(ENTITY_ID)
    assert state.state == "importing"
    assert state.attributes.get("import_status") is None
    assert not _import_issues(hass)


def _commands(radarr: FakeArr) -> list[tuple[str, Any]]:
    return [
        (command["name"], command["body"].get("movieIds"))
        for command in radarr.queue.commands
    ]


async def test_search_asks_radarr_to_search_for_the_film_again(
    hass: HomeAssistant, post_webhook: PostWebhook, radarr: FakeArr
) -> None:
    await _request_and_grab(post_webhook, radarr)
    await hass.services.async_call(
        DOMAIN, "search", {"entity_id": [ENTITY_ID]}, blocking=True
    )
    assert _commands(radarr) == [("MoviesSearch", [MOVIE_ID])]
    timeline = hass.states.get(ENTITY_ID).attributes["timeline"]
    assert timeline[-1]["source"] == "user"
    assert timeline[-1]["detail"] == "Radarr asked to search again"


async def test_blocklist_and_search_removes_the_release_and_radarr_grabs_another(
    hass: HomeAssistant, post_webhook: PostWebhook, radarr: FakeArr
) -> None:
    await _request_and_grab(post_webhook, radarr)
    await hass.services.async_call(
        DOMAIN, "blocklist_and_search", {"entity_id": [ENTITY_ID]}, blocking=True
    )
    assert radarr.queue.blocklisted == [NZO_ID]
    assert radarr.queue.removed_from_client == [NZO_ID]
    assert NZO_ID not in radarr.queue.downloads
    # Radarr searches by itself after a blocklist; nothing else was asked of it.
    assert [name for name, _ in _commands(radarr)] == ["MoviesSearch"]


async def test_blocklist_and_search_refuses_a_request_no_longer_in_the_queue(
    hass: HomeAssistant, post_webhook: PostWebhook, radarr: FakeArr
) -> None:
    await _request_and_grab(post_webhook, radarr)
    radarr.queue.remove(NZO_ID)
    with pytest.raises(ServiceValidationError) as refused:
        await hass.services.async_call(
            DOMAIN, "blocklist_and_search", {"entity_id": [ENTITY_ID]}, blocking=True
        )
    assert refused.value.translation_key == "not_in_queue"
    assert radarr.queue.blocklisted == []


async def test_search_refuses_a_request_no_arr_has_grabbed(
    hass: HomeAssistant, post_webhook: PostWebhook, radarr: FakeArr
) -> None:
    await post_webhook("jellyseerr", payload("jellyseerr_movie_auto_approved"))
    with pytest.raises(ServiceValidationError) as refused:
        await hass.services.async_call(
            DOMAIN, "search", {"entity_id": [ENTITY_ID]}, blocking=True
        )
    assert refused.value.translation_key == "no_arr_item"
    assert radarr.queue.commands == []


@pytest.fixture
async def repairs(hass: HomeAssistant) -> None:
    """The Repairs panel's flows; set up before the HTTP server starts."""
    assert await async_setup_component(hass, "repairs", {})


async def test_the_stuck_repair_offers_to_search_again_and_does_it(
    hass: HomeAssistant, repairs: None, post_webhook: PostWebhook, radarr: FakeArr
) -> None:
    await _request_and_grab(post_webhook, radarr)
    # The grab wakes the queue poller; its first poll, in the background, would
    # clear an issue raised for a time still to come.
    await hass.async_block_till_done(wait_background_tasks=True)
    entry = hass.config_entries.async_get_entry(ENTRY_ID)
    entry.runtime_data.issues.async_check_stuck(dt_util.utcnow() + timedelta(hours=3))
    request_id = entry.runtime_data.hub.request("42").request_id
    flows = fix_flows(hass)
    menu = await flows.async_init(
        DOMAIN, data={"issue_id": f"stuck_{ENTRY_ID}_{request_id}"}
    )
    assert menu["menu_options"] == [
        "recheck",
        "search",
        "blocklist_and_search",
        "mark_available",
    ]
    result = await flows.async_configure(menu["flow_id"], {"next_step_id": "search"})
    assert result["type"] == "create_entry"
    assert _commands(radarr) == [("MoviesSearch", [MOVIE_ID])]


async def test_a_blocked_import_is_raised_again_after_a_restart(
    hass: HomeAssistant, post_webhook: PostWebhook, radarr: FakeArr
) -> None:
    await _request_and_grab(post_webhook, radarr)
    radarr.queue.block(NZO_ID)
    await _poll(hass)
    entry = hass.config_entries.async_get_entry(ENTRY_ID)
    assert await hass.config_entries.async_reload(ENTRY_ID)
    await hass.async_block_till_done()
    for issue_id in _import_issues(hass):
        ir.async_delete_issue(hass, DOMAIN, issue_id)  # as a restart forgets it

    entry.runtime_data.issues.async_check_stuck()

    assert _import_issues(hass)


def _issue(hass: HomeAssistant, kind: str) -> ir.IssueEntry | None:
    """The issue of one kind raised for the film's request."""
    request_id = (
        hass.config_entries.async_get_entry(ENTRY_ID)
        .runtime_data.hub.request("42")
        .request_id
    )
    return ir.async_get(hass).async_get_issue(DOMAIN, f"{kind}_{ENTRY_ID}_{request_id}")


async def _stall(
    hass: HomeAssistant, radarr: FakeArr, freezer: FrozenDateTimeFactory
) -> None:
    """SABnzbd moves a quarter, then nothing for 31 minutes; the stuck scan runs."""
    radarr.queue.advance(NZO_ID, SIZE * 3 // 4, timedelta(minutes=20))
    await _poll(hass)
    assert hass.states.get(ENTITY_ID).attributes["stalled"] is False
    freezer.tick(timedelta(minutes=31))
    radarr.queue.advance(NZO_ID, SIZE * 3 // 4, None)  # refreshed, no bytes
    await _poll(hass)
    hass.config_entries.async_get_entry(
        ENTRY_ID
    ).runtime_data.issues.async_check_stuck()


async def test_a_usenet_download_whose_bytes_left_stand_still_is_stalled(
    hass: HomeAssistant,
    repairs: None,
    post_webhook: PostWebhook,
    radarr: FakeArr,
    freezer: FrozenDateTimeFactory,
) -> None:
    await _request_and_grab(post_webhook, radarr)
    await hass.async_block_till_done(wait_background_tasks=True)

    await _stall(hass, radarr, freezer)

    state = hass.states.get(ENTITY_ID)
    assert state.state == "downloading"
    assert state.attributes["stalled"] is True
    assert state.attributes["timeline"][-1]["detail"] == (
        "stalled: no data for 30 minutes"
    )
    issue = _issue(hass, "stuck")
    assert issue is not None
    assert issue.translation_key == "stuck_stalled"
    assert issue.is_fixable


async def test_the_stalled_repair_tries_another_release_in_radarr(
    hass: HomeAssistant,
    repairs: None,
    post_webhook: PostWebhook,
    radarr: FakeArr,
    freezer: FrozenDateTimeFactory,
) -> None:
    await _request_and_grab(post_webhook, radarr)
    await hass.async_block_till_done(wait_background_tasks=True)
    await _stall(hass, radarr, freezer)
    issue = _issue(hass, "stuck")
    assert issue is not None

    flows = fix_flows(hass)
    menu = await flows.async_init(DOMAIN, data={"issue_id": issue.issue_id})
    assert menu["menu_options"] == [
        "recheck",
        "search",
        "blocklist_and_search",
        "mark_available",
    ]
    result = await flows.async_configure(
        menu["flow_id"], {"next_step_id": "blocklist_and_search"}
    )

    assert result["type"] == "create_entry"
    assert radarr.queue.blocklisted == [NZO_ID]
    assert [name for name, _ in _commands(radarr)] == ["MoviesSearch"]


async def test_a_stalled_usenet_download_clears_when_bytes_move_again(
    hass: HomeAssistant,
    repairs: None,
    post_webhook: PostWebhook,
    radarr: FakeArr,
    freezer: FrozenDateTimeFactory,
) -> None:
    await _request_and_grab(post_webhook, radarr)
    await hass.async_block_till_done(wait_background_tasks=True)
    await _stall(hass, radarr, freezer)

    freezer.tick(timedelta(minutes=1))
    radarr.queue.advance(NZO_ID, SIZE // 2, timedelta(minutes=10))
    await _poll(hass)

    state = hass.states.get(ENTITY_ID)
    assert state.attributes["stalled"] is False
    assert state.attributes["timeline"][-1]["detail"] == "data is moving again"
    assert _issue(hass, "stuck") is None


async def _failed_repair(
    hass: HomeAssistant, post_webhook: PostWebhook, radarr: FakeArr
) -> Any:
    """Radarr reports the NZB failed; the repair's fix flow is opened."""
    await _request_and_grab(post_webhook, radarr)
    radarr.queue.fail(NZO_ID, "Download failed: not enough disk space")
    await _poll(hass)
    issue = _issue(hass, "download_problem")
    assert issue is not None
    assert issue.translation_key == "download_failed"
    assert issue.is_fixable
    return await fix_flows(hass).async_init(DOMAIN, data={"issue_id": issue.issue_id})


async def test_the_failed_download_repair_offers_another_release_first(
    hass: HomeAssistant, repairs: None, post_webhook: PostWebhook, radarr: FakeArr
) -> None:
    menu = await _failed_repair(hass, post_webhook, radarr)

    assert menu["type"] == "menu"
    assert menu["menu_options"] == ["blocklist_and_search", "search", "stop_tracking"]
    assert menu["description_placeholders"]["app"] == "Radarr"


async def test_the_failed_download_repair_blocklists_the_release(
    hass: HomeAssistant, repairs: None, post_webhook: PostWebhook, radarr: FakeArr
) -> None:
    menu = await _failed_repair(hass, post_webhook, radarr)

    result = await fix_flows(hass).async_configure(
        menu["flow_id"], {"next_step_id": "blocklist_and_search"}
    )

    assert result["type"] == "create_entry"
    assert radarr.queue.blocklisted == [NZO_ID]
    assert NZO_ID not in radarr.queue.downloads
    # Radarr searches by itself after a blocklist.
    assert _commands(radarr) == [("MoviesSearch", [MOVIE_ID])]


async def test_the_failed_download_repair_asks_radarr_to_search_again(
    hass: HomeAssistant, repairs: None, post_webhook: PostWebhook, radarr: FakeArr
) -> None:
    menu = await _failed_repair(hass, post_webhook, radarr)

    result = await fix_flows(hass).async_configure(
        menu["flow_id"], {"next_step_id": "search"}
    )

    assert result["type"] == "create_entry"
    assert _commands(radarr) == [("MoviesSearch", [MOVIE_ID])]
    assert radarr.queue.blocklisted == []
