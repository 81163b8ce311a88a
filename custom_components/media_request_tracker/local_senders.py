"""Senders that Home Assistant would not count as local, told apart and reported.

The webhooks are registered with ``local_only=False``, and the rule Home
Assistant's ``local_only`` applies is applied here instead: Home Assistant
would drop a sender it does not count as local with a silent 200 and log the
webhook id (a secret) on every call, so that a sender on a Tailscale address
looks registered while every event is lost. Here the sender gets the same
answer, and the user a repair issue that names the service and the sender's
kind of address.
"""

from __future__ import annotations

from enum import StrEnum
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network

from aiohttp import web
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.network import is_cloud_connection
from homeassistant.util import network as network_util
from homeassistant.util.aiohttp import MockRequest

from .const import DOMAIN, LOGGER
from .core.model import Source


class SenderNetwork(StrEnum):
    """Kinds of address Home Assistant does not count as local; repair issue keys."""

    CGNAT = "cgnat"
    UNIQUE_LOCAL = "unique_local"
    PUBLIC = "public"
    CLOUD = "cloud"
    OTHER = "other"


# Words for the log line; the repair issue has its own, translated.
_NETWORK_WORDS = {
    SenderNetwork.CGNAT: "a carrier-grade NAT address (100.64.0.0/10, as Tailscale uses)",
    SenderNetwork.UNIQUE_LOCAL: "a unique-local IPv6 address outside fd00::/8",
    SenderNetwork.PUBLIC: "a public address",
    SenderNetwork.CLOUD: "Home Assistant Cloud remote access",
    SenderNetwork.OTHER: "a special-purpose or unreadable address",
}
_CGNAT = ip_network("100.64.0.0/10")
_UNIQUE_LOCAL = ip_network("fc00::/7")


def sender_network(
    hass: HomeAssistant, request: web.Request | MockRequest
) -> SenderNetwork | None:
    """Return why Home Assistant's ``local_only`` would refuse the sender, or None.

    The same rule as ``homeassistant.components.webhook`` (2025.4 to 2026.2):
    requests relayed by Home Assistant Cloud's webhooks (``MockRequest``) are
    not checked, a request through Cloud remote access is not local, and any
    other is local by ``homeassistant.util.network.is_local`` of its remote
    address (which the HTTP integration has already taken from
    ``X-Forwarded-For`` when a trusted proxy sent it).
    """
    if isinstance(request, MockRequest):
        return None
    if is_cloud_connection(hass):
        return SenderNetwork.CLOUD
    try:
        address = ip_address(request.remote or "")
    except ValueError:
        return SenderNetwork.OTHER
    if network_util.is_local(address):
        return None
    return _classify(address)


def _classify(address: IPv4Address | IPv6Address) -> SenderNetwork:
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        return _classify(address.ipv4_mapped)
    if address in _CGNAT:
        return SenderNetwork.CGNAT
    if address in _UNIQUE_LOCAL:
        return SenderNetwork.UNIQUE_LOCAL
    if address.is_global:
        return SenderNetwork.PUBLIC
    return SenderNetwork.OTHER


def _not_local_issue_prefix(entry_id: str) -> str:
    return f"webhook_not_local_{entry_id}_"


class LocalOnlyGuard:
    """Refuses senders that are not local, and tells the user once per service."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry) -> None:
        """Refuse for one entry; nothing raised yet."""
        self._hass = hass
        self._entry = entry
        self._raised: set[tuple[Source, SenderNetwork]] = set()

    def refuse(self, source: Source, network: SenderNetwork) -> None:
        """Raise the repair issue and log one line, the first time only."""
        if (source, network) in self._raised:
            LOGGER.debug("Refused another %s webhook from %s", source.value, network)
            return
        self._raised.add((source, network))
        LOGGER.warning(
            "Refused a %s webhook from %s: only senders on the local network are "
            "accepted; see the repair issue",
            source.value,
            _NETWORK_WORDS[network],
        )
        ir.async_create_issue(
            self._hass,
            DOMAIN,
            _not_local_issue_prefix(self._entry.entry_id) + source.value,
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=f"webhook_not_local_{network.value}",
            translation_placeholders={
                "service": source.title(),
                "title": self._entry.title,
            },
        )


def async_local_only_guard(
    hass: HomeAssistant, entry: ConfigEntry, *, local_only: bool
) -> LocalOnlyGuard | None:
    """Start a set-up afresh, and return the guard its webhooks need, if any.

    Issues raised before go: the option may be on now, or the sender moved.
    """
    prefix = _not_local_issue_prefix(entry.entry_id)
    for domain, issue_id in list(ir.async_get(hass).issues):
        if domain == DOMAIN and issue_id.startswith(prefix):
            ir.async_delete_issue(hass, DOMAIN, issue_id)
    return LocalOnlyGuard(hass, entry) if local_only else None
