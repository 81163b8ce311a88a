"""Listens to Shoko Server for the whole life of the config entry.

Shoko reports each file as it is detected, hashed, matched or deleted. The
listener hands every event to the tracker in order, and tells the Jellyfin
verifier to look as soon as a file is matched.
"""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_send

from .clients.shoko import ShokoClient, ShokoError
from .clients.signalr import SignalRAuthError, SignalRClient
from .const import LOGGER, REAUTH_SERVICE, signal_connection_changed
from .core.parsers import V5_FEEDS, V6_FEEDS, PayloadError, parse_shoko
from .hub import RequestHub
from .models import MediaRequestTrackerConfigEntry

DEFAULT_MAJOR_VERSION = 5
# Shoko pings every 15 s and drops a client silent for 60 s.
SIGNALR_TIMING: dict[str, Any] = {
    "keepalive": 15.0,
    "server_timeout": 30.0,
    "handshake_timeout": 15.0,
    "backoff": (0, 2, 5, 10, 30, 60),
}


class ShokoListener:
    """Keeps the SignalR connection and feeds its events to the hub."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: MediaRequestTrackerConfigEntry,
        client: ShokoClient,
        hub: RequestHub,
    ) -> None:
        """Prepare; ``async_run`` connects."""
        self._hass = hass
        self._entry = entry
        self._client = client
        self._hub = hub
        self._was_connected: bool | None = None
        self.signalr: SignalRClient | None = None

    @property
    def connected(self) -> bool:
        """Whether the hub connection is up now."""
        return self.signalr is not None and self.signalr.connected

    async def async_run(self) -> None:
        """Connect, then listen until the entry unloads (the task is cancelled)."""
        try:
            major = await self._client.async_get_major_version()
        except ShokoError as err:
            LOGGER.info(
                "Cannot read the Shoko Server version (%s); assuming %s",
                err,
                DEFAULT_MAJOR_VERSION,
            )
            major = DEFAULT_MAJOR_VERSION
        feeds = V5_FEEDS if major < 6 else V6_FEEDS
        headers = {"apikey": self._client.api_key} if self._client.api_key else {}
        self.signalr = SignalRClient(
            self._client.session,
            f"{self._client.url}/signalr/aggregate?feeds={feeds}",
            headers=headers,
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
        """Log once when the connection is lost and once when it is back."""
        if connected and self._was_connected is False:
            LOGGER.info("Shoko Server connection is back")
        elif not connected and self._was_connected:
            LOGGER.warning(
                "Lost the connection to Shoko Server; reconnecting in the background"
            )
        self._was_connected = connected
        async_dispatcher_send(
            self._hass, signal_connection_changed(self._entry.entry_id, "shoko")
        )
