"""Durable storage of tracked requests.

A webhook may only answer 2xx once its effect is on disk, yet a burst of
webhooks must not cause a burst of writes. ``async_flush`` is a group
commit: every caller waits for a save that includes its change, and all
callers that arrive while a save runs share the next one.
"""

from __future__ import annotations

import asyncio
from typing import Any, TypedDict

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store

from .const import DOMAIN
from .core.model import MediaRequest

STORAGE_VERSION = 1
STORAGE_MINOR_VERSION = 1


class StoredData(TypedDict):
    """What the storage file holds."""

    requests: list[dict[str, Any]]


class _RequestStoreFile(Store[StoredData]):
    """The versioned file; migrations for future versions go here."""

    async def _async_migrate_func(
        self, old_major_version: int, old_minor_version: int, old_data: dict[str, Any]
    ) -> StoredData:
        if old_major_version > STORAGE_VERSION:
            raise NotImplementedError
        # Minor versions only add optional fields, which the model defaults.
        return {"requests": list(old_data.get("requests", []))}


class RequestStore:
    """Keeps the serialised form of every request and saves it in groups."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Create the store for one config entry."""
        self._file = _RequestStoreFile(
            hass,
            STORAGE_VERSION,
            f"{DOMAIN}.{entry_id}",
            minor_version=STORAGE_MINOR_VERSION,
        )
        self._serialised: dict[str, dict[str, Any]] = {}
        self._lock = asyncio.Lock()
        self._generation = 0
        self._saved_generation = 0
        self.save_count = 0

    async def async_load(self) -> list[MediaRequest]:
        """Read every stored request; an unreadable one is skipped, not fatal."""
        data = await self._file.async_load()
        requests: list[MediaRequest] = []
        for raw in data["requests"] if data else []:
            try:
                request = MediaRequest.from_dict(raw)
            except (KeyError, TypeError, ValueError):
                continue
            requests.append(request)
            self._serialised[request.request_id] = raw
        return requests

    def update(self, request: MediaRequest) -> None:
        """Record a changed request; it is written by the next flush."""
        self._serialised[request.request_id] = request.as_dict()
        self._generation += 1

    def delete(self, request_id: str) -> None:
        """Forget a removed request; it is dropped from the file by the next flush."""
        if self._serialised.pop(request_id, None) is not None:
            self._generation += 1

    async def async_flush(self) -> None:
        """Return once every change made before this call is on disk."""
        target = self._generation
        async with self._lock:
            if self._saved_generation >= target:
                return
            generation = self._generation
            await self._file.async_save({"requests": list(self._serialised.values())})
            self.save_count += 1
            self._saved_generation = generation

    async def async_remove(self) -> None:
        """Delete the file, when the config entry is removed."""
        await self._file.async_remove()
