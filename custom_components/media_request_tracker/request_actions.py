"""Actions approve and decline: a pending request answered in Jellyseerr.

Jellyseerr moves the request and sends its MEDIA_APPROVED or MEDIA_DECLINED
webhook, which moves the entity as any other change made in Jellyseerr's UI.
Here the user's action is only written to the timeline (``source: user``),
so the stage never runs ahead of what Jellyseerr says.
"""

from __future__ import annotations

from typing import Literal

from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.aiohttp_client import async_get_clientsession
import voluptuous as vol

from .clients.http import ServiceAuthError, ServiceUnavailableError
from .clients.jellyseerr import JellyseerrClient, JellyseerrUnknownRequestError
from .const import CONF_JELLYSEERR_API_KEY, CONF_JELLYSEERR_URL, DOMAIN
from .core.model import Source, Stage
from .runtime_data import MediaRequestTrackerConfigEntry
from .services import refused, targets

SERVICE_APPROVE = "approve"
SERVICE_DECLINE = "decline"
ATTR_REASON = "reason"

_APPROVE_SCHEMA = vol.Schema(
    {vol.Required(ATTR_ENTITY_ID): cv.entity_ids}, extra=vol.ALLOW_EXTRA
)
_DECLINE_SCHEMA = _APPROVE_SCHEMA.extend({vol.Optional(ATTR_REASON): cv.string})


def async_setup_request_actions(hass: HomeAssistant) -> None:
    """Register approve and decline once, for every entry."""

    async def approve(call: ServiceCall) -> None:
        await _answer(hass, call, "approve", "approved from Home Assistant")

    async def decline(call: ServiceCall) -> None:
        detail = "declined from Home Assistant"
        if reason := call.data.get(ATTR_REASON, "").strip():
            detail = f"{detail}: {reason}"
        await _answer(hass, call, "decline", detail)

    hass.services.async_register(
        DOMAIN, SERVICE_APPROVE, approve, schema=_APPROVE_SCHEMA
    )
    hass.services.async_register(
        DOMAIN, SERVICE_DECLINE, decline, schema=_DECLINE_SCHEMA
    )


async def _answer(
    hass: HomeAssistant,
    call: ServiceCall,
    status: Literal["approve", "decline"],
    detail: str,
) -> None:
    """Check every target first, so a bad one changes nothing, then answer each."""
    pending: list[tuple[MediaRequestTrackerConfigEntry, str, int]] = []
    for (entry, request_id), entity_id in zip(
        targets(hass, call.data[ATTR_ENTITY_ID]), call.data[ATTR_ENTITY_ID], strict=True
    ):
        request = entry.runtime_data.hub.request(request_id)
        assert request is not None  # targets() refuses unknown requests
        if request.stage is not Stage.REQUESTED:
            raise refused("not_pending", entity_id)
        if request.origin is not Source.JELLYSEERR or not request_id.isdigit():
            raise refused("not_from_jellyseerr", entity_id)
        if not (
            entry.data.get(CONF_JELLYSEERR_URL)
            and entry.data.get(CONF_JELLYSEERR_API_KEY)
        ):
            raise refused("no_jellyseerr", entity_id)
        pending.append((entry, entity_id, int(request_id)))
    for entry, entity_id, jellyseerr_id in pending:
        client = JellyseerrClient(
            async_get_clientsession(hass),
            entry.data[CONF_JELLYSEERR_URL],
            entry.data[CONF_JELLYSEERR_API_KEY],
        )
        try:
            await client.async_set_request_status(jellyseerr_id, status)
        except ServiceAuthError as err:
            raise refused("jellyseerr_forbidden", entity_id) from err
        except JellyseerrUnknownRequestError as err:
            raise refused("not_in_jellyseerr", entity_id) from err
        except ServiceUnavailableError as err:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="jellyseerr_unreachable",
                translation_placeholders={"entity_id": entity_id, "error": str(err)},
            ) from err
        await entry.runtime_data.hub.async_note(str(jellyseerr_id), detail)
