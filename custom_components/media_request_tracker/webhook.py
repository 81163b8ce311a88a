"""Webhook endpoints, one per source.

Status codes are part of the public interface: 200 for anything accepted or
deliberately ignored, 400 for a body that is not JSON, 422 for JSON that is
not a payload of the source, 413 for a body over 1 MiB, 415 for a compressed
body, 405 for anything but POST. A rejected payload logs one line, never a
traceback, and changes nothing.

The webhooks are registered with ``local_only=False``, and the rule Home
Assistant's ``local_only`` applies is applied here instead: Home Assistant
would drop a sender it does not count as local with a silent 200 and log the
webhook id (a secret) on every call, so that a sender on a Tailscale address
looks registered while every event is lost. Here the sender gets the same
answer, and the user a repair issue that names the service and the sender's
kind of address.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import StrEnum
from functools import partial
from http import HTTPStatus
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network
import json
from typing import Any

from aiohttp import web
from aiohttp.hdrs import CONTENT_ENCODING, METH_POST
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestPayloadError
from homeassistant.components import webhook
from homeassistant.const import CONTENT_TYPE_JSON
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.json import json_bytes
from homeassistant.helpers.network import NoURLAvailableError, is_cloud_connection
from homeassistant.util import network as network_util
from homeassistant.util.aiohttp import MockRequest
from homeassistant.util.json import json_loads

from .const import (
    CONF_ALLOW_EXTERNAL_WEBHOOKS,
    CONF_WEBHOOK_IDS,
    DEFAULT_ALLOW_EXTERNAL_WEBHOOKS,
    DOMAIN,
    LOGGER,
    MAX_WEBHOOK_BODY,
)
from .core.events import TrackerEvent
from .core.parsers import (
    Parser,
    PayloadError,
    parse_jellyfin,
    parse_jellyseerr,
    parse_radarr,
    parse_sonarr,
)
from .hub import RequestHub
from .models import MediaRequestTrackerConfigEntry
from .store import StorageError


class WebhookSource(StrEnum):
    """The four senders, each with its own webhook."""

    JELLYSEERR = "jellyseerr"
    RADARR = "radarr"
    SONARR = "sonarr"
    JELLYFIN = "jellyfin"


PARSERS: dict[WebhookSource, Parser] = {
    WebhookSource.JELLYSEERR: parse_jellyseerr,
    WebhookSource.RADARR: parse_radarr,
    WebhookSource.SONARR: parse_sonarr,
    WebhookSource.JELLYFIN: parse_jellyfin,
}

# HA answers a method it was not told about with a log line naming the webhook
# id, which is a secret; so every method HA supports reaches us and we answer 405.
_ALL_METHODS = ("GET", "HEAD", METH_POST, "PUT")

type WebhookHandler = Callable[
    [HomeAssistant, str, web.Request], Awaitable[web.Response]
]


def webhook_url(hass: HomeAssistant, webhook_id: str) -> str:
    """Full URL of a webhook; only its path when Home Assistant has no URL."""
    try:
        return webhook.async_generate_url(
            hass, webhook_id, allow_ip=True, prefer_external=False
        )
    except NoURLAvailableError:
        return webhook.async_generate_path(webhook_id)


def webhook_urls(hass: HomeAssistant, webhook_ids: dict[str, str]) -> dict[str, str]:
    """Full URLs to paste into each service, keyed as the placeholders are."""
    return {
        f"{source}_webhook_url": webhook_url(hass, webhook_id)
        for source, webhook_id in webhook_ids.items()
    }


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


class _LocalOnlyGuard:
    """Refuses senders that are not local, and tells the user once per service."""

    def __init__(
        self, hass: HomeAssistant, entry: MediaRequestTrackerConfigEntry
    ) -> None:
        self._hass = hass
        self._entry = entry
        self._raised: set[tuple[WebhookSource, SenderNetwork]] = set()

    def refuse(self, source: WebhookSource, network: SenderNetwork) -> None:
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


def async_register_webhooks(
    hass: HomeAssistant, entry: MediaRequestTrackerConfigEntry
) -> None:
    """Register the four webhooks and unregister them on unload."""
    local_only = not entry.options.get(
        CONF_ALLOW_EXTERNAL_WEBHOOKS, DEFAULT_ALLOW_EXTERNAL_WEBHOOKS
    )
    # Raised before this set-up: the option may be on now, or the sender moved.
    prefix = _not_local_issue_prefix(entry.entry_id)
    for domain, issue_id in list(ir.async_get(hass).issues):
        if domain == DOMAIN and issue_id.startswith(prefix):
            ir.async_delete_issue(hass, DOMAIN, issue_id)
    guard = _LocalOnlyGuard(hass, entry) if local_only else None
    hub = entry.runtime_data.hub
    enrichment = entry.runtime_data.enrichment
    for source, webhook_id in entry.data[CONF_WEBHOOK_IDS].items():
        sender = WebhookSource(source)
        webhook.async_register(
            hass,
            DOMAIN,
            f"{entry.title} {sender.title()}",
            webhook_id,
            _make_handler(
                hub,
                sender,
                guard,
                enrichment.async_enrich if sender is WebhookSource.JELLYFIN else None,
            ),
            # Checked by the handler, which does not log the webhook id.
            local_only=False,
            allowed_methods=_ALL_METHODS,
        )
        entry.async_on_unload(partial(webhook.async_unregister, hass, webhook_id))


def _make_handler(
    hub: RequestHub,
    source: WebhookSource,
    guard: _LocalOnlyGuard | None,
    enrich: Callable[[TrackerEvent], Awaitable[TrackerEvent]] | None,
) -> WebhookHandler:
    parser = PARSERS[source]

    async def handle(
        hass: HomeAssistant, webhook_id: str, request: web.Request
    ) -> web.Response:
        if request.method != METH_POST:
            return _reply(
                HTTPStatus.METHOD_NOT_ALLOWED,
                "only POST is accepted",
                {"Allow": METH_POST},
            )
        if guard is not None and (network := sender_network(hass, request)):
            guard.refuse(source, network)
            # What Home Assistant answers a sender it does not count as local.
            return await _answer_unread(request, web.Response(status=HTTPStatus.OK))
        encoding = request.headers.get(CONTENT_ENCODING, "identity").strip().lower()
        if encoding not in ("", "identity"):
            # aiohttp inflates a compressed body as it arrives, with no bound
            # before aiohttp 3.13.3: it is refused before any of it is read.
            LOGGER.warning(
                "Rejected a %s webhook: its body is compressed, which no sender does",
                source.value,
            )
            return await _answer_unread(
                request,
                _reply(
                    HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                    "compressed bodies are not accepted",
                    {"Accept-Encoding": "identity"},
                ),
            )
        if (
            request.content_length is not None
            and request.content_length > MAX_WEBHOOK_BODY
        ):
            return await _answer_unread(request, _too_large())
        try:
            body = await _read_body(request)
        except (RequestPayloadError, HttpProcessingError, ConnectionError) as err:
            LOGGER.warning(
                "Rejected a %s webhook: its body cannot be read (%s)",
                source.value,
                type(err).__name__,
            )
            return await _answer_unread(
                request, _reply(HTTPStatus.BAD_REQUEST, "body cannot be read")
            )
        if body is None:
            return _too_large()
        try:
            payload = _parse_json(body)
        except ValueError:
            LOGGER.warning("Rejected a %s webhook: the body is not JSON", source.value)
            return _reply(HTTPStatus.BAD_REQUEST, "body is not JSON")
        try:
            event = parser(payload)
        except PayloadError as err:
            LOGGER.warning("Rejected a %s webhook: %s", source.value, err)
            return _reply(
                HTTPStatus.UNPROCESSABLE_ENTITY, f"not a {source.value} payload: {err}"
            )
        try:
            if enrich is not None:
                event = await enrich(event)
            outcome = await hub.async_handle(event, strict=True)
        except StorageError:
            # The hub has logged it; the sender may send again.
            return _reply(
                HTTPStatus.SERVICE_UNAVAILABLE, "the change could not be stored"
            )
        except Exception:  # noqa: BLE001 - logged here, without the id
            # Left to Home Assistant, this would be logged with the webhook id
            # (a secret) and answered 200 as if it had worked.
            LOGGER.exception("Failed to handle a %s webhook", source.value)
            return _reply(HTTPStatus.SERVICE_UNAVAILABLE, "internal error")
        if outcome.ignored:
            LOGGER.debug("Ignored a %s webhook: %s", source.value, outcome.ignored)
            return _reply(HTTPStatus.OK, "ignored", result="ignored")
        return _reply(HTTPStatus.OK, "accepted", result="accepted")

    return handle


def _too_large() -> web.Response:
    return _reply(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "body is larger than 1 MiB")


async def _answer_unread(
    request: web.Request | MockRequest, response: web.Response
) -> web.Response:
    """Send an answer given before the body was read, then close the connection.

    Left open, aiohttp would read the rest of the body to reuse the
    connection: inflating a compressed one (400 MB from 400 kB) and logging a
    traceback for one that is not valid.
    """
    if not isinstance(request, web.BaseRequest):
        return response
    response.force_close()
    try:
        await response.prepare(request)
        await response.write_eof()
    except ConnectionError:
        pass  # the sender is gone; there is no one to answer
    request.protocol.force_close()
    return response


def _parse_json(body: bytes) -> Any:
    r"""Read JSON, also with lone surrogates (``"\ud800"``), which orjson refuses.

    JSON allows them as escapes, and JavaScript's ``JSON.stringify`` writes
    them for a string cut inside an emoji; the parsers replace them.
    """
    try:
        return json_loads(body)
    except ValueError as err:
        if "surrogate" not in str(err):
            raise
    try:
        return json.loads(body.decode(), parse_constant=_refuse_constant)
    except RecursionError as err:
        raise ValueError("nested too deeply") from err


def _refuse_constant(name: str) -> Any:
    """Refuse NaN and Infinity, as orjson does."""
    raise ValueError(f"{name} is not JSON")


async def _read_body(request: web.Request) -> bytes | None:
    """Read at most 1 MiB; None when the sender sends more."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > MAX_WEBHOOK_BODY:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _reply(
    status: HTTPStatus,
    message: str,
    headers: dict[str, str] | None = None,
    *,
    result: str = "error",
) -> web.Response:
    return web.Response(
        body=json_bytes({"result": result, "message": message}),
        status=status,
        headers=headers,
        content_type=CONTENT_TYPE_JSON,
    )
