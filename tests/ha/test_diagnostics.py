"""Diagnostics carry settings, connections and timelines, and no secret."""

from __future__ import annotations

import json
import socket

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from custom_components.media_request_tracker.diagnostics import (
    async_get_config_entry_diagnostics,
)
from tests.fakes.jellyfin import FakeJellyfin
from tests.payloads import payload

from .conftest import (
    VOLATILE,
    WEBHOOK_IDS,
    PostWebhook,
    set_up,
    tracker_entry,
    wait_until,
)


async def test_diagnostics_redact_every_secret(
    hass: HomeAssistant, post_webhook: PostWebhook, setup_integration: MockConfigEntry
) -> None:
    await post_webhook("jellyseerr", payload("jellyseerr_movie_auto_approved"))
    diagnostics = await async_get_config_entry_diagnostics(hass, setup_integration)
    text = json.dumps(diagnostics)
    assert setup_integration.data["jellyfin_api_key"] not in text
    for webhook_id in WEBHOOK_IDS.values():
        assert webhook_id not in text
    assert diagnostics["entry"]["data"]["jellyfin_api_key"] == "**REDACTED**"
    assert diagnostics["entry"]["data"]["jellyfin_url"].startswith("http://127.0.0.1:")
    assert diagnostics["connections"]["qbittorrent"] is None
    assert diagnostics["requests"][0]["timeline"][0]["state"] == "approved"


async def test_diagnostics_hold_settings_connections_storage_and_timelines(
    hass: HomeAssistant,
    post_webhook: PostWebhook,
    setup_integration: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    await post_webhook("jellyseerr", payload("jellyseerr_movie_auto_approved"))
    await post_webhook("radarr", payload("radarr_grab"))
    # The library check each webhook starts has finished.
    await hass.async_block_till_done(wait_background_tasks=True)
    diagnostics = await async_get_config_entry_diagnostics(hass, setup_integration)
    assert diagnostics == snapshot(exclude=props(*VOLATILE, "jellyfin_url"))


def _closed_port() -> int:
    """A loopback port nothing listens on: every service there is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_diagnostics_show_urls_without_user_info_or_query(
    hass: HomeAssistant, fake_jellyfin: FakeJellyfin
) -> None:
    """A proxy's basic auth in a URL (``https://user:pass@host``) stays out."""
    host = f"127.0.0.1:{_closed_port()}"
    url = f"http://proxy-user:proxy-pass@{host}/base?apikey=key-in-query#x"
    entry = await set_up(
        hass,
        tracker_entry(
            fake_jellyfin,
            **{
                f"{service}_{key}": url if key == "url" else f"{service}-key"
                for service in ("jellyseerr", "radarr", "sonarr")
                for key in ("url", "api_key")
            },
            qbittorrent_url=url,
        ),
    )
    registrations = entry.runtime_data.registrations
    # Registration has tried each service, and says why it failed.
    await wait_until(
        lambda: (
            len(registrations) == 3
            and all(
                status.startswith("not registered") for status in registrations.values()
            )
        )
    )
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    text = json.dumps(diagnostics)
    for hidden in ("proxy-user", "proxy-pass", "key-in-query", "apikey"):
        assert hidden not in text
    shown = diagnostics["entry"]["data"]
    for key in ("jellyseerr_url", "qbittorrent_url"):
        assert shown[key] == f"http://{host}/base"
    assert shown["jellyseerr_api_key"] == "**REDACTED**"
    assert [instance["url"] for instance in diagnostics["instances"]] == [
        f"http://{host}/base"
    ] * 2
