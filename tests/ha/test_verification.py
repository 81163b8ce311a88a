"""Requests reach available by looking at the Jellyfin library, without Jellyfin's webhook."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed_exact,
)

from custom_components.media_request_tracker.const import (
    CONF_STUCK_IMPORTING_HOURS,
    CONF_VERIFY_INTERVAL,
    DOMAIN,
    EVENT_STATE_CHANGED,
)
from custom_components.media_request_tracker.coordinator import FOLLOW_UP_AFTER
from custom_components.media_request_tracker.core.parsers import parse_shoko
from tests.fakes.jellyfin import FakeJellyfin
from tests.fakes.jellyfin_items import episode, movie, series, shokofin_path
from tests.payloads import (
    SEVERANCE_SERIES_ID,
    jellyseerr,
    payload,
    sonarr_episode_import,
)

from .conftest import ENTRY_ID, PostWebhook, entry_with, set_up
from .fix_flows import fix_flows

if TYPE_CHECKING:
    from freezegun.api import FrozenDateTimeFactory

FILM = "sensor.jellyfin_home_dune_part_two_2024"
SERIES = "sensor.jellyfin_home_severance_2022"
DUNE_ITEM = {"Tmdb": "693134", "Imdb": "tt15239678"}


async def _seconds_until(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    reached: Callable[[], bool],
    limit: float = 30,
) -> float:
    """Seconds of the frozen clock, in 0.1 s steps, until ``reached``; load cannot add any."""
    await hass.async_block_till_done(wait_background_tasks=True)
    elapsed = 0.0
    while not reached():
        assert elapsed < limit, f"not reached in {limit} s"
        await _tick(hass, freezer, 0.1)
        elapsed = round(elapsed + 0.1, 1)
    return elapsed


def _shows(hass: HomeAssistant, entity_id: str, state: str) -> Callable[[], bool]:
    return lambda: hass.states.get(entity_id).state == state


async def test_film_becomes_available_within_a_second_of_its_import(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    post_webhook: PostWebhook,
    fake_jellyfin: FakeJellyfin,
) -> None:
    await post_webhook("jellyseerr", payload("jellyseerr_movie_auto_approved"))
    await post_webhook("radarr", payload("radarr_grab"))
    fake_jellyfin.add_item(**movie("Dune: Part Two", 2024, DUNE_ITEM))
    await post_webhook("radarr", payload("radarr_download"))
    assert await _seconds_until(hass, freezer, _shows(hass, FILM, "available")) < 1
    timeline = hass.states.get(FILM).attributes["timeline"]
    assert (timeline[-1]["source"], timeline[-1]["detail"]) == (
        "jellyfin",
        "found in the Jellyfin library",
    )


async def test_series_becomes_available_when_its_episodes_are_in_the_library(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    post_webhook: PostWebhook,
    fake_jellyfin: FakeJellyfin,
) -> None:
    await post_webhook(
        "jellyseerr", jellyseerr("jellyseerr_tv_pending", "MEDIA_APPROVED")
    )
    await post_webhook("sonarr", payload("sonarr_grab_season_pack"))
    show = next(
        item for item in fake_jellyfin.items if item["Id"] == SEVERANCE_SERIES_ID
    )
    for number in range(1, 10):
        fake_jellyfin.add_item(**episode(show, 1, number))
        await post_webhook("sonarr", sonarr_episode_import(number))
    assert await _seconds_until(hass, freezer, _shows(hass, SERIES, "available")) < 2
    assert hass.states.get(SERIES).attributes["jellyfin_id"] == SEVERANCE_SERIES_ID


# The clock stands still: no follow-up, cool-down or interval fires by itself mid-count.
@pytest.mark.usefixtures("freezer")
async def test_item_that_appears_after_several_cycles_is_found_with_one_call_per_cycle(
    hass: HomeAssistant,
    post_webhook: PostWebhook,
    setup_integration: MockConfigEntry,
    fake_jellyfin: FakeJellyfin,
) -> None:
    await post_webhook("jellyseerr", payload("jellyseerr_movie_auto_approved"))
    await post_webhook("radarr", payload("radarr_download"))
    await hass.async_block_till_done(wait_background_tasks=True)
    verifier = setup_integration.runtime_data.verifier
    await verifier.async_refresh()
    for _ in range(3):
        before = fake_jellyfin.calls["/Items"]
        await verifier.async_refresh()
        assert fake_jellyfin.calls["/Items"] - before == 1
        assert hass.states.get(FILM).state == "importing"
    fake_jellyfin.add_item(**movie("Dune: Part Two", 2024, DUNE_ITEM))
    await verifier.async_refresh()
    assert hass.states.get(FILM).state == "available"


# The clock stands still: no follow-up, cool-down or interval fires by itself mid-count.
@pytest.mark.usefixtures("freezer")
async def test_cycle_costs_one_call_however_many_requests_wait(
    hass: HomeAssistant,
    post_webhook: PostWebhook,
    setup_integration: MockConfigEntry,
    fake_jellyfin: FakeJellyfin,
) -> None:
    for number in range(20):
        body = jellyseerr(
            "jellyseerr_movie_auto_approved", request_id=str(100 + number)
        )
        body["media"]["tmdbId"] = str(5000 + number)
        await post_webhook("jellyseerr", body)
    await hass.async_block_till_done(wait_background_tasks=True)
    verifier = setup_integration.runtime_data.verifier
    await verifier.async_refresh()
    before = fake_jellyfin.calls["/Items"]
    await verifier.async_refresh()
    assert fake_jellyfin.calls["/Items"] - before == 1


async def test_re_request_already_in_the_library_is_available_at_once(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    post_webhook: PostWebhook,
    fake_jellyfin: FakeJellyfin,
) -> None:
    fake_jellyfin.add_item(**movie("Dune: Part Two", 2024, DUNE_ITEM))
    await post_webhook("jellyseerr", payload("jellyseerr_movie_auto_approved"))
    await _seconds_until(hass, freezer, _shows(hass, FILM, "available"))
    assert [
        entry["state"] for entry in hass.states.get(FILM).attributes["timeline"]
    ] == ["approved", "available"]
    assert (
        hass.states.get("sensor.jellyfin_home_active_requests").attributes["available"]
        == 1
    )
    assert hass.states.get(f"{FILM}_2") is None


# The clock stands still: no follow-up, cool-down or interval fires by itself mid-count.
@pytest.mark.usefixtures("freezer")
async def test_import_jellyfin_never_shows_becomes_a_repair_that_can_mark_it_available(
    hass: HomeAssistant,
    hass_client_no_auth,
    config_entry: MockConfigEntry,
    fake_jellyfin: FakeJellyfin,
) -> None:
    assert await async_setup_component(hass, "repairs", {})
    config_entry = await set_up(
        hass,
        entry_with(
            config_entry,
            options={CONF_STUCK_IMPORTING_HOURS: 0, CONF_VERIFY_INTERVAL: 60},
        ),
    )
    webhooks = await hass_client_no_auth()
    hooks = config_entry.data["webhook_ids"]
    await webhooks.post(
        f"/api/webhook/{hooks['jellyseerr']}",
        json=payload("jellyseerr_movie_auto_approved"),
    )
    await webhooks.post(
        f"/api/webhook/{hooks['radarr']}", json=payload("radarr_download")
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    config_entry.runtime_data.issues.async_check_stuck()

    issue_id = f"stuck_{ENTRY_ID}_42"
    issue = ir.async_get(hass).async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.is_fixable
    assert issue.translation_key == "stuck_not_imported"
    assert issue.translation_placeholders["title"] == "Dune: Part Two (2024)"
    assert issue.translation_placeholders["stage"] == "importing"

    flows = fix_flows(hass)
    flow = await flows.async_init(DOMAIN, data={"issue_id": issue_id})
    assert flow["type"] == "menu"
    assert flow["menu_options"] == ["recheck", "mark_available"]
    recheck = await flows.async_configure(flow["flow_id"], {"next_step_id": "recheck"})
    assert recheck["type"] == "abort"
    assert recheck["reason"] == "still_stuck"

    flow = await flows.async_init(DOMAIN, data={"issue_id": issue_id})
    confirm = await flows.async_configure(
        flow["flow_id"], {"next_step_id": "mark_available"}
    )
    assert confirm["step_id"] == "mark_available"
    result = await flows.async_configure(confirm["flow_id"], {})
    assert result["type"] == "create_entry"
    state = hass.states.get(FILM)
    assert state.state == "available"
    assert state.attributes["timeline"][-1]["source"] == "user"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


# Reported available by Jellyseerr before the library shows it ---------------


# The clock stands still: no follow-up, cool-down or interval fires by itself mid-count.
@pytest.mark.usefixtures("freezer")
async def test_film_reported_available_first_gets_its_jellyfin_item_and_stays_available(
    hass: HomeAssistant,
    post_webhook: PostWebhook,
    setup_integration: MockConfigEntry,
    fake_jellyfin: FakeJellyfin,
) -> None:
    moves = async_capture_events(hass, EVENT_STATE_CHANGED)
    await post_webhook("jellyseerr", payload("jellyseerr_movie_auto_approved"))
    await post_webhook("radarr", payload("radarr_grab"))
    await post_webhook(
        "jellyseerr", jellyseerr("jellyseerr_movie_auto_approved", "MEDIA_AVAILABLE")
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert hass.states.get(FILM).state == "available"
    assert "jellyfin_id" not in hass.states.get(FILM).attributes

    verifier = setup_integration.runtime_data.verifier
    item = fake_jellyfin.add_item(**movie("Dune: Part Two", 2024, DUNE_ITEM))
    await verifier.async_refresh()
    state = hass.states.get(FILM)
    assert state.state == "available"
    assert state.attributes["jellyfin_id"] == item["Id"]
    assert state.attributes["timeline"][-1]["detail"] == "found in the Jellyfin library"
    assert [move.data["to_state"] for move in moves] == [
        "approved",
        "indexed",
        "available",
    ]

    found_after = fake_jellyfin.calls["/Items"]
    for _ in range(3):
        await verifier.async_refresh()
    assert fake_jellyfin.calls["/Items"] == found_after


async def test_jellyseerr_reporting_available_starts_a_check_at_once(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    post_webhook: PostWebhook,
    fake_jellyfin: FakeJellyfin,
) -> None:
    await post_webhook("jellyseerr", payload("jellyseerr_movie_auto_approved"))
    await post_webhook("radarr", payload("radarr_grab"))
    # Jellyseerr learns of availability from Jellyfin: the item is already there.
    item = fake_jellyfin.add_item(**movie("Dune: Part Two", 2024, DUNE_ITEM))
    await post_webhook(
        "jellyseerr", jellyseerr("jellyseerr_movie_auto_approved", "MEDIA_AVAILABLE")
    )
    await _seconds_until(
        hass,
        freezer,
        lambda: hass.states.get(FILM).attributes.get("jellyfin_id") == item["Id"],
        limit=5,
    )


# The clock stands still: no follow-up, cool-down or interval fires by itself mid-count.
@pytest.mark.usefixtures("freezer")
async def test_series_reported_available_first_is_complete_once_the_library_has_every_episode(
    hass: HomeAssistant,
    post_webhook: PostWebhook,
    setup_integration: MockConfigEntry,
    fake_jellyfin: FakeJellyfin,
) -> None:
    moves = async_capture_events(hass, EVENT_STATE_CHANGED)
    await post_webhook(
        "jellyseerr", jellyseerr("jellyseerr_tv_pending", "MEDIA_APPROVED")
    )
    await post_webhook("sonarr", payload("sonarr_grab_season_pack"))
    await post_webhook(
        "jellyseerr", jellyseerr("jellyseerr_tv_pending", "MEDIA_AVAILABLE")
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert hass.states.get(SERIES).state == "available"

    verifier = setup_integration.runtime_data.verifier
    show = next(
        item for item in fake_jellyfin.items if item["Id"] == SEVERANCE_SERIES_ID
    )
    for number in range(1, 9):
        fake_jellyfin.add_item(**episode(show, 1, number))
    await verifier.async_refresh()
    assert hass.states.get(SERIES).attributes["jellyfin_id"] == SEVERANCE_SERIES_ID
    # Episode 9 is not in Jellyfin yet: it keeps looking, one call per cycle.
    before = fake_jellyfin.calls["/Items"]
    await verifier.async_refresh()
    assert fake_jellyfin.calls["/Items"] == before + 1

    fake_jellyfin.add_item(**episode(show, 1, 9))
    await verifier.async_refresh()
    state = hass.states.get(SERIES)
    assert state.state == "available"
    assert (
        state.attributes["episodes_available"],
        state.attributes["episodes_total"],
    ) == (9, 9)
    assert (
        state.attributes["timeline"][-1]["source"],
        state.attributes["timeline"][-1]["detail"],
    ) == (
        "jellyfin",
        "every requested episode is in Jellyfin",
    )
    assert [move.data["to_state"] for move in moves] == [
        "approved",
        "indexed",
        "available",
    ]
    found_after = fake_jellyfin.calls["/Items"]
    for _ in range(3):
        await verifier.async_refresh()
    assert fake_jellyfin.calls["/Items"] == found_after


# Found soon after an import or a Shoko match, with no Jellyfin webhook -------

ANIME = "sensor.jellyfin_home_frieren_beyond_journey_s_end_2023"


async def _film_imported(
    post_webhook: PostWebhook, fake_jellyfin: FakeJellyfin
) -> Callable[[], dict]:
    await post_webhook("jellyseerr", payload("jellyseerr_movie_auto_approved"))
    await post_webhook("radarr", payload("radarr_grab"))
    await post_webhook("radarr", payload("radarr_download"))
    return lambda: fake_jellyfin.add_item(**movie("Dune: Part Two", 2024, DUNE_ITEM))


async def _episode_imported(
    post_webhook: PostWebhook, fake_jellyfin: FakeJellyfin
) -> Callable[[], dict]:
    await post_webhook(
        "jellyseerr", jellyseerr("jellyseerr_tv_pending", "MEDIA_APPROVED")
    )
    grab = payload("sonarr_grab_season_pack")
    grab["episodes"] = grab["episodes"][:1]
    await post_webhook("sonarr", grab)
    await post_webhook("sonarr", sonarr_episode_import(1))
    show = next(
        item for item in fake_jellyfin.items if item["Id"] == SEVERANCE_SERIES_ID
    )
    return lambda: fake_jellyfin.add_item(**episode(show, 1, 1))


async def _anime_matched(
    post_webhook: PostWebhook, fake_jellyfin: FakeJellyfin, hass: HomeAssistant
) -> Callable[[], dict]:
    request = jellyseerr("jellyseerr_anime_tv_pending", "MEDIA_AUTO_APPROVED")
    request["extra"] = [{"name": "Requested Seasons", "value": "1"}]
    await post_webhook("jellyseerr", request)
    await post_webhook("sonarr", payload("sonarr_anime_download_episode"))
    hub = hass.config_entries.async_get_entry(ENTRY_ID).runtime_data.hub
    # What the Shoko listener hands the hub for these SignalR messages.
    for target, fixture in (
        ("ShokoEvent:FileHashed", "shoko_v5_file_hashed"),
        ("ShokoEvent:FileMatched", "shoko_v5_file_matched"),
    ):
        await hub.async_handle(parse_shoko(target, [payload(fixture)]))
    assert hass.states.get(ANIME).state == "anime_matching"

    def shokofin_presents() -> dict:
        show = fake_jellyfin.add_item(
            **series(
                "Sousou no Frieren", 2023, {"AniDB": "17617", "Shoko Series": "310"}
            )
        )
        return fake_jellyfin.add_item(
            **episode(
                show, 1, 3, path=shokofin_path("Sousou no Frieren", 310, 1234, 1, 3)
            )
        )

    return shokofin_presents


async def _tick(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float
) -> None:
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed_exact(hass, dt_util.utcnow())
    # Checks run as background tasks: let each finish its call before time moves on.
    await hass.async_block_till_done(wait_background_tasks=True)


@pytest.mark.parametrize("appears_after", [1, 3, 7, 15, 30])
@pytest.mark.parametrize("path", ["film import", "episode import", "shoko match"])
async def test_item_is_found_within_10_seconds_of_appearing_without_a_webhook(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    post_webhook: PostWebhook,
    fake_jellyfin: FakeJellyfin,
    path: str,
    appears_after: int,
) -> None:
    if path == "film import":
        entity, appear = FILM, await _film_imported(post_webhook, fake_jellyfin)
    elif path == "episode import":
        entity, appear = SERIES, await _episode_imported(post_webhook, fake_jellyfin)
    else:
        entity, appear = ANIME, await _anime_matched(post_webhook, fake_jellyfin, hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    # The burst of news has shared one more check after the cool-down.
    await _tick(hass, freezer, 0.5)
    await _tick(hass, freezer, 0.5)
    calls_before = fake_jellyfin.calls["/Items"]

    elapsed = 1.0
    while elapsed < appears_after:
        await _tick(hass, freezer, 0.5)
        elapsed += 0.5
    appear()
    while hass.states.get(entity).state != "available" and elapsed < 120:
        await _tick(hass, freezer, 0.5)
        elapsed += 0.5
    assert elapsed - appears_after <= 10
    # Each follow-up was one incremental call, at growing intervals.
    looks = fake_jellyfin.calls["/Items"] - calls_before
    assert looks == sum(1 for after in FOLLOW_UP_AFTER if 1 < after <= elapsed)

    # Found: no more looks, neither follow-ups nor the periodic check.
    found_after = fake_jellyfin.calls["/Items"]
    for _ in range(70):
        await _tick(hass, freezer, 1)
    assert fake_jellyfin.calls["/Items"] == found_after


async def test_follow_ups_end_where_the_periodic_check_takes_over(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    post_webhook: PostWebhook,
    fake_jellyfin: FakeJellyfin,
) -> None:
    await _film_imported(post_webhook, fake_jellyfin)  # and it never appears
    await _tick(hass, freezer, 0.5)
    await _tick(hass, freezer, 0.5)
    looks: list[float] = []
    before = fake_jellyfin.calls["/Items"]
    for second in range(2, 126):
        await _tick(hass, freezer, 1)
        if fake_jellyfin.calls["/Items"] != before:
            looks.append(second)
            before = fake_jellyfin.calls["/Items"]
    # The follow-ups, then the periodic check (60 s, with Home Assistant's
    # sub-second spread) counted from the last look.
    assert looks[:-1] == [2, 5, 10, 19, 28, 37, 46, 55]
    assert 115 <= looks[-1] <= 116
    assert hass.states.get(FILM).state == "importing"
