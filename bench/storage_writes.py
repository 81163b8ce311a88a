"""Benchmark: how often and how much the integration writes to disk, against saving the whole file.

(a) A burst of 500 webhooks in a real ``hass`` process: 125 titles (75 films,
50 series), each a chain of four webhooks (Jellyseerr request, Radarr/Sonarr
grab, import, Jellyfin ItemAdded) sent in order, all 125 chains at once.
(b) One simulated hour of downloads (``benchkit/simulated_hour.py``): ten
active torrents polled every 10 s, some stalling, some finishing and being
imported, with 100 finished requests already stored.

Writes are counted three ways, so the figures do not rest on our own
accounting: the store's own ``stats``; the bytes that reach its files,
counted at the system-call level by an audit hook (``bench_probe.filewrites``:
files renamed into place, growth of files appended to); and ``wchar`` of
``/proc/<pid>/io``, every byte the whole process wrote (Home Assistant's own
registries and logs included, so an upper bound).

Baselines, from the same run: (a) one save of the whole file per webhook
that changed something, each the size the file had then (the same webhooks
replayed in order through the tracker core); (b) one save of the whole file
per poll (360 in the hour), each the full state's size at that poll.

Run: .venv/bin/python bench/storage_writes.py [--titles 125] [--seconds 3600] [--history 100]
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
import shutil
import sys
import tempfile
import time
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchkit.hass_runs import call_probe, install_probe, probe_yaml  # noqa: E402
from benchkit.simulated_hour import (  # noqa: E402
    HourOptions,
    HourResult,
    add_hour_arguments,
    file_split,
    hour_header,
    run_hour,
)
from benchkit.stored_requests import encode, storage_document  # noqa: E402

from custom_components.media_request_tracker.core.events import LibraryItemEvent  # noqa: E402
from custom_components.media_request_tracker.core.model import MediaIds  # noqa: E402
from custom_components.media_request_tracker.core.parsers import (  # noqa: E402
    parse_jellyfin,
    parse_jellyseerr,
    parse_radarr,
    parse_sonarr,
)
from custom_components.media_request_tracker.core.tracker import RequestTracker  # noqa: E402
from tests.e2e.hass_process import HassProcess  # noqa: E402
from tests.fakes.jellyfin import FakeJellyfin  # noqa: E402
from tests.fakes.jellyfin_items import series as jellyfin_series  # noqa: E402
from tests.payloads import payload  # noqa: E402
from tests.services.qbittorrent import free_port  # noqa: E402

PREFIX = "media_request_tracker."
PARSERS = {
    "jellyseerr": parse_jellyseerr,
    "radarr": parse_radarr,
    "sonarr": parse_sonarr,
    "jellyfin": parse_jellyfin,
}


@dataclass
class Chain:
    """One title's four webhooks, sent in order."""

    tmdb: int
    tvdb: int | None
    hooks: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


def chains(titles: int, jellyfin: FakeJellyfin) -> list[Chain]:
    """Three films for every two series; the series are in Jellyfin (no episodes yet) so ItemAdded can name them."""
    result: list[Chain] = []
    for number in range(titles):
        tmdb, name, year = 800000 + number, f"Burst Title {number}", 2000 + number % 25
        download = f"{number:040X}"
        if number % 5 < 3:
            chain = Chain(tmdb, None)
            request = payload("jellyseerr_movie_auto_approved")
            request["media"]["tmdbId"] = str(tmdb)
            request["request"]["request_id"] = str(90000 + number)
            request["subject"] = f"{name} ({year})"
            movie = {"title": name, "tmdbId": tmdb, "imdbId": "", "year": year}
            grab, imported = payload("radarr_grab"), payload("radarr_download")
            for body in (grab, imported):
                body["movie"].update(movie)
                body["remoteMovie"].update(movie)
                body["downloadId"] = download
            item = payload("jellyfin_item_added_movie")
            item.update(
                Name=name,
                Year=str(year),
                Provider_tmdb=str(tmdb),
                Provider_imdb="",
                ItemId=f"{number:032x}",
            )
            chain.hooks = [
                ("jellyseerr", request),
                ("radarr", grab),
                ("radarr", imported),
                ("jellyfin", item),
            ]
        else:
            tvdb = 900000 + number
            chain = Chain(tmdb, tvdb)
            show = jellyfin.add_item(
                **jellyfin_series(name, year, {"Tvdb": str(tvdb), "Tmdb": str(tmdb)})
            )
            request = payload("jellyseerr_tv_pending")
            request["notification_type"] = "MEDIA_AUTO_APPROVED"
            request["media"].update(tmdbId=str(tmdb), tvdbId=str(tvdb))
            request["request"]["request_id"] = str(90000 + number)
            request["subject"] = f"{name} ({year})"
            grab = payload("sonarr_grab_season_pack")
            imported = payload("sonarr_download_import_complete")
            for body in (grab, imported):
                body["series"].update(
                    title=name, tvdbId=tvdb, tmdbId=tmdb, imdbId="", year=year
                )
                body["downloadId"] = download
            item = payload("jellyfin_item_added_episode")
            item.update(
                Name="Episode 1",
                Year=str(year),
                SeriesName=name,
                SeriesId=show["Id"],
                SeasonNumber="1",
                EpisodeNumber="1",
                Provider_tvdb="",
                ItemId=f"{number:032x}",
            )
            chain.hooks = [
                ("jellyseerr", request),
                ("sonarr", grab),
                ("sonarr", imported),
                ("jellyfin", item),
            ]
        result.append(chain)
    return result


def naive_burst(titles: list[Chain], entry_id: str) -> tuple[int, int, int]:
    """Replay the burst through the tracker core, step by step across titles as the concurrent burst runs.

    Returns (webhooks that changed something, bytes of one full save after each, final full size).
    """
    tracker = RequestTracker()
    saves = total = size = 0
    for step in range(4):
        for chain in titles:
            source, body = chain.hooks[step]
            event = PARSERS[source](body)
            if isinstance(event, LibraryItemEvent) and tracker.needs_series_lookup(
                event
            ):
                # What the hub learns from Jellyfin about the series.
                event = replace(
                    event, series_ids=MediaIds(tvdb_id=chain.tvdb, tmdb_id=chain.tmdb)
                )
            if tracker.apply(event, datetime.now(UTC)).is_change:
                size = len(encode(storage_document(entry_id, list(tracker))))
                saves += 1
                total += size
    return saves, total, size


@dataclass
class Burst:
    """What the burst wrote."""

    webhooks: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    results: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    store_source: str = ""
    store: dict[str, int] = field(default_factory=dict)
    file_replaced: int = 0
    file_bytes: int = 0
    file_split: dict[str, int] = field(default_factory=dict)
    wchar: int = 0
    naive_saves: int = 0
    naive_bytes: int = 0
    naive_final: int = 0


async def burst(titles: int) -> Burst:
    """Start hass with the probe watching our files, send the burst, read the counters."""
    work = Path(tempfile.mkdtemp(prefix="mrt-bench-writes-"))
    jellyfin = FakeJellyfin()
    await jellyfin.start()
    install_probe(work / "config")
    hass = HassProcess(
        work / "config", free_port(), extra_yaml=probe_yaml(watch=PREFIX)
    )
    result = Burst()
    try:
        await hass.start()
        flow = await hass.set_up_with_jellyfin_only(jellyfin.url, jellyfin.api_key)
        urls, entry_id = flow["description_placeholders"], flow["result"]["entry_id"]
        plan = chains(titles, jellyfin)
        await asyncio.sleep(2)  # let start-up writes (config entry, registries) pass
        before = await call_probe(hass, "writes")

        async with aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0)
        ) as session:

            async def send(chain: Chain) -> None:
                for source, body in chain.hooks:
                    async with session.post(
                        urls[f"{source}_webhook_url"], json=body
                    ) as response:
                        answer = await response.json()
                        result.statuses[response.status] += 1
                        result.results[answer.get("result", "?")] += 1

            started = time.perf_counter()
            await asyncio.gather(*(send(chain) for chain in plan))
            result.seconds = time.perf_counter() - started
        await asyncio.sleep(
            2
        )  # a compaction the burst started finishes in the background
        after = await call_probe(hass, "writes")
    finally:
        await hass.close()
        await jellyfin.stop()
        shutil.rmtree(work, ignore_errors=True)

    result.webhooks = sum(result.statuses.values())
    result.store_source = after["store"][0]["source"]
    result.store = {
        key: value - before["store"][0].get(key, 0)
        for key, value in after["store"][0].items()
        if isinstance(value, int)
    }
    result.file_replaced = after["files"]["replaced"] - before["files"]["replaced"]
    result.file_bytes = after["files"]["bytes"] - before["files"]["bytes"]
    result.wchar = after["io"]["wchar"] - before["io"]["wchar"]
    result.file_split = file_split(before["files"], after["files"], entry_id)
    result.naive_saves, result.naive_bytes, result.naive_final = naive_burst(
        plan, entry_id
    )
    return result


def _writes(store: dict[str, int], source: str) -> tuple[int, str]:
    """Count writes and say how they split, from the store's own figures."""
    if source == "stats":
        appends, saves = store.get("appends", 0), store.get("saves", 0)
        return (
            appends + saves,
            f"{appends} appends + {saves} snapshot saves ({store.get('compactions', 0)} compactions)",
        )
    saves = store.get("saves", 0)
    return saves, f"{saves} whole-file saves"


def print_rows(
    ours_writes: int,
    detail: str,
    own_bytes: int | None,
    file_replaced: int,
    file_bytes: int,
    wchar: int,
    naive_saves: int,
    naive_bytes: int,
    naive_label: str,
    previous: tuple[str, int, int, str],
) -> None:
    """Print the table of one scenario."""
    print(f"  {'':<44}{'writes':>8}{'bytes':>15}{'vs naive':>10}")
    own = f"{own_bytes:>15,}" if own_bytes is not None else f"{'n/a':>15}"
    print(
        f"  {'ours, store stats':<44}{ours_writes:>8}{own}{_times(naive_bytes, own_bytes):>10}   {detail}"
    )
    print(
        f"  {'ours, bytes into its files (audit hook)':<44}{'':>8}{file_bytes:>15,}{_times(naive_bytes, file_bytes):>10}   ({file_replaced} renamed into place, the rest appended)"
    )
    print(
        f"  {'whole process, /proc io wchar':<44}{'':>8}{wchar:>15,}{_times(naive_bytes, wchar):>10}   (all files, HA's own included)"
    )
    print(f"  {naive_label:<44}{naive_saves:>8}{naive_bytes:>15,}{'1x':>10}")
    previous_label, previous_saves, previous_bytes, note = previous
    print(
        f"  {previous_label:<44}{previous_saves:>8}{previous_bytes:>15,}{_times(naive_bytes, previous_bytes):>10}   {note}"
    )


def _split(files: dict[str, int]) -> str:
    return ", ".join(f"{name} {size:,} B" for name, size in files.items()) or "nothing"


def _times(naive: int, ours: int | None) -> str:
    if not ours:
        return "n/a"
    return f"{naive / ours:.0f}x less" if naive >= ours else f"{ours / naive:.1f}x more"


def report(shot: Burst, hour: HourResult) -> None:
    """Both tables and the summary line."""
    own_burst = shot.store.get("bytes_written")
    print(
        f"(a) burst: {shot.webhooks} webhooks (statuses {dict(shot.statuses)}, {dict(shot.results)}) "
        f"in {shot.seconds:.1f} s, up to {shot.webhooks // 4} at a time, real hass process; store figures: {shot.store_source}"
    )
    burst_writes, burst_detail = _writes(shot.store, shot.store_source)
    print_rows(
        burst_writes,
        burst_detail,
        own_burst,
        shot.file_replaced,
        shot.file_bytes,
        shot.wchar,
        shot.naive_saves,
        shot.naive_bytes,
        "naive: whole file per changing webhook",
        (
            "whole file per group commit (previous store)",
            shot.store.get("appends", 0),
            shot.store.get("appends", 0) * shot.naive_final,
            "at most: each at the final size",
        ),
    )
    print(
        f"  by file: {_split(shot.file_split)}; the whole file at the end: {shot.naive_final:,} bytes"
    )
    print()
    print(f"(b) {hour_header(hour)}; store figures: {hour.store_source}")
    deltas = {
        key: value
        for key in hour.store_after
        if (value := hour.store_delta(key)) is not None
    }
    hour_writes, hour_detail = _writes(deltas, hour.store_source)
    naive_hour = sum(hour.naive_sizes)
    print_rows(
        hour_writes,
        hour_detail,
        deltas.get("bytes_written"),
        hour.file_replaced,
        hour.file_bytes,
        hour.wchar,
        len(hour.naive_sizes),
        naive_hour,
        "naive: whole file every poll",
        (
            "whole file per group commit (previous store)",
            hour.whole_file_flushes,
            hour.whole_file_bytes,
            "our flushes, each at that poll's full size",
        ),
    )
    print(
        f"  by file: {_split(hour.file_split)}; the whole file: {hour.naive_sizes[0]:,} bytes at the first poll, "
        f"{hour.naive_sizes[-1]:,} at the last"
    )
    print(
        f"summary: burst of {shot.webhooks}: {burst_writes} writes, {shot.file_bytes:,} B into our files vs "
        f"{shot.naive_saves} whole-file saves, {shot.naive_bytes:,} B ({_times(shot.naive_bytes, shot.file_bytes)}); "
        f"{hour.options.seconds / 3600:g} h of {hour.options.torrents} downloads: {hour_writes} writes, {hour.file_bytes:,} B vs {len(hour.naive_sizes)} saves, "
        f"{naive_hour:,} B ({_times(naive_hour, hour.file_bytes)})"
    )


async def main(titles: int, options: HourOptions) -> None:
    """Run (a), then (b), and print."""
    shot = await burst(titles)
    hour = await run_hour(options)
    report(shot, hour)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0] if __doc__ else None
    )
    parser.add_argument(
        "--titles", type=int, default=125, help="burst titles (4 webhooks each)"
    )
    add_hour_arguments(parser)
    arguments = parser.parse_args()
    asyncio.run(
        main(
            arguments.titles,
            HourOptions(seconds=arguments.seconds, history=arguments.history),
        )
    )
