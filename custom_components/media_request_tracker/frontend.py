"""Ship the dashboard card: serve its file and register it with the dashboards.

Once per Home Assistant, not per entry. The file is served at a fixed path and
registered with a version in its query (``?v=<hash of the file>``): Home
Assistant serves static files with a month-long cache, so a new card only
reaches browsers under a new URL.

- Resources in storage mode (the default): a Lovelace resource of type
  ``module``, which the dashboard loads before it builds its cards. An older
  URL of ours is updated in place, duplicates are removed.
- Resources in YAML mode (the user writes them): ``add_extra_js_url``. The
  frontend loads those modules in parallel with the dashboard, so a card can
  be built before its element is defined. Home Assistant's frontend handles
  this race: it hides the "Custom element doesn't exist" error for two
  seconds and rebuilds the card when ``customElements.whenDefined`` resolves
  (``createCardElement`` in frontend 20250411 and later).

Removing the last entry removes the resource (or the extra URL). The static
path stays until Home Assistant stops: aiohttp cannot remove a route.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
import hashlib
import logging
from pathlib import Path

from homeassistant.components.frontend import add_extra_js_url, remove_extra_js_url
from homeassistant.components.http import StaticPathConfig
from homeassistant.components.lovelace.resources import ResourceStorageCollection
from homeassistant.core import HomeAssistant
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN

_LOGGER = logging.getLogger(__name__)

CARD_FILENAME = "media-request-tracker-card.js"
URL_BASE = f"/{DOMAIN}"
CARD_URL = f"{URL_BASE}/{CARD_FILENAME}"
CARD_PATH = Path(__file__).parent / "frontend" / CARD_FILENAME
LOVELACE_DATA_KEY = "lovelace"


@dataclass
class CardRegistration:
    """What this Home Assistant run has registered for the card."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    url: str | None = None
    static_path: bool = False
    registered: bool = False
    extra_js_url: str | None = None


DATA_CARD: HassKey[CardRegistration] = HassKey(f"{DOMAIN}_card")


def _card_version(path: Path) -> str:
    """Hash the built file (short), so that a new build gets a new URL."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def _version(url: str) -> str:
    return url.partition("?v=")[2]


def _is_ours(url: str) -> bool:
    return url.startswith(f"{URL_BASE}/")


def _storage_resources(hass: HomeAssistant) -> ResourceStorageCollection | None:
    """Return the resource collection when resources are kept in storage, else None.

    Home Assistant 2025.4 has ``LovelaceData.mode``; 2026.2 has ``resource_mode``
    (resources may be in storage while dashboards are in YAML). The collection's
    class says it for both.
    """
    lovelace = hass.data.get(LOVELACE_DATA_KEY)
    resources = getattr(lovelace, "resources", None)
    return resources if isinstance(resources, ResourceStorageCollection) else None


async def _async_loaded(
    resources: ResourceStorageCollection,
) -> ResourceStorageCollection:
    # The collection is loaded lazily, on the first list from the frontend.
    if not resources.loaded:
        await resources.async_load()
        resources.loaded = True
    return resources


async def async_register_card(hass: HomeAssistant) -> None:
    """Serve the card and register it as a dashboard resource, once per run."""
    registration = hass.data.setdefault(DATA_CARD, CardRegistration())
    async with registration.lock:
        if registration.registered:
            return
        if registration.url is None:
            version = await hass.async_add_executor_job(_card_version, CARD_PATH)
            registration.url = f"{CARD_URL}?v={version}"
        if not registration.static_path and hass.http is not None:
            try:
                await hass.http.async_register_static_paths(
                    [StaticPathConfig(CARD_URL, str(CARD_PATH), cache_headers=True)]
                )
            except RuntimeError as err:
                # Home Assistant keeps its router open after start; only a frozen
                # one (aiohttp's test client) refuses. The tracker works without the card.
                _LOGGER.debug("The dashboard card cannot be served: %s", err)
            else:
                registration.static_path = True
        registration.registered = True
        if LOVELACE_DATA_KEY not in hass.data:
            # No dashboards in this Home Assistant: nothing loads cards.
            return
        if (resources := _storage_resources(hass)) is not None:
            await _async_store_resource(
                await _async_loaded(resources), registration.url
            )
        elif "frontend" in hass.config.components:
            add_extra_js_url(hass, registration.url)
            registration.extra_js_url = registration.url


async def _async_store_resource(resources: ResourceStorageCollection, url: str) -> None:
    version = _version(url)
    ours = [item for item in resources.async_items() if _is_ours(item["url"])]
    if not ours:
        await resources.async_create_item({"res_type": "module", "url": url})
        _LOGGER.info("Added the dashboard card as a resource (version %s)", version)
        return
    first, *duplicates = ours
    if first["url"] != url or first.get("type") != "module":
        await resources.async_update_item(
            first["id"], {"res_type": "module", "url": url}
        )
        _LOGGER.info("Updated the dashboard card's resource to version %s", version)
    for item in duplicates:
        await resources.async_delete_item(item["id"])


async def async_unregister_card(hass: HomeAssistant) -> None:
    """Remove the resource (or the extra module URL): the last entry is gone."""
    registration = hass.data.setdefault(DATA_CARD, CardRegistration())
    async with registration.lock:
        registration.registered = False
        if registration.extra_js_url is not None:
            remove_extra_js_url(hass, registration.extra_js_url)
            registration.extra_js_url = None
        if LOVELACE_DATA_KEY not in hass.data:
            return
        if (resources := _storage_resources(hass)) is None:
            return
        resources = await _async_loaded(resources)
        for item in list(resources.async_items()):
            if _is_ours(item["url"]):
                await resources.async_delete_item(item["id"])
                _LOGGER.info("Removed the dashboard card's resource")
