"""Benchmark: start-up time and resident memory per stored request, against Home Assistant's own cost per entity.

Every measurement is a fresh, real ``hass`` process (minimal configuration)
with the same config entry of ours (created once through the real config
flow over REST, against a fake Jellyfin) and the same bare custom component
(``bench/bench_probe``). Only N changes:

- ours: N stored requests pre-written to ``.storage/media_request_tracker.<entry_id>``
  (realistic ones built with the integration's model: films and series, most
  finished, timelines of about six entries), so N request sensors;
- baseline: 0 stored requests, and the bare component adds N minimal sensor
  entities (a name, a unique id, so an entity registry entry each, and a state).

Each process is started twice: the first start registers the entities, the
second (a restart, as a user's) is measured: the integration's set-up time as
Home Assistant records it (websocket ``integration/setup_info``: our domain
against the bare component's), the time until HTTP answers (Home Assistant
starts its HTTP server once start-up is done), and the resident memory
(``VmRSS``) after start-up settles, then after a full garbage collection and
``malloc_trim`` (the steady state used for the per-item figures). Per item:
(figure(N) − figure(0)) / N, each variant against its own N = 0 run.

``--profile`` also starts ours and the baseline with ``PYTHONTRACEMALLOC``
at 0 and the largest N and lists the source lines whose memory grew most,
and profiles our entry's set-up with cProfile (``benchkit/setup_profile.py``).

Run: .venv/bin/python bench/startup_memory.py [--counts 0,100,1000,5000] [--quick] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime
import os
from pathlib import Path
import shutil
import statistics
import sys
import tempfile
import time

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchkit.hass_runs import call_probe, install_probe, probe_yaml, setup_timings  # noqa: E402
from benchkit.setup_profile import profile_setup  # noqa: E402
from benchkit.stored_requests import (  # noqa: E402
    build_requests,
    encode,
    storage_document,
    storage_key,
)

from tests.e2e.hass_process import HassProcess  # noqa: E402
from tests.fakes.jellyfin import FakeJellyfin  # noqa: E402
from tests.services.qbittorrent import free_port  # noqa: E402

DOMAIN = "media_request_tracker"
PROBE = "bench_probe"
OURS, BASELINE = "ours", "baseline"


@dataclass
class Run:
    """One fresh hass process, started twice; the restart is measured."""

    variant: str
    count: int
    entities: int = 0
    first_setup: float = 0.0
    setup: float = 0.0
    ready: float = 0.0
    rss_kib: int = 0
    hwm_kib: int = 0
    rss_gc_kib: int = 0
    lines: dict[str, float] = field(default_factory=dict)


async def make_template(work: Path, jellyfin: FakeJellyfin) -> tuple[Path, str]:
    """Onboard a hass and create our entry through the config flow, once; every run copies it."""
    config = work / "template"
    install_probe(config)
    hass = HassProcess(config, free_port(), extra_yaml=probe_yaml())
    await hass.start()
    try:
        result = await hass.set_up_with_jellyfin_only(jellyfin.url, jellyfin.api_key)
        entry_id: str = result["result"]["entry_id"]
        await hass.wait_for_saved_entry()
    finally:
        await hass.close()
    (config / "hass.log").unlink(missing_ok=True)
    (config / "home-assistant.log").unlink(missing_ok=True)
    return config, entry_id


async def measure(
    work: Path,
    template: Path,
    entry_id: str,
    documents: dict[int, bytes],
    variant: str,
    count: int,
    settle: float,
    top: int,
) -> Run:
    """Copy the template, write the storage, start twice, measure the restart."""
    config = work / f"{variant}-{count}-{time.monotonic_ns()}"
    shutil.copytree(template, config, symlinks=True)
    storage = config / ".storage" / storage_key(entry_id)
    storage.write_bytes(documents[count if variant == OURS else 0])
    hass = HassProcess(
        config,
        free_port(),
        extra_yaml=probe_yaml(sensors=count if variant == BASELINE else 0),
    )
    run = Run(variant, count)
    try:
        await hass.start()
        await hass.log_in()
        await hass.wait_until_running()
        run.first_setup = await _setup_seconds(hass, variant)
        await hass.stop()

        started = time.perf_counter()
        await hass.start()
        run.ready = (
            time.perf_counter() - started - 0.5
        )  # start() sleeps 0.5 s at the end
        await hass.log_in()
        await hass.wait_until_running()
        run.setup = await _setup_seconds(hass, variant)
        await asyncio.sleep(settle)
        memory = await call_probe(hass, "memory", {"top": top})
        run.entities = memory["request_sensors" if variant == OURS else "probe_sensors"]
        run.rss_kib = memory["rss_kib"]
        run.hwm_kib = memory["hwm_kib"]
        run.rss_gc_kib = memory["rss_after_gc_kib"]
        run.lines = {line["where"]: line["kib"] for line in memory.get("lines", [])}
    finally:
        await hass.close()
        shutil.rmtree(config, ignore_errors=True)
    if run.entities != count:
        raise RuntimeError(f"{variant} with {count}: {run.entities} entities appeared")
    return run


async def _setup_seconds(hass: HassProcess, variant: str) -> float:
    return (await setup_timings(hass)).get(DOMAIN if variant == OURS else PROBE, 0.0)


def per_item(
    runs: dict[tuple[str, int], Run], variant: str, count: int
) -> tuple[float, float]:
    """(KiB, ms) per item at ``count``, against the same variant at 0."""
    base, run = runs[variant, 0], runs[variant, count]
    return (
        (run.rss_gc_kib - base.rss_gc_kib) / count,
        (run.setup - base.setup) / count * 1000,
    )


def report(
    runs: dict[tuple[str, int], Run], counts: list[int], store_kib: dict[int, float]
) -> None:
    """Print the raw table, the per-item table and the summary line."""
    print(
        f"{'variant':<10}{'N':>6}{'entities':>10}{'setup s':>9}{'(1st start)':>12}"
        f"{'to HTTP s':>11}{'RSS MiB':>9}{'peak MiB':>10}{'RSS gc MiB':>12}"
    )
    for count in counts:
        for variant in (OURS, BASELINE):
            run = runs[variant, count]
            print(
                f"{variant:<10}{count:>6}{run.entities:>10}{run.setup:>9.3f}{run.first_setup:>12.3f}"
                f"{run.ready:>11.2f}{run.rss_kib / 1024:>9.1f}{run.hwm_kib / 1024:>10.1f}{run.rss_gc_kib / 1024:>12.1f}"
            )
    print()
    print(
        "per item, against the same variant with 0 (memory after gc + malloc_trim; set-up time as HA records it)"
    )
    print(
        f"{'N':>6}{'ours KiB':>10}{'base KiB':>10}{'ratio':>7}{'ours ms':>9}{'base ms':>9}{'ratio':>7}"
        f"{'stored KiB/request':>20}"
    )
    for count in counts[1:]:
        ours_kib, ours_ms = per_item(runs, OURS, count)
        base_kib, base_ms = per_item(runs, BASELINE, count)
        print(
            f"{count:>6}{ours_kib:>10.1f}{base_kib:>10.1f}{_ratio(ours_kib, base_kib):>7}"
            f"{ours_ms:>9.3f}{base_ms:>9.3f}{_ratio(ours_ms, base_ms):>7}{store_kib[count]:>20.2f}"
        )
    largest = counts[-1]
    ours_kib, ours_ms = per_item(runs, OURS, largest)
    base_kib, base_ms = per_item(runs, BASELINE, largest)
    memory_ratio, time_ratio = ours_kib / base_kib, ours_ms / base_ms
    linear = _linearity(runs, counts)
    met = "met" if memory_ratio <= 2 and time_ratio <= 2 else "NOT met"
    print(
        f"summary: at {largest:,} requests, {ours_kib:.1f} KiB and {ours_ms:.2f} ms of set-up per request vs "
        f"{base_kib:.1f} KiB and {base_ms:.2f} ms per minimal entity = {memory_ratio:.1f}x memory, "
        f"{time_ratio:.1f}x time (goal <= 2x: {met}); {linear}"
    )


def _ratio(ours: float, base: float) -> str:
    return f"{ours / base:.1f}x" if base > 0 else "n/a"


def _linearity(runs: dict[tuple[str, int], Run], counts: list[int]) -> str:
    """Compare per-item cost at the two largest counts (the smallest is within noise)."""
    if len(counts) < 3:
        return "linearity: needs two counts above 0"
    middle, largest = counts[-2], counts[-1]
    words = []
    for variant in (OURS, BASELINE):
        kib_middle, ms_middle = per_item(runs, variant, middle)
        kib_largest, ms_largest = per_item(runs, variant, largest)
        words.append(
            f"{variant} per item at {largest:,} vs {middle:,}: memory {kib_largest / kib_middle:.2f}x, time {ms_largest / ms_middle:.2f}x"
        )
    return "linearity (1.0 = linear): " + "; ".join(words)


def profile_report(runs: dict[tuple[str, int], Run], count: int, top: int) -> None:
    """Print the source lines whose traced memory grew most from 0 to ``count``."""
    for variant in (OURS, BASELINE):
        base, run = runs[variant, 0], runs[variant, count]
        growth = {
            where: kib - base.lines.get(where, 0.0) for where, kib in run.lines.items()
        }
        total = sum(value for value in growth.values() if value > 0)
        print(
            f"\n{variant}: lines whose memory grew most from 0 to {count:,} (tracemalloc, 1 frame; "
            f"{total / 1024:.1f} MiB over the top {top} lines, {total * 1024 / count:,.0f} B per item)"
        )
        for where, kib in sorted(growth.items(), key=lambda item: -item[1])[:15]:
            print(
                f"  {kib * 1024 / count:>8,.0f} B/item  {kib / 1024:>7.1f} MiB  {where}"
            )


async def main(counts: list[int], settle: float, profile: bool) -> None:
    """Build the template, run every (variant, N) in turn, print the tables."""
    work = Path(tempfile.mkdtemp(prefix="mrt-bench-startup-"))
    now = datetime.now(UTC)
    requests = build_requests(max(counts), now)
    jellyfin = FakeJellyfin()
    await jellyfin.start()
    try:
        template, entry_id = await make_template(work, jellyfin)
        documents = {
            count: encode(storage_document(entry_id, requests[:count]))
            for count in counts
        }
        store_kib = {
            count: len(documents[count]) / 1024 / count for count in counts if count
        }
        runs: dict[tuple[str, int], Run] = {}
        started = time.perf_counter()
        for count in counts:
            for variant in (OURS, BASELINE):
                runs[variant, count] = await measure(
                    work, template, entry_id, documents, variant, count, settle, 0
                )
        elapsed = time.perf_counter() - started
        profiled: dict[tuple[str, int], Run] = {}
        time_profile: list[tuple[str, float, float]] = []
        if profile:
            time_profile = await profile_setup(counts[-1], jellyfin)
            os.environ["PYTHONTRACEMALLOC"] = "1"
            try:
                for count in (0, counts[-1]):
                    for variant in (OURS, BASELINE):
                        profiled[variant, count] = await measure(
                            work,
                            template,
                            entry_id,
                            documents,
                            variant,
                            count,
                            settle,
                            400,
                        )
            finally:
                del os.environ["PYTHONTRACEMALLOC"]
    finally:
        await jellyfin.stop()
        shutil.rmtree(work, ignore_errors=True)

    stages = statistics.mode(r.stage.value for r in requests)
    print(
        f"{len(counts) * 2} fresh hass processes, each started twice (the restart is measured); stored requests: "
        f"{sum(r.media_type.value == 'tv' for r in requests) * 100 // len(requests)} % series, most common stage {stages}, "
        f"{statistics.mean(len(r.timeline) for r in requests):.1f} timeline entries on average; settle {settle:.0f} s; {elapsed:.0f} s"
    )
    report(runs, counts, store_kib)
    if profiled:
        profile_report(profiled, counts[-1], 400)
    if time_profile:
        print(
            f"\nours: where the set-up time goes with {counts[-1]:,} requests (cProfile, cumulative; "
            "a second set-up in the test harness, the entities already registered as after a restart)"
        )
        for label, seconds, share in time_profile:
            print(f"  {share:>5.0%} {seconds:>7.3f} s  {label}")


def _counts(text: str) -> list[int]:
    counts = sorted({int(part) for part in text.split(",")} | {0})
    if len(counts) < 2:
        raise argparse.ArgumentTypeError("give at least one count above 0")
    return counts


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0] if __doc__ else None
    )
    parser.add_argument(
        "--counts",
        type=_counts,
        default=[0, 100, 1000, 5000],
        help="stored requests / baseline entities per run (0 is always added)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="counts 0,100,1000 and a shorter settle"
    )
    parser.add_argument(
        "--settle",
        type=float,
        default=5.0,
        help="seconds to wait after start-up before reading memory",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also run 0 and the largest count under tracemalloc (the lines that grew most) and cProfile our set-up",
    )
    arguments = parser.parse_args()
    if arguments.quick:
        arguments.counts, arguments.settle = [0, 100, 1000], 2.0
    asyncio.run(main(arguments.counts, arguments.settle, arguments.profile))
