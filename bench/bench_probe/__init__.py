"""Benchmark probe: a bare custom component loaded next to the integration in benchmarks.

It is not part of the integration. A benchmark copies it into the ``config``
directory of the Home Assistant it starts. It gives:

- the baseline of ``startup_memory.py``: ``sensors: N`` adds N minimal sensor
  entities (a unique id each, so each has an entity registry entry), the way
  any integration's entities cost Home Assistant;
- ``bench_probe.memory``: the process's resident memory, before and after a
  full garbage collection and ``malloc_trim``, and with ``PYTHONTRACEMALLOC``
  set the lines that hold the most memory;
- ``bench_probe.writes``: bytes written into ``.storage`` files of a prefix,
  counted by ``filewrites`` at the system-call level, the process's
  ``/proc/self/io``, and the integration's own store figures.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import gc
import os
from pathlib import Path
import tracemalloc
from typing import Any

from homeassistant.const import Platform
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
)
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.discovery import async_load_platform
from homeassistant.helpers.typing import ConfigType
import voluptuous as vol

from .filewrites import FileWrites, process_io

DOMAIN = "bench_probe"
CONF_SENSORS = "sensors"
CONF_WATCH = "watch"
TARGET = "media_request_tracker"

CONFIG_SCHEMA = vol.Schema(
    {
        DOMAIN: vol.Schema(
            {
                vol.Optional(CONF_SENSORS, default=0): cv.positive_int,
                vol.Optional(CONF_WATCH): cv.string,
            }
        )
    },
    extra=vol.ALLOW_EXTRA,
)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Add the baseline sensors, start watching storage, register the probes."""
    conf = config.get(DOMAIN) or {}
    if count := conf.get(CONF_SENSORS, 0):
        hass.async_create_task(
            async_load_platform(hass, Platform.SENSOR, DOMAIN, {"count": count}, config)
        )
    watcher: FileWrites | None = None
    if prefix := conf.get(CONF_WATCH):
        watcher = FileWrites(Path(hass.config.path(".storage")), prefix)
        watcher.install()

    async def memory(call: ServiceCall) -> ServiceResponse:
        # Counted here, not over REST: GET /api/states would cache every
        # state's JSON and add it to the memory measured.
        states = hass.states.async_all("sensor")
        return {
            **_memory(int(call.data.get("top", 0))),
            "request_sensors": sum("request_id" in s.attributes for s in states),
            "probe_sensors": sum(
                s.entity_id.startswith("sensor.bench_probe_") for s in states
            ),
        }

    async def writes(call: ServiceCall) -> ServiceResponse:
        report = await hass.async_add_executor_job(watcher.report) if watcher else None
        response: dict[str, Any] = {
            "pid": os.getpid(),
            "files": report,
            "io": await hass.async_add_executor_job(process_io, "self"),
            "store": store_figures(hass),
        }
        return response

    hass.services.async_register(
        DOMAIN, "memory", memory, supports_response=SupportsResponse.ONLY
    )
    hass.services.async_register(
        DOMAIN, "writes", writes, supports_response=SupportsResponse.ONLY
    )
    return True


def store_figures(hass: HomeAssistant) -> list[dict[str, Any]]:
    """Return the integration's own store figures: ``stats``, or ``save_count`` before it."""
    figures: list[dict[str, Any]] = []
    for entry in hass.config_entries.async_entries(TARGET):
        runtime = getattr(entry, "runtime_data", None)
        store = getattr(getattr(runtime, "hub", None), "store", None)
        if store is None:
            continue
        stats = getattr(store, "stats", None)
        if stats is not None and dataclasses.is_dataclass(stats):
            figures.append({"source": "stats", **dataclasses.asdict(stats)})  # type: ignore[arg-type]
        else:
            figures.append(
                {"source": "save_count", "saves": getattr(store, "save_count", None)}
            )
    return figures


def _status() -> dict[str, int]:
    """VmRSS and VmHWM (peak) of this process, in KiB."""
    text = Path("/proc/self/status").read_text(encoding="ascii")
    return {
        key: int(value.split()[0])
        for key, _, value in (line.partition(":") for line in text.splitlines())
        if key in ("VmRSS", "VmHWM")
    }


def _memory(top: int) -> dict[str, Any]:
    before = _status()
    collected = sum(gc.collect() for _ in range(3))
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    after = _status()
    result: dict[str, Any] = {
        "pid": os.getpid(),
        "rss_kib": before["VmRSS"],
        "hwm_kib": before["VmHWM"],
        "rss_after_gc_kib": after["VmRSS"],
        "collected": collected,
    }
    if top and tracemalloc.is_tracing():
        snapshot = tracemalloc.take_snapshot().filter_traces(
            [tracemalloc.Filter(False, tracemalloc.__file__)]
        )
        result["traced_kib"] = (
            sum(stat.size for stat in snapshot.statistics("filename")) / 1024
        )
        result["lines"] = [
            {
                "where": f"{_short(stat.traceback[0].filename)}:{stat.traceback[0].lineno}",
                "kib": stat.size / 1024,
                "count": stat.count,
            }
            for stat in snapshot.statistics("lineno")[:top]
        ]
    return result


def _short(filename: str) -> str:
    for marker in ("site-packages/", "custom_components/", "lib/python3"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename
