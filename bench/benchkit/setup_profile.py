"""Where our entry's set-up time goes: cProfile in Home Assistant's test harness.

The entry is set up once (so its entities are in the registry, as after a
restart), unloaded, and set up again under cProfile; the cumulative time of
a few functions says which part dominates. cProfile slows everything down,
so read shares, not seconds.
"""

from __future__ import annotations

from collections.abc import Callable
import cProfile
from datetime import UTC, datetime
from pathlib import Path
import pstats
import shutil
import tempfile
from typing import Any

from homeassistant import loader
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import EntityPlatform
from homeassistant.helpers.entity_registry import EntityRegistry
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (  # type: ignore[import-untyped]
    MockConfigEntry,
    async_test_home_assistant,
)

from custom_components import media_request_tracker
from custom_components.media_request_tracker import sensor, store
from custom_components.media_request_tracker.const import DOMAIN
from custom_components.media_request_tracker.core.model import MediaRequest
from tests.fakes.jellyfin import SERVER_ID, FakeJellyfin

from .simulated_hour import quiet_logs
from .stored_requests import build_requests, encode, storage_document, storage_key

ENTRY_ID = "01JBENCHPROFILE00000000000"


def _parts() -> list[tuple[str, Callable[..., Any] | None]]:
    return [
        ("our async_setup_entry, in all", media_request_tracker.async_setup_entry),
        (
            "  read the store (JSON, MediaRequest.from_dict)",
            store.RequestStore.async_load,
        ),
        ("    of which MediaRequest.from_dict", MediaRequest.from_dict),
        (
            "  build the request sensors (RequestSensor.__init__)",
            sensor.RequestSensor.__init__,
        ),
        (
            "  Home Assistant adds each entity",
            getattr(EntityPlatform, "_async_add_entity", None),
        ),
        ("    of which the entity registry", EntityRegistry.async_get_or_create),
        (
            "    of which writing the state",
            getattr(Entity, "_async_write_ha_state", None),
        ),
    ]


async def profile_setup(
    count: int, jellyfin: FakeJellyfin
) -> list[tuple[str, float, float]]:
    """(part, cumulative seconds, share of the entry's set-up) for ``count`` stored requests."""
    quiet_logs()
    work = Path(tempfile.mkdtemp(prefix="mrt-bench-profile-"))
    (work / ".storage").mkdir()
    (work / ".storage" / storage_key(ENTRY_ID)).write_bytes(
        encode(storage_document(ENTRY_ID, build_requests(count, datetime.now(UTC))))
    )
    profile = cProfile.Profile()
    try:
        async with async_test_home_assistant(config_dir=str(work)) as hass:
            hass.data.pop(loader.DATA_CUSTOM_COMPONENTS)
            for domain in ("sensor", "binary_sensor"):
                assert await async_setup_component(hass, domain, {})
            entry = MockConfigEntry(
                domain=DOMAIN,
                title="Jellyfin Home",
                entry_id=ENTRY_ID,
                unique_id=SERVER_ID,
                data={
                    "jellyfin_url": jellyfin.url,
                    "jellyfin_api_key": jellyfin.api_key,
                    "webhook_ids": {
                        source: f"bench-{source}"
                        for source in ("jellyseerr", "radarr", "sonarr", "jellyfin")
                    },
                },
            )
            entry.add_to_hass(hass)
            assert await hass.config_entries.async_setup(entry.entry_id)
            await hass.async_block_till_done()
            assert await hass.config_entries.async_unload(entry.entry_id)
            await hass.async_block_till_done()
            profile.enable()
            assert await hass.config_entries.async_setup(entry.entry_id)
            profile.disable()
            await hass.async_block_till_done()
            await hass.config_entries.async_unload(entry.entry_id)
            await hass.async_stop(force=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    stats: dict[tuple[str, int, str], tuple[Any, ...]] = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    rows: list[tuple[str, float]] = []
    for label, function in _parts():
        code = getattr(function, "__code__", None)
        key = (code.co_filename, code.co_firstlineno, code.co_name) if code else None
        rows.append((label, stats[key][3] if key in stats else 0.0))
    total = rows[0][1] or 1.0
    return [(label, seconds, seconds / total) for label, seconds in rows]
