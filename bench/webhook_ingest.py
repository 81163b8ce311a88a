"""Benchmark: webhook latency in a real Home Assistant, next to a no-op webhook in the same instance.

A real ``hass`` process (minimal configuration) runs the integration and a
bare custom component whose webhook handler only returns 200. 1,000 webhooks
(a mix: Jellyseerr requests, Radarr grabs and imports, Jellyfin ItemAdded,
250 films each) are sent one at a time; each goes to our webhook and the same
body to the no-op webhook right after, so both see the same machine state.
Ours includes durability: a 200 means the change is on disk.

Run: .venv/bin/python bench/webhook_ingest.py [--count 1000]
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
import statistics
import sys
import tempfile
import time
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.hass_process import HassProcess  # noqa: E402
from tests.fakes.jellyfin import FakeJellyfin  # noqa: E402
from tests.payloads import payload  # noqa: E402
from tests.services.qbittorrent import free_port  # noqa: E402

NOOP_ID = "bench-noop-webhook"
NOOP_COMPONENT = {
    "manifest.json": '{"domain": "bench_noop", "name": "Bench no-op", "dependencies": ["webhook"], "version": "1.0.0", "codeowners": [], "documentation": "https://example.invalid", "iot_class": "local_push"}\n',
    "__init__.py": (
        '"""A webhook that does nothing: the baseline."""\n'
        "from aiohttp import web\n"
        "from homeassistant.components import webhook\n\n"
        "async def _handle(hass, webhook_id, request):\n"
        "    await request.read()\n"
        "    return web.json_response({'result': 'ok'})\n\n"
        "async def async_setup(hass, config):\n"
        f"    webhook.async_register(hass, 'bench_noop', 'noop', '{NOOP_ID}', _handle, allowed_methods=['POST'])\n"
        "    return True\n"
    ),
}


def webhooks(films: int) -> list[tuple[str, dict[str, Any]]]:
    """Four real-shaped webhooks per film: request, grab, import, Jellyfin ItemAdded."""
    mix: list[tuple[str, dict[str, Any]]] = []
    for number in range(films):
        tmdb = 100000 + number
        request = payload("jellyseerr_movie_auto_approved")
        request["media"]["tmdbId"] = str(tmdb)
        request["request"]["request_id"] = str(number)
        request["subject"] = f"Film {number} (2024)"
        grab = payload("radarr_grab")
        grab["movie"]["tmdbId"] = tmdb
        grab["downloadId"] = f"{number:040X}"
        imported = payload("radarr_download")
        imported["movie"]["tmdbId"] = tmdb
        imported["downloadId"] = f"{number:040X}"
        item = payload("jellyfin_item_added_movie")
        item["Provider_tmdb"] = str(tmdb)
        item["ItemId"] = f"{number:032x}"
        mix += [
            ("jellyseerr", request),
            ("radarr", grab),
            ("radarr", imported),
            ("jellyfin", item),
        ]
    return mix


async def main(count: int) -> None:
    """Start hass with both handlers, send the mix to each in turn, print the table."""
    work = Path(tempfile.mkdtemp(prefix="mrt-bench-ingest-"))
    component = work / "config" / "custom_components" / "bench_noop"
    component.mkdir(parents=True)
    for name, text in NOOP_COMPONENT.items():
        (component / name).write_text(text, encoding="utf-8")
    jellyfin = FakeJellyfin()
    await jellyfin.start()
    hass = HassProcess(work / "config", free_port(), extra_yaml="bench_noop:\n")
    await hass.start()
    try:
        result = await hass.set_up_with_jellyfin_only(jellyfin.url, jellyfin.api_key)
        urls = result["description_placeholders"]
        noop_url = f"{hass.url}/api/webhook/{NOOP_ID}"
        assert hass.session is not None
        ours_ms: list[float] = []
        noop_ms: list[float] = []
        statuses: set[int] = set()
        started = time.perf_counter()
        for source, body in webhooks(count // 4):
            for url, samples in (
                (urls[f"{source}_webhook_url"], ours_ms),
                (noop_url, noop_ms),
            ):
                sent = time.perf_counter()
                async with hass.session.post(url, json=body) as response:
                    await response.read()
                    statuses.add(response.status)
                samples.append((time.perf_counter() - sent) * 1000)
        elapsed = time.perf_counter() - started
        state = await hass.state("sensor.jellyfin_home_active_requests")
    finally:
        await hass.close()
        await jellyfin.stop()

    def quantile(samples: list[float], share: float) -> float:
        return statistics.quantiles(samples, n=100)[int(share * 100) - 1]

    print(
        f"{len(ours_ms)} webhooks to each handler, sequential, one real hass process; statuses {sorted(statuses)}"
    )
    print(f"{'handler':<22}{'p50 ms':>9}{'p95 ms':>9}{'mean ms':>9}{'per second':>12}")
    for name, samples in (
        ("media_request_tracker", ours_ms),
        ("no-op baseline", noop_ms),
    ):
        print(
            f"{name:<22}{statistics.median(samples):>9.2f}{quantile(samples, 0.95):>9.2f}{statistics.mean(samples):>9.2f}{1000 / statistics.mean(samples):>12.0f}"
        )
    first, last = ours_ms[: len(ours_ms) // 10], ours_ms[-len(ours_ms) // 10 :]
    print(
        f"ours, first tenth p50 {statistics.median(first):.2f} ms vs last tenth p50 {statistics.median(last):.2f} ms (a save must not cost more as requests accumulate)"
    )
    print(f"requests tracked at the end: {state['attributes'] if state else None}")
    ratio = statistics.median(ours_ms) / statistics.median(noop_ms)
    print(
        f"summary: p50 {statistics.median(ours_ms):.2f} ms vs no-op {statistics.median(noop_ms):.2f} ms = {ratio:.2f}x (goal <= 1.5x), durability included; wall time {elapsed:.1f} s"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    asyncio.run(main(parser.parse_args().count))
