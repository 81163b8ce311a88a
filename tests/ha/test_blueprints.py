"""The blueprints, run as automations in the test Home Assistant.

The new-request blueprint notifies the admins through a fake notify action;
a tap on Approve (a ``mobile_app_notification_action`` event) reaches the
fake Jellyseerr, whose webhook then moves the request.
"""

# ruff: noqa: F811

from __future__ import annotations

from pathlib import Path
import shutil
from typing import Any

from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_mock_service,
)

from tests.fakes.jellyseerr import FakeJellyseerr

from .test_registration import each_jellyseerr_version, entry  # noqa: F401
from .test_request_actions import DUNE, request_dune

BLUEPRINTS = Path(__file__).parents[2] / "blueprints" / "automation"


async def use_blueprint(
    hass: HomeAssistant, tmp_path: Path, name: str, inputs: dict[str, Any]
) -> None:
    """Install a blueprint as Home Assistant does on import, and use it."""
    hass.config.config_dir = str(tmp_path)
    shutil.copytree(BLUEPRINTS, tmp_path / "blueprints" / "automation")
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "use_blueprint": {
                    "path": f"media_request_tracker/{name}.yaml",
                    "input": inputs,
                }
            }
        },
    )
    await hass.async_block_till_done()


def tap(hass: HomeAssistant, sent: ServiceCall, title: str) -> None:
    [button] = [b for b in sent.data["data"]["actions"] if b["title"] == title]
    hass.bus.async_fire("mobile_app_notification_action", {"action": button["action"]})


@each_jellyseerr_version
async def test_a_new_request_notifies_the_admins_and_approve_reaches_jellyseerr(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    jellyseerr: FakeJellyseerr,
    tmp_path: Path,
) -> None:
    sent = async_mock_service(hass, "notify", "mobile_app_dads_phone")
    await use_blueprint(
        hass,
        tmp_path,
        "approve_new_requests",
        {"admins": ["notify.mobile_app_dads_phone"]},
    )
    await request_dune(hass, entry, jellyseerr)
    await hass.async_block_till_done()
    [notification] = sent
    assert notification.data["message"] == "admin asked for Dune: Part Two (2024)"
    assert notification.data["data"]["image"].startswith("https://image.tmdb.org/")
    tap(hass, notification, "Approve")
    await hass.async_block_till_done(wait_background_tasks=True)
    assert ("POST", "/api/v1/request/42/approve") in jellyseerr.calls
    assert hass.states.get(DUNE).state == "approved"


async def test_decline_from_the_notification_declines_with_the_chosen_reason(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    jellyseerr: FakeJellyseerr,
    tmp_path: Path,
) -> None:
    sent = async_mock_service(hass, "notify", "mobile_app_dads_phone")
    await use_blueprint(
        hass,
        tmp_path,
        "approve_new_requests",
        {"admins": ["notify.mobile_app_dads_phone"], "decline_reason": "we own it"},
    )
    await request_dune(hass, entry, jellyseerr)
    await hass.async_block_till_done()
    tap(hass, sent[0], "Decline")
    await hass.async_block_till_done(wait_background_tasks=True)
    assert ("POST", "/api/v1/request/42/decline") in jellyseerr.calls
    state = hass.states.get(DUNE)
    assert state.state == "declined"
    assert state.attributes["timeline"][-1]["detail"] == (
        "declined from Home Assistant: we own it"
    )


async def test_another_apps_notification_action_calls_nothing(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    jellyseerr: FakeJellyseerr,
    tmp_path: Path,
) -> None:
    async_mock_service(hass, "notify", "mobile_app_dads_phone")
    await use_blueprint(
        hass,
        tmp_path,
        "approve_new_requests",
        {"admins": ["notify.mobile_app_dads_phone"]},
    )
    await request_dune(hass, entry, jellyseerr)
    hass.bus.async_fire("mobile_app_notification_action", {"action": "OPEN_GARAGE"})
    await hass.async_block_till_done(wait_background_tasks=True)
    assert not any("/api/v1/request/" in path for _, path in jellyseerr.calls)
    assert hass.states.get(DUNE).state == "requested"


async def test_the_requester_hears_only_the_milestones_switched_on(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    jellyseerr: FakeJellyseerr,
    tmp_path: Path,
) -> None:
    sent = async_mock_service(hass, "notify", "mobile_app_admins_phone")
    await use_blueprint(
        hass,
        tmp_path,
        "notify_requester_when_available",
        {
            "requesters": {"admin": "notify.mobile_app_admins_phone"},
            "on_approved": True,
            "on_available": False,
        },
    )
    await request_dune(hass, entry, jellyseerr)
    await hass.services.async_call(
        "media_request_tracker", "approve", {"entity_id": DUNE}, blocking=True
    )
    await hass.async_block_till_done()
    assert [(c.data["title"], c.data["message"]) for c in sent] == [
        (
            "Request approved",
            "Dune: Part Two (2024) was approved and will be downloaded.",
        )
    ]
    await hass.services.async_call(
        "media_request_tracker", "mark_available", {"entity_id": DUNE}, blocking=True
    )
    await hass.async_block_till_done()
    assert len(sent) == 1


async def test_the_requester_blueprint_with_its_old_inputs_still_tells_only_available(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    jellyseerr: FakeJellyseerr,
    tmp_path: Path,
) -> None:
    sent = async_mock_service(hass, "notify", "notify")
    await use_blueprint(hass, tmp_path, "notify_requester_when_available", {})
    await request_dune(hass, entry, jellyseerr)
    for action in ("approve", "mark_available"):
        await hass.services.async_call(
            "media_request_tracker", action, {"entity_id": DUNE}, blocking=True
        )
        await hass.async_block_till_done()
    assert [(c.data["title"], c.data["message"]) for c in sent] == [
        ("Ready to watch", "Dune: Part Two (2024) is now available.")
    ]


async def test_the_requester_hears_the_download_start_with_the_time_left(
    hass: HomeAssistant, tmp_path: Path
) -> None:
    sent = async_mock_service(hass, "notify", "mobile_app_alices_phone")
    await use_blueprint(
        hass,
        tmp_path,
        "notify_requester_when_available",
        {
            "requesters": {"alice": "notify.mobile_app_alices_phone"},
            "on_downloading": True,
        },
    )
    hass.states.async_set(
        "sensor.jellyfin_home_dune_2021",
        "downloading",
        {"requested_by": "alice", "year": 2021, "eta": 1450},
    )
    hass.bus.async_fire(
        "media_request_tracker_state_changed",
        {
            "entity_id": "sensor.jellyfin_home_dune_2021",
            "title": "Dune",
            "from_state": "indexed",
            "to_state": "downloading",
        },
    )
    await hass.async_block_till_done()
    assert [(c.data["title"], c.data["message"]) for c in sent] == [
        ("Downloading", "Dune (2021) is downloading. About 25 min left.")
    ]
