"""Listens to Shoko Server for the whole life of the config entry.

Shoko reports each file as it is detected, hashed, matched or deleted. The
listener hands every event to the tracker in order, and tells the Jellyfin
verifier to look as soon as a file is matched.

It asks for the v5 and the v6 feeds at once (each hub ignores the names it
does not know), so it needs no version read that could fail or go stale when
Shoko is upgraded; the key goes on every attempt, and v5's hub ignores it.
"""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_send

from .clients.shoko import ShokoClient
from .clients.signalr import SignalRAuthError, SignalRClient
from .const import LOGGER, REAUTH_SERVICE, signal_connection_changed
from .core.parsers import V5_FEEDS, V6_FEEDS, PayloadError, parse_shoko
from .hub import RequestHub

FEEDS = f"{V5_FEEDS},{V6_FEEDS}"
# Shoko pings every 15 s and drops a client silent for 60 s. The backoff
# starts over only after a connection has lasted a minute.
SIGNALR_TIMING: dict[str, Any] = {
    "keepalive": 15.0,
    "server_timeout": 30.0,
    "connect_timeout": 15.0,
    "handshake_timeout": 15.0,
    "backoff": (1, 2, 5, 10, 30, 60),
    "stable_after": 60.0,
}


class ShokoListener:
    """Keeps the SignalR connection and feeds its events to the hub."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        client: ShokoClient,
        hub: RequestHub,
    ) -> None:
        """Prepare; ``async_run`` connects."""
        self._hass = hass
        self._entry = entry
        self._client = client
        self._hub = hub
        self.signalr: SignalRClient | None = None

    @property
    def connected(self) -> bool:
        """Whether the hub connection is up now."""
        return self.signalr is not None and self.signalr.connected

    async def async_run(self) -> None:
        """Connect, then listen until the entry unloads (the task is cancelled).

        The SignalR client retries every failure but a refused key, which
        ends the task with a reauth flow.
        """
        self.signalr = SignalRClient(
            self._client.session,
            f"{self._client.url}/signalr/aggregate?feeds={FEEDS}",
            name="Shoko Server",
            access_token=self._client.api_key,
            on_event=self._async_on_event,
            on_state=self._on_state,
            **SIGNALR_TIMING,
        )
        try:
            await self.signalr.run_forever()
        except SignalRAuthError:
            LOGGER.warning(
                "Shoko Server refused the API key; re-authenticate the integration"
            )
            # Named, so the reauth flow asks for Shoko's credentials (config_flow).
            self._entry.async_start_reauth(self._hass, data={REAUTH_SERVICE: "shoko"})

    async def _async_on_event(self, target: str, arguments: list[Any]) -> None:
        try:
            event = parse_shoko(target, arguments)
        except PayloadError as err:
            LOGGER.warning("Ignored a Shoko event %s: %s", target, err)
            return
        await self._hub.async_handle(event)

    @callback
    def _on_state(self, connected: bool) -> None:
        """Update the connection sensor (the SignalR client logs the outage)."""
        async_dispatcher_send(
            self._hass, signal_connection_changed(self._entry.entry_id, "shoko")
        )
