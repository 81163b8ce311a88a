"""Webhook endpoints, one per source.

Status codes are part of the public interface: 200 for anything accepted or
deliberately ignored, 400 for a body that is not JSON, 422 for JSON that is
not a payload of the source, 413 for a body over 1 MiB, 405 for anything but
POST. A rejected payload logs one line, never a traceback, and changes nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import StrEnum
from functools import partial
from http import HTTPStatus

from aiohttp import web
from aiohttp.hdrs import METH_POST
from homeassistant.components import webhook
from homeassistant.const import CONTENT_TYPE_JSON
from homeassistant.core import HomeAssistant
from homeassistant.helpers.json import json_bytes
from homeassistant.helpers.network import NoURLAvailableError
from homeassistant.util.json import json_loads

from .const import (
    CONF_ALLOW_EXTERNAL_WEBHOOKS,
    CONF_WEBHOOK_IDS,
    DEFAULT_ALLOW_EXTERNAL_WEBHOOKS,
    DOMAIN,
    LOGGER,
    MAX_WEBHOOK_BODY,
)
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


def async_register_webhooks(
    hass: HomeAssistant, entry: MediaRequestTrackerConfigEntry
) -> None:
    """Register the four webhooks and unregister them on unload."""
    local_only = not entry.options.get(
        CONF_ALLOW_EXTERNAL_WEBHOOKS, DEFAULT_ALLOW_EXTERNAL_WEBHOOKS
    )
    hub = entry.runtime_data.hub
    for source, webhook_id in entry.data[CONF_WEBHOOK_IDS].items():
        sender = WebhookSource(source)
        webhook.async_register(
            hass,
            DOMAIN,
            f"{entry.title} {sender.title()}",
            webhook_id,
            _make_handler(hub, sender),
            local_only=local_only,
            allowed_methods=_ALL_METHODS,
        )
        entry.async_on_unload(partial(webhook.async_unregister, hass, webhook_id))


def _make_handler(hub: RequestHub, source: WebhookSource) -> WebhookHandler:
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
        body = await _read_body(request)
        if body is None:
            return _reply(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "body is larger than 1 MiB"
            )
        try:
            payload = json_loads(body)
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


async def _read_body(request: web.Request) -> bytes | None:
    """Read at most 1 MiB; None when the sender offers more."""
    if request.content_length is not None and request.content_length > MAX_WEBHOOK_BODY:
        return None
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
