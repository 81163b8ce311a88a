"""Benchmark: what one Radarr/Sonarr queue poll costs, next to one qBittorrent poll.

A fake Radarr and a fake Sonarr (``tests/fakes/arr_queue.py``, records as the
apps serialise them) each hold 200 queue records; 20 tracked requests are
downloading (Radarr: 20 of 200 films; Sonarr: 20 season packs of 10 episodes,
so 200 records). Each round, the tracked downloads move on and each app is
polled:

- our poll: one ``GET /api/v3/queue`` (page of 1,000, no nested items),
- the baseline: the same call with ``includeMovie``/``includeSeries`` and
  ``includeEpisode`` (the nested resources; the fake's are trimmed, a real
  one is several times larger, so the real gap is wider),

and our event-loop work is timed: reading the page (JSON and records) and
applying it (folding, speeds, 20 requests). Calls and bytes are counted on
the session (``benchkit/http_counter.py``). Then ``bench/qbittorrent_poll.py``'s
own measuring function runs against real qbittorrent-nox in the same run,
and its figures are printed beside ours (``--no-qbittorrent`` skips it).

Run: .venv/bin/python bench/arr_queue_poll.py [--rounds 15]
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta
import json
from pathlib import Path
import statistics
import sys
import time

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchkit.http_counter import HttpCount, HttpCounter  # noqa: E402

from custom_components.media_request_tracker.clients.arr_queue import (  # noqa: E402
    QUEUE_PAGE_SIZE,
    ArrQueueClient,
)
from custom_components.media_request_tracker.core.model import Source  # noqa: E402
from custom_components.media_request_tracker.core.parsers import (  # noqa: E402
    parse_radarr,
    parse_sonarr,
)
from custom_components.media_request_tracker.core.parsers.arr_queue import (  # noqa: E402
    parse_queue_page,
)
from custom_components.media_request_tracker.core.queue import ArrQueue  # noqa: E402
from custom_components.media_request_tracker.core.tracker import RequestTracker  # noqa: E402
from tests.fakes.arr import FakeArr  # noqa: E402
from tests.payloads import payload  # noqa: E402

RECORDS = 200
TRACKED = 20
GIB = 1024**3


async def measure_app(app: str, rounds: int) -> dict[str, object]:
    """Poll one fake app ``rounds`` times, ours and the baseline; return the figures."""
    instance = f"{app.lower()}-bench"
    tracker = RequestTracker()
    async with FakeArr(app) as fake:
        tracked: list[str] = []
        if app == "Radarr":
            for number in range(RECORDS):
                download_id = f"{number:040x}"
                fake.queue.add_torrent(
                    download_id,
                    f"Film.{number}.1080p",
                    movie_id=number + 1,
                    size=8 * GIB,
                )
                if number < TRACKED:
                    tracked.append(download_id)
            grab = parse_radarr(payload("radarr_grab"))
            for number, download_id in enumerate(tracked):
                event = replace(
                    grab,
                    instance=instance,
                    download_hash=download_id,
                    item_id=number + 1,
                    media=replace(
                        grab.media, ids=replace(grab.media.ids, tmdb_id=9000 + number)
                    ),  # type: ignore[union-attr]
                )
                tracker.apply(event, datetime.now(UTC))
        else:
            grab = parse_sonarr(payload("sonarr_grab_season_pack"))
            for number in range(RECORDS // 10):
                download_id = f"{number:040x}"
                episodes = tuple(range(number * 100 + 1, number * 100 + 11))
                fake.queue.add_torrent(
                    download_id,
                    f"Show.{number}.S01.1080p",
                    series_id=number + 1,
                    season_number=1,
                    episode_ids=episodes,
                    size=20 * GIB,
                )
                tracked.append(download_id)
                event = replace(
                    grab,
                    instance=instance,
                    download_hash=download_id,
                    item_id=number + 1,
                    episode_ids=frozenset(episodes),
                    media=replace(
                        grab.media, ids=replace(grab.media.ids, tvdb_id=9000 + number)
                    ),  # type: ignore[union-attr]
                )
                tracker.apply(event, datetime.now(UTC))
        assert len(tracker) == TRACKED, len(tracker)

        counter = HttpCounter()
        source = Source.RADARR if app == "Radarr" else Source.SONARR
        queue = ArrQueue()
        ours: list[HttpCount] = []
        nested: list[HttpCount] = []
        parse_ms: list[float] = []
        apply_ms: list[float] = []
        visible: list[int] = []
        async with aiohttp.ClientSession(
            trace_configs=[counter.trace_config]
        ) as session:
            client = ArrQueueClient(session, fake.url, fake.api_key, app=app)
            start = datetime.now(UTC)
            for number in range(rounds):
                # Simulated time: a poll every 30 s, the app refreshed just before.
                now = start + timedelta(seconds=30 * (number + 1))
                fake.queue.clock = lambda now=now: now  # type: ignore[misc]
                for download_id in tracked:
                    download = fake.queue.downloads[download_id.upper()]
                    left = max(download.size_left - download.size // 20, 1)
                    fake.queue.advance(
                        download_id, left, timedelta(seconds=left // 50_000_000)
                    )
                before = counter.count
                page = await client.async_get_queue()
                ours.append(counter.count - before)
                assert len(page.records) == RECORDS, len(page.records)

                # The same answer read again, to time the read alone.
                body = json.dumps(
                    {"records": fake.queue.records(), "totalRecords": RECORDS}
                ).encode()
                started = time.perf_counter()
                records = parse_queue_page(json.loads(body)).records
                parsed = time.perf_counter()
                queue.apply(records, now)
                outcome = tracker.update_queue(instance, source, queue, now)
                applied = time.perf_counter()
                parse_ms.append((parsed - started) * 1000)
                apply_ms.append((applied - parsed) * 1000)
                visible.append(len(outcome.shown))

                before = counter.count
                flags = (
                    {"includeMovie": "true"}
                    if app == "Radarr"
                    else {
                        "includeSeries": "true",
                        "includeEpisode": "true",
                    }
                )
                async with session.get(
                    f"{fake.url}/api/v3/queue",
                    params={"pageSize": str(QUEUE_PAGE_SIZE), **flags},
                    headers={"X-Api-Key": fake.api_key},
                ) as response:
                    await response.read()
                nested.append(counter.count - before)
        served_per_poll = fake.queue.bytes_served / max(fake.queue.queue_calls, 1)
    requests = list(tracker)
    return {
        "app": app,
        "ours": ours,
        "nested": nested,
        "parse_ms": parse_ms,
        "apply_ms": apply_ms,
        "visible": visible,
        "served": served_per_poll,
        "progress": [r.download.progress for r in requests],
        "stages": sorted({r.stage.value for r in requests}),
    }


def _p50(values: list[float]) -> float:
    return statistics.median(values)


def print_app(figures: dict[str, object]) -> None:
    """Print one app's table."""
    ours: list[HttpCount] = figures["ours"]  # type: ignore[assignment]
    nested: list[HttpCount] = figures["nested"]  # type: ignore[assignment]
    parse_ms: list[float] = figures["parse_ms"]  # type: ignore[assignment]
    apply_ms: list[float] = figures["apply_ms"]  # type: ignore[assignment]
    app = figures["app"]
    ours_b = _p50([c.body_bytes for c in ours])
    nested_b = _p50([c.body_bytes for c in nested])
    print(
        f"{app} queue: {RECORDS} records, {TRACKED} tracked downloading, {len(ours)} polls"
    )
    print(f"{'poll':<34}{'calls/poll':>11}{'bytes/poll p50':>16}{'ratio':>8}")
    print(
        f"{'GET /api/v3/queue (ours)':<34}{statistics.mean(c.calls for c in ours):>11.1f}{ours_b:>16,.0f}{ours_b / nested_b:>8.3f}"
    )
    print(
        f"{'… with nested items (baseline)':<34}{statistics.mean(c.calls for c in nested):>11.1f}{nested_b:>16,.0f}{1:>8.3f}"
    )
    print(
        f"event-loop work per poll: read p50 {_p50(parse_ms):.3f} ms (max {max(parse_ms):.3f}), "
        f"apply to {TRACKED} requests p50 {_p50(apply_ms):.3f} ms (max {max(apply_ms):.3f}); "
        f"requests shown per poll p50 {_p50(figures['visible']):.0f}"  # type: ignore[arg-type]
    )
    print(
        f"after the run: stages {figures['stages']}, progress {sorted(set(figures['progress']))[:3]}…"  # type: ignore[arg-type]
    )


async def main(rounds: int, qbittorrent: bool) -> None:
    """Measure both apps, then qBittorrent's poll in the same run, and print them side by side."""
    results = [await measure_app(app, rounds) for app in ("Radarr", "Sonarr")]
    for figures in results:
        print_app(figures)
        print()
    if not qbittorrent:
        return
    from qbittorrent_poll import measure, print_figures  # noqa: PLC0415

    qb = await measure(rounds)
    print_figures(qb)
    print()
    qb_bytes = _p50([c.body_bytes for c in qb.ours])
    qb_ms = _p50(qb.loop_ms)
    print("side by side, per poll (p50):")
    print(f"{'poll':<30}{'calls':>7}{'bytes':>10}{'event-loop ms':>15}")
    print(
        f"{'qBittorrent sync/maindata':<30}{statistics.mean(c.calls for c in qb.ours):>7.1f}{qb_bytes:>10,.0f}{qb_ms:>15.3f}"
    )
    for figures in results:
        ours: list[HttpCount] = figures["ours"]  # type: ignore[assignment]
        work = [
            p + a
            for p, a in zip(figures["parse_ms"], figures["apply_ms"], strict=True)  # type: ignore[call-overload]
        ]
        print(
            f"{str(figures['app']) + ' queue':<30}{statistics.mean(c.calls for c in ours):>7.1f}"
            f"{_p50([c.body_bytes for c in ours]):>10,.0f}{_p50(work):>15.3f}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--no-qbittorrent", action="store_true")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.rounds, not arguments.no_qbittorrent))
