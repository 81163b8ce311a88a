"""A request past its stage's threshold becomes a repair issue that offers recheck and mark_available."""

from __future__ import annotations

from datetime import timedelta

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from custom_components.media_request_tracker.const import DOMAIN
from tests.fakes.jellyfin import FakeJellyfin
from tests.fakes.jellyfin_items import movie
from tests.payloads import payload

from .conftest import ENTRY_ID, PostWebhook
from .fix_flows import fix_flows

FILM = "sensor.jellyfin_home_dune_part_two_2024"
ISSUE_ID = f"stuck_{ENTRY_ID}_42"


@pytest.fixture
async def repairs(hass: HomeAssistant) -> None:
    # Before any HTTP client: the router is frozen once one starts.
    assert await async_setup_component(hass, "repairs", {})


@pytest.fixture
async def approved_film(
    hass: HomeAssistant,
    repairs: None,
    post_webhook: PostWebhook,
    setup_integration: MockConfigEntry,
) -> MockConfigEntry:
    await post_webhook("jellyseerr", payload("jellyseerr_movie_auto_approved"))
    # Let the check the new request started finish before the library changes.
    await hass.async_block_till_done(wait_background_tasks=True)
    return setup_integration


def check_stuck_in(entry: MockConfigEntry, hours: float) -> None:
    entry.runtime_data.issues.async_check_stuck(
        dt_util.utcnow() + timedelta(hours=hours)
    )


def issue(hass: HomeAssistant) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, ISSUE_ID)


async def test_no_issue_before_the_threshold(
    hass: HomeAssistant, approved_film: MockConfigEntry
) -> None:
    check_stuck_in(approved_film, 5.9)
    assert issue(hass) is None


async def test_approved_request_never_grabbed_raises_an_issue_naming_it(
    hass: HomeAssistant, approved_film: MockConfigEntry
) -> None:
    check_stuck_in(approved_film, 6.5)
    raised = issue(hass)
    assert raised is not None
    assert raised.is_fixable
    assert raised.severity is ir.IssueSeverity.WARNING
    assert raised.translation_key == "stuck_not_grabbed"
    assert raised.translation_placeholders["title"] == "Dune: Part Two (2024)"
    assert raised.translation_placeholders["stage"] == "approved"
    approved_at = approved_film.runtime_data.hub.request("42").stage_since
    assert raised.translation_placeholders["since"] == dt_util.as_local(
        approved_at
    ).strftime("%Y-%m-%d %H:%M")


async def test_the_issue_goes_away_as_soon_as_the_request_moves(
    hass: HomeAssistant, approved_film: MockConfigEntry, post_webhook: PostWebhook
) -> None:
    check_stuck_in(approved_film, 7)
    assert issue(hass) is not None
    await post_webhook("radarr", payload("radarr_grab"))
    assert hass.states.get(FILM).state == "indexed"
    assert issue(hass) is None


async def test_removing_the_request_removes_its_issue(
    hass: HomeAssistant, approved_film: MockConfigEntry
) -> None:
    check_stuck_in(approved_film, 7)
    await hass.services.async_call(
        DOMAIN, "remove", {"entity_id": [FILM]}, blocking=True
    )
    assert issue(hass) is None


async def test_recheck_finishes_a_request_jellyfin_now_shows(
    hass: HomeAssistant, approved_film: MockConfigEntry, fake_jellyfin: FakeJellyfin
) -> None:
    check_stuck_in(approved_film, 7)
    fake_jellyfin.add_item(**movie("Dune: Part Two", 2024, {"Tmdb": "693134"}))
    flows = fix_flows(hass)
    menu = await flows.async_init(DOMAIN, data={"issue_id": ISSUE_ID})
    assert menu["description_placeholders"]["title"] == "Dune: Part Two (2024)"
    result = await flows.async_configure(menu["flow_id"], {"next_step_id": "recheck"})
    assert result["type"] == "create_entry"
    assert hass.states.get(FILM).state == "available"
    assert issue(hass) is None


async def test_the_fix_flow_of_a_request_that_moved_on_says_so(
    hass: HomeAssistant, approved_film: MockConfigEntry
) -> None:
    check_stuck_in(approved_film, 7)
    approved_film.runtime_data.issues.async_check_stuck()
    flows = fix_flows(hass)
    ir.async_create_issue(
        hass,
        DOMAIN,
        ISSUE_ID,
        is_fixable=True,
        severity=ir.IssueSeverity.WARNING,
        translation_key="stuck_not_grabbed",
        data={"entry_id": ENTRY_ID, "request_id": "42"},
    )
    result = await flows.async_init(DOMAIN, data={"issue_id": ISSUE_ID})
    assert result["type"] == "abort"
    assert result["reason"] == "no_longer_stuck"


async def test_the_fix_flow_aborts_when_the_entry_is_not_loaded(
    hass: HomeAssistant, approved_film: MockConfigEntry
) -> None:
    check_stuck_in(approved_film, 7)
    await hass.config_entries.async_unload(approved_film.entry_id)
    flows = fix_flows(hass)
    result = await flows.async_init(DOMAIN, data={"issue_id": ISSUE_ID})
    assert result["type"] == "abort"
    assert result["reason"] == "not_loaded"


async def test_the_issue_and_its_fix_flow_read_as_documented(
    hass: HomeAssistant, approved_film: MockConfigEntry, snapshot: SnapshotAssertion
) -> None:
    check_stuck_in(approved_film, 6.5)
    raised = issue(hass)
    assert raised is not None
    shown = {
        field: getattr(raised, field)
        for field in (
            "translation_key",
            "translation_placeholders",
            "severity",
            "is_fixable",
            "data",
        )
    }
    assert shown == snapshot(name="issue", exclude=props("since"))
    flows = fix_flows(hass)
    menu = await flows.async_init(DOMAIN, data={"issue_id": ISSUE_ID})
    assert menu == snapshot(
        name="fix_flow", exclude=props("flow_id", "since", "data_schema")
    )


async def test_an_issue_from_before_a_reload_goes_once_the_request_has_moved(
    hass: HomeAssistant, approved_film: MockConfigEntry, post_webhook: PostWebhook
) -> None:
    check_stuck_in(approved_film, 7)
    assert await hass.config_entries.async_reload(approved_film.entry_id)
    await post_webhook("radarr", payload("radarr_grab"))
    approved_film.runtime_data.issues.async_check_stuck()
    assert issue(hass) is None


async def test_removing_the_entry_removes_its_issues(
    hass: HomeAssistant, approved_film: MockConfigEntry
) -> None:
    check_stuck_in(approved_film, 7)
    await hass.config_entries.async_remove(approved_film.entry_id)
    assert issue(hass) is None
