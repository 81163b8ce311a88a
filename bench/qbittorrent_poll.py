"""Benchmark: what one qBittorrent poll costs, incremental sync against full polls.

A real qbittorrent-nox holds 200 torrents; 20 of them are tracked requests
downloading at a capped rate from a second instance, 180 are idle. Each round
makes, side by side against the same server:

- our poll: one ``sync/maindata?rid=N`` (incremental),
- the naive poll: ``torrents/info`` for every torrent,
- the stateless alternative: ``torrents/info?hashes=<20 tracked>``,

and times our event-loop work (merging the answer and updating 20 requests).
Calls and bytes are counted on the session (``benchkit/http_counter.py``):
the bytes of each body as the reader parses it, inflated (qBittorrent gzips
answers over 1 KiB); the two baselines ask for gzip and inflate as our client
does.

Run: .venv/bin/python bench/qbittorrent_poll.py [--rounds 15]
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
import gzip
from pathlib import Path
import statistics
import sys
import tempfile
import time

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchkit.http_counter import HttpCount, HttpCounter  # noqa: E402

from custom_components.media_request_tracker.clients.qbittorrent import (
    QBittorrentClient,  # noqa: E402
)
from custom_components.media_request_tracker.core.events import GrabEvent, MediaInfo  # noqa: E402
from custom_components.media_request_tracker.core.model import (  # noqa: E402
    MediaIds,
    MediaType,
    Source,
)
from custom_components.media_request_tracker.core.torrents import TorrentTable  # noqa: E402
from custom_components.media_request_tracker.core.tracker import RequestTracker  # noqa: E402
from tests.services.qbittorrent import PASSWORD, USERNAME, QBittorrentProcess  # noqa: E402
from tests.services.torrent import make_torrent  # noqa: E402

TOTAL = 200
TRACKED = 20


@dataclass(frozen=True, slots=True)
class PollFigures:
    """What ``measure`` found: the cost of each way to poll, and our event-loop work."""

    version: str
    rounds: int
    first_sync: HttpCount
    results: dict[str, list[HttpCount]]
    loop_ms: list[float]

    @property
    def ours(self) -> list[HttpCount]:
        """Our poll's cost, round by round."""
        return self.results["incremental sync/maindata"]


async def main(rounds: int) -> None:
    """Set the library up, poll it three ways per round, and print the table."""
    print_figures(await measure(rounds))


async def measure(rounds: int) -> PollFigures:
    """Poll a real qbittorrent-nox ``rounds`` times, three ways a round (``bench/arr_queue_poll.py`` reuses it)."""
    root = Path(tempfile.mkdtemp(prefix="mrt-bench-"))
    library, seeder = (
        QBittorrentProcess(root, "library"),
        QBittorrentProcess(root, "seeder"),
    )
    await asyncio.gather(library.start(), seeder.start())
    try:
        torrents = [
            make_torrent(root / "content", f"Title.{n:03d}.1080p.mkv", 2 * 1024 * 1024)
            for n in range(TOTAL)
        ]
        tracked = torrents[:TRACKED]
        for torrent in torrents[TRACKED:]:
            await library.add(torrent, save_path=root / "content", seed=True)
        for torrent in tracked:
            await seeder.add(torrent, save_path=root / "content", seed=True)
            await library.add(
                torrent, save_path=library.downloads, download_limit=16 * 1024
            )
            await library.add_peer(torrent.info_hash, seeder)

        tracker = RequestTracker()
        for number, torrent in enumerate(tracked):
            tracker.apply(
                GrabEvent(
                    source=Source.RADARR,
                    media=MediaInfo(
                        media_type=MediaType.MOVIE,
                        ids=MediaIds(tmdb_id=1000 + number),
                        title=torrent.name,
                    ),
                    download_hash=torrent.info_hash,
                ),
                datetime.now(UTC),
            )

        counter = HttpCounter()
        async with aiohttp.ClientSession(
            cookie_jar=aiohttp.CookieJar(unsafe=True),
            trace_configs=[counter.trace_config],
        ) as session:
            ours = QBittorrentClient(session, library.url, USERNAME, PASSWORD)
            await ours.async_login()  # the baselines share its session cookie
            version = await _get(session, library.url, "app/version")
            table = TorrentTable()
            results: dict[str, list[HttpCount]] = {
                "incremental sync/maindata": [],
                "torrents/info (all)": [],
                "torrents/info?hashes=20": [],
            }
            loop_ms: list[float] = []
            hashes = [torrent.info_hash for torrent in tracked]
            for round_number in range(rounds + 1):
                before = counter.count
                maindata = await ours.async_sync_maindata(table.rid)
                started = time.perf_counter()
                table.apply(maindata, datetime.now(UTC))
                tracker.update_downloads(table, datetime.now(UTC))
                elapsed = (time.perf_counter() - started) * 1000
                sync_cost = counter.count - before
                before = counter.count
                await _get(session, library.url, "torrents/info")
                all_cost = counter.count - before
                before = counter.count
                await _get(
                    session,
                    library.url,
                    "torrents/info",
                    {"hashes": "|".join(hashes)},
                )
                some_cost = counter.count - before
                if round_number:  # round 0 is the first, full sync
                    results["incremental sync/maindata"].append(sync_cost)
                    results["torrents/info (all)"].append(all_cost)
                    results["torrents/info?hashes=20"].append(some_cost)
                    loop_ms.append(elapsed)
                else:
                    first_sync = sync_cost
                await asyncio.sleep(1)

        return PollFigures(version, rounds, first_sync, results, loop_ms)
    finally:
        await asyncio.gather(library.stop(), seeder.stop())


def print_figures(figures: PollFigures) -> None:
    """Print the table of one ``measure`` run."""
    version, rounds, first_sync = figures.version, figures.rounds, figures.first_sync
    results, loop_ms = figures.results, figures.loop_ms
    print(
        f"qBittorrent {version}: {TOTAL} torrents, {TRACKED} tracked and downloading, {rounds} polls at 1 s"
    )
    print(
        f"first sync (rid=0, full snapshot): {first_sync.calls} call, {first_sync.body_bytes:,} bytes"
    )
    print(
        f"{'poll':<28}{'calls/poll':>11}{'bytes/poll p50':>16}{'bytes/poll max':>16}{'ratio p50':>11}"
    )
    baseline = statistics.median(
        cost.body_bytes for cost in results["torrents/info (all)"]
    )
    for name, samples in results.items():
        sizes = [cost.body_bytes for cost in samples]
        calls = statistics.mean(cost.calls for cost in samples)
        p50 = statistics.median(sizes)
        print(
            f"{name:<28}{calls:>11.1f}{p50:>16,.0f}{max(sizes):>16,}{p50 / baseline:>11.3f}"
        )
    print(
        f"event-loop work per poll (merge + 20 requests): p50 {statistics.median(loop_ms):.3f} ms, max {max(loop_ms):.3f} ms"
    )
    ours_p50 = statistics.median(
        cost.body_bytes for cost in results["incremental sync/maindata"]
    )
    print(
        f"summary: one call per poll; incremental sync moves {ours_p50:,.0f} B vs {baseline:,.0f} B for a full torrents/info ({baseline / ours_p50:.1f}x less)"
    )


async def _get(
    session: aiohttp.ClientSession,
    url: str,
    method: str,
    params: dict[str, str] | None = None,
) -> str:
    """GET ``/api/v2/<method>`` with the session's login, asking and reading as our client does."""
    async with session.get(
        f"{url}/api/v2/{method}",
        params=params,
        headers={"Accept-Encoding": "gzip"},
        auto_decompress=False,
    ) as response:
        response.raise_for_status()
        body = await response.read()
    if response.headers.get(aiohttp.hdrs.CONTENT_ENCODING) == "gzip":
        body = gzip.decompress(body)
    return body.decode().strip()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    asyncio.run(main(parser.parse_args().rounds))
