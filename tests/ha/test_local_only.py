"""Senders Home Assistant does not count as local are refused, and the user is told.

The sender's address reaches the handler as Home Assistant's HTTP
integration sets it: here through a reverse proxy on the same host that
Home Assistant trusts (``use_x_forwarded_for`` with ``trusted_proxies``
127.0.0.1), which sends ``X-Forwarded-For`` with the sender's address. That
is how a Tailscale or public sender reaches a Home Assistant behind Caddy or
nginx, and it is the address Home Assistant's own ``local_only`` rule reads.
"""

from __future__ import annotations

from http import HTTPStatus
import json
import logging
from typing import Any

from aiohttp.test_utils import make_mocked_request
from hass_nabucasa import remote
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util.aiohttp import MockRequest
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.media_request_tracker.const import (
    CONF_ALLOW_EXTERNAL_WEBHOOKS,
    DOMAIN,
)
from custom_components.media_request_tracker.local_senders import (
    SenderNetwork,
    sender_network,
)
from tests.payloads import payload

from .conftest import ENTRY_ID, TRANSLATIONS, WEBHOOK_IDS, set_up, stored_requests


@pytest.fixture
async def behind_a_proxy(hass: HomeAssistant) -> None:
    assert await async_setup_component(
        hass,
        "http",
        {"http": {"use_x_forwarded_for": True, "trusted_proxies": ["127.0.0.1"]}},
    )


@pytest.fixture
def start(hass_client_no_auth, behind_a_proxy: None) -> Any:
    """Set the entry up, then open a client (whose router then freezes)."""

    async def start(hass: HomeAssistant, entry: MockConfigEntry) -> Any:
        await set_up(hass, entry)
        return await hass_client_no_auth()

    return start


async def post_from(client: Any, sender: str, source: str, fixture: str) -> Any:
    return await client.post(
        f"/api/webhook/{WEBHOOK_IDS[source]}",
        json=payload(fixture),
        headers={"X-Forwarded-For": sender},
    )


def _slow_callback(record: logging.LogRecord) -> bool:
    """Debug-mode asyncio's "Executing <Task ...> took 0.1 seconds": the machine's load, not us."""
    return record.name == "asyncio" and record.msg.startswith("Executing ")


def not_local_issue(hass: HomeAssistant, source: str) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(
        DOMAIN, f"webhook_not_local_{ENTRY_ID}_{source}"
    )


@pytest.mark.parametrize(
    ("sender", "network"),
    [
        ("100.64.1.2", "cgnat"),  # Tailscale
        ("fc00::1", "unique_local"),
        ("::ffff:100.100.1.2", "cgnat"),
        ("203.0.113.9", "other"),  # documentation range: not global
        ("8.8.8.8", "public"),  # a header value only: nothing is sent there
    ],
)
async def test_a_sender_that_is_not_local_is_refused_with_a_repair_issue(
    hass: HomeAssistant,
    start: Any,
    config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    sender: str,
    network: str,
) -> None:
    client = await start(hass, config_entry)
    for _ in range(3):
        response = await post_from(client, sender, "radarr", "radarr_grab")
        # What Home Assistant answers a refused sender: the sender learns nothing.
        assert response.status == HTTPStatus.OK
        assert await response.read() == b""
    assert not await stored_requests(hass)

    issue = not_local_issue(hass, "radarr")
    assert issue is not None
    assert issue.translation_key == f"webhook_not_local_{network}"
    assert issue.translation_placeholders == {
        "service": "Radarr",
        "title": "Jellyfin Home",
    }
    # One line for three refusals, naming neither the webhook id nor the address.
    [warning] = [
        r
        for r in caplog.records
        if r.levelno >= logging.WARNING and not _slow_callback(r)
    ]
    assert "Refused a radarr webhook" in warning.getMessage()
    for record in caplog.records:
        assert WEBHOOK_IDS["radarr"] not in record.getMessage() or (
            record.levelno < logging.WARNING
            and not record.name.startswith("custom_components")
        )
        if record.name.startswith("custom_components"):
            assert sender not in record.getMessage()


@pytest.mark.parametrize("sender", ["192.168.1.20", "10.0.0.5", "fd7a:115c:a1e0::1"])
async def test_a_local_sender_is_accepted(
    hass: HomeAssistant, start: Any, config_entry: MockConfigEntry, sender: str
) -> None:
    client = await start(hass, config_entry)
    response = await post_from(
        client, sender, "jellyseerr", "jellyseerr_movie_auto_approved"
    )
    assert response.status == HTTPStatus.OK
    assert (await response.json())["result"] == "accepted"
    assert list(await stored_requests(hass)) == ["42"]
    assert not_local_issue(hass, "jellyseerr") is None


async def test_with_the_option_on_every_sender_is_accepted_and_the_issue_goes(
    hass: HomeAssistant, start: Any, config_entry: MockConfigEntry
) -> None:
    client = await start(hass, config_entry)
    await post_from(client, "100.64.1.2", "jellyseerr", "jellyseerr_tv_pending")
    assert not_local_issue(hass, "jellyseerr") is not None

    hass.config_entries.async_update_entry(
        config_entry, options={CONF_ALLOW_EXTERNAL_WEBHOOKS: True}
    )
    assert await hass.config_entries.async_reload(config_entry.entry_id)
    await hass.async_block_till_done()
    assert not_local_issue(hass, "jellyseerr") is None
    response = await post_from(
        client, "100.64.1.2", "jellyseerr", "jellyseerr_movie_auto_approved"
    )
    assert (await response.json())["result"] == "accepted"
    assert list(await stored_requests(hass)) == ["42"]


async def test_the_issue_goes_on_reload(
    hass: HomeAssistant, start: Any, config_entry: MockConfigEntry
) -> None:
    client = await start(hass, config_entry)
    await post_from(client, "100.64.1.2", "sonarr", "sonarr_grab_season_pack")
    assert not_local_issue(hass, "sonarr") is not None
    assert await hass.config_entries.async_reload(config_entry.entry_id)
    await hass.async_block_till_done()
    assert not_local_issue(hass, "sonarr") is None


def test_every_kind_of_sender_network_has_a_translated_issue() -> None:
    issues = json.loads(TRANSLATIONS.read_text(encoding="utf-8"))["issues"]
    for network in SenderNetwork:
        issue = issues[f"webhook_not_local_{network.value}"]
        assert "{service}" in issue["title"]
        assert "Accept webhooks from outside the local network" in issue["description"]


async def test_requests_relayed_by_cloud_webhooks_are_not_checked(
    hass: HomeAssistant,
) -> None:
    # As Home Assistant's webhook component: a cloudhook arrives as a MockRequest.
    request = MockRequest(b"{}", mock_source="cloud", method="POST")
    assert sender_network(hass, request) is None


async def test_a_request_through_cloud_remote_access_is_not_local(
    hass: HomeAssistant,
) -> None:
    hass.config.components.add("cloud")
    token = remote.is_cloud_request.set(True)
    try:
        request = make_mocked_request("POST", "/").clone(remote="127.0.0.1")
        assert sender_network(hass, request) is SenderNetwork.CLOUD
    finally:
        remote.is_cloud_request.reset(token)


async def test_a_remote_address_that_cannot_be_read_is_not_local(
    hass: HomeAssistant,
) -> None:
    request = make_mocked_request("POST", "/").clone(remote="unix-socket")
    assert sender_network(hass, request) is SenderNetwork.OTHER
