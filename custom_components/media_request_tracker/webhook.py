"""Webhook endpoints, one per source.

Status codes are part of the public interface: 200 for anything accepted or
deliberately ignored, 400 for a body that is not JSON, 422 for JSON that is
not a payload of the source, 413 for a body over 1 MiB, 415 for a compressed
body, 405 for anything but POST. A rejected payload logs one line, never a
traceback, and changes nothing.

The webhooks are registered with ``local_only=False``: which senders are
local is decided by ``local_senders``, which does not log the webhook id.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from http import HTTPStatus
import json
from typing import Any

from aiohttp import web
from aiohttp.hdrs import CONTENT_ENCODING, METH_POST
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestPayloadError
from homeassistant.components import webhook
from homeassistant.const import CONTENT_TYPE_JSON
from homeassistant.core import HomeAssistant
from homeassistant.helpers.json import json_bytes
from homeassistant.helpers.network import NoURLAvailableError
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
from .core.events import TrackerEvent, with_instance
from .core.model import Source
from .core.parsers import (
    Parser,
    PayloadError,
    parse_jellyfin,
    parse_jellyseerr,
    parse_radarr,
    parse_sonarr,
)
from .hub import RequestHub
from .instances import ArrInstance, arr_instances, unclaimed_apps
from .local_senders import LocalOnlyGuard, async_local_only_guard, sender_network
from .runtime_data import MediaRequestTrackerConfigEntry
from .store import StorageError

PARSERS: dict[Source, Parser] = {
    Source.JELLYSEERR: parse_jellyseerr,
    Source.RADARR: parse_radarr,
    Source.SONARR: parse_sonarr,
    Source.JELLYFIN: parse_jellyfin,
}
# The four senders, each with a webhook of the entry's.
WEBHOOK_SOURCES: tuple[Source, ...] = tuple(PARSERS)

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


def entry_webhook_urls(
    hass: HomeAssistant, entry: MediaRequestTrackerConfigEntry
) -> dict[str, str]:
    """Return the entry's webhook URLs, and a line per Radarr and Sonarr (``arr_webhook_urls``).

    The lines name each instance, and the app of an entry webhook that no
    instance has (an app set up without an API key).
    """
    webhook_ids: dict[str, str] = entry.data[CONF_WEBHOOK_IDS]
    lines = [
        f"- {instance.name}: {webhook_url(hass, instance.webhook_id)}"
        for instance in arr_instances(entry)
    ] + [
        f"- {app.title()}: {webhook_url(hass, webhook_ids[app.value])}"
        for app in unclaimed_apps(entry)
    ]
    return webhook_urls(hass, webhook_ids) | {"arr_webhook_urls": "\n".join(lines)}


def async_register_webhooks(
    hass: HomeAssistant, entry: MediaRequestTrackerConfigEntry
) -> None:
    """Register the entry's webhooks and each instance's; unregister them on unload.

    An instance that shares the entry's webhook for its app (made by the
    ``arr`` step, or migrated) names the events that webhook receives.
    """
    local_only = not entry.options.get(
        CONF_ALLOW_EXTERNAL_WEBHOOKS, DEFAULT_ALLOW_EXTERNAL_WEBHOOKS
    )
    guard = async_local_only_guard(hass, entry, local_only=local_only)
    hub = entry.runtime_data.hub
    enrich = entry.runtime_data.enrichment.async_enrich
    instances = {instance.webhook_id: instance for instance in arr_instances(entry)}
    senders: dict[str, tuple[Source, ArrInstance | None]] = {
        webhook_id: (Source(source), instances.get(webhook_id))
        for source, webhook_id in entry.data[CONF_WEBHOOK_IDS].items()
    } | {
        webhook_id: (instance.source, instance)
        for webhook_id, instance in instances.items()
    }
    # An app without an instance names its events by the app, as in 0.2.
    unclaimed = {app: app.value for app in unclaimed_apps(entry)}
    for webhook_id, (sender, instance) in senders.items():
        webhook.async_register(
            hass,
            DOMAIN,
            f"{entry.title} {instance.name if instance else sender.title()}",
            webhook_id,
            _make_handler(
                hub,
                sender,
                guard,
                enrich if sender is Source.JELLYFIN else None,
                instance=instance.instance_id if instance else unclaimed.get(sender),
                is_4k=instance.is_4k if instance else False,
            ),
            # Checked by the handler, which does not log the webhook id.
            local_only=False,
            allowed_methods=_ALL_METHODS,
        )
        entry.async_on_unload(partial(webhook.async_unregister, hass, webhook_id))


def _make_handler(
    hub: RequestHub,
    source: Source,
    guard: LocalOnlyGuard | None,
    enrich: Callable[[TrackerEvent], Awaitable[TrackerEvent]] | None,
    *,
    instance: str | None = None,
    is_4k: bool = False,
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
            event = with_instance(parser(payload), instance, is_4k=is_4k)
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
