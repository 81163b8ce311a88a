"""Webhook senders on and off the local network, as Home Assistant sees them.

The test client always connects over loopback. Once Home Assistant trusts
loopback as a reverse proxy, an ``X-Forwarded-For`` header makes a request come
from any address, as it does behind a real proxy. So the local-only rule is
tested by what a sender gets, not by how a webhook was registered.
"""

from __future__ import annotations

from aiohttp import ClientResponse
from homeassistant.const import CONTENT_TYPE_JSON
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component

# TEST-NET-3 (RFC 5737): an address that is never on the local network.
# Only a header value; nothing is sent there.
FROM_ELSEWHERE = {"X-Forwarded-For": "203.0.113.7"}

# The payloads each sender posts when its user presses "Test".
TEST_PAYLOADS = {
    "jellyseerr": "jellyseerr_test",
    "radarr": "radarr_test",
    "sonarr": "sonarr_test",
    "jellyfin": "jellyfin_playback_start",
}


async def async_trust_loopback_proxy(hass: HomeAssistant) -> None:
    """Set up Home Assistant's HTTP server behind a proxy on loopback."""
    assert await async_setup_component(
        hass,
        "http",
        {"http": {"use_x_forwarded_for": True, "trusted_proxies": ["127.0.0.1"]}},
    )


async def delivered(response: ClientResponse) -> bool:
    """Whether the payload reached the tracker (accepted or deliberately ignored)."""
    if response.content_type != CONTENT_TYPE_JSON:
        return False  # Home Assistant's own empty answer to a refused sender
    answer = await response.json()
    return answer.get("result") in ("accepted", "ignored")
