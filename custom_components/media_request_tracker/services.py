"""Actions: mark_available, recheck, remove and get_requests.

Approve and decline, which answer Jellyseerr, are in ``request_actions``.
"""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv, entity_registry as er
from homeassistant.util.json import JsonValueType
import voluptuous as vol

from .attributes import request_attributes
from .const import DOMAIN
from .core.model import Stage
from .runtime_data import MediaRequestTrackerConfigEntry

SERVICE_MARK_AVAILABLE = "mark_available"
SERVICE_RECHECK = "recheck"
SERVICE_REMOVE = "remove"
SERVICE_GET_REQUESTS = "get_requests"
ATTR_STATE = "state"

_TARGET_SCHEMA = vol.Schema(
    {vol.Required(ATTR_ENTITY_ID): cv.entity_ids}, extra=vol.ALLOW_EXTRA
)
_OPTIONAL_TARGET_SCHEMA = vol.Schema(
    {vol.Optional(ATTR_ENTITY_ID): cv.entity_ids}, extra=vol.ALLOW_EXTRA
)
_GET_SCHEMA = vol.Schema(
    {
        vol.Optional(ATTR_STATE): vol.All(
            cv.ensure_list, [vol.In([stage.value for stage in Stage])]
        )
    }
)


def async_setup_services(hass: HomeAssistant) -> None:
    """Register the actions once, for every entry."""

    async def mark_available(call: ServiceCall) -> None:
        for entry, request_id in targets(hass, call.data[ATTR_ENTITY_ID]):
            await entry.runtime_data.hub.async_mark_available(
                request_id, "marked available by hand"
            )

    async def recheck(call: ServiceCall) -> None:
        entries = (
            {
                entry.entry_id: entry
                for entry, _ in targets(hass, call.data[ATTR_ENTITY_ID])
            }.values()
            if ATTR_ENTITY_ID in call.data
            else _loaded_entries(hass)
        )
        for entry in entries:
            await entry.runtime_data.verifier.async_refresh()

    async def remove(call: ServiceCall) -> None:
        entries = {}
        for entry, request_id in targets(hass, call.data[ATTR_ENTITY_ID]):
            entry.runtime_data.hub.remove_request(request_id)
            entries[entry.entry_id] = entry
        for entry in entries.values():
            await entry.runtime_data.hub.async_persist()

    async def get_requests(call: ServiceCall) -> ServiceResponse:
        wanted = set(call.data.get(ATTR_STATE, []))
        requests: list[JsonValueType] = []
        for entry in _loaded_entries(hass):
            hub = entry.runtime_data.hub
            for request in hub.requests():
                if wanted and request.stage.value not in wanted:
                    continue
                requests.append(
                    {
                        "entry_id": entry.entry_id,
                        "entity_id": hub.entity_id(request.request_id),
                        "state": request.stage.value,
                        **request_attributes(
                            request, entry.runtime_data.instance_names
                        ),
                    }
                )
        return {"requests": requests}

    hass.services.async_register(
        DOMAIN, SERVICE_MARK_AVAILABLE, mark_available, schema=_TARGET_SCHEMA
    )
    hass.services.async_register(
        DOMAIN, SERVICE_RECHECK, recheck, schema=_OPTIONAL_TARGET_SCHEMA
    )
    hass.services.async_register(DOMAIN, SERVICE_REMOVE, remove, schema=_TARGET_SCHEMA)
    hass.services.async_register(
        DOMAIN,
        SERVICE_GET_REQUESTS,
        get_requests,
        schema=_GET_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )


def _loaded_entries(hass: HomeAssistant) -> list[MediaRequestTrackerConfigEntry]:
    return [
        entry
        for entry in hass.config_entries.async_entries(DOMAIN)
        if entry.state is ConfigEntryState.LOADED
    ]


def targets(
    hass: HomeAssistant, entity_ids: list[str]
) -> list[tuple[MediaRequestTrackerConfigEntry, str]]:
    """Resolve request entities to (entry, request id), refusing anything else."""
    registry = er.async_get(hass)
    resolved = []
    for entity_id in entity_ids:
        registered = registry.async_get(entity_id)
        entry = (
            hass.config_entries.async_get_entry(registered.config_entry_id)
            if registered and registered.config_entry_id
            else None
        )
        if registered is None or registered.platform != DOMAIN or entry is None:
            raise refused("not_a_request", entity_id)
        if entry.state is not ConfigEntryState.LOADED:
            raise refused("not_loaded", entity_id)
        request_id = registered.unique_id.removeprefix(f"{entry.entry_id}_")
        typed: MediaRequestTrackerConfigEntry = entry
        if typed.runtime_data.hub.request(request_id) is None:
            raise refused("not_a_request", entity_id)
        resolved.append((typed, request_id))
    return resolved


def refused(translation_key: str, entity_id: str) -> ServiceValidationError:
    """Build the translated refusal of one action target."""
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=translation_key,
        translation_placeholders={"entity_id": entity_id},
    )
