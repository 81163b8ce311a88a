"""Benchmark: state rows the recorder writes in an hour of 10 active downloads, against a row per poll per torrent.

The same simulated hour as ``storage_writes.py`` (``benchkit/simulated_hour.py``:
ten active torrents polled every 10 s, some stalling, some finishing and
being imported, a new title taking each finished one's slot), with Home
Assistant's real recorder writing to sqlite in a temp dir. Counted in the
database after the hour, for the rows written during it: ``states`` rows of
our entities, the ``state_attributes`` rows they added (the recorder shares
identical attribute sets) and their bytes, and whether any recorded
attribute set holds the timeline (``RequestSensor`` lists it in
``_unrecorded_attributes``; it must not).

Baseline, from the same run: one state row per poll per active torrent
(polls x torrents, 3,600 for 360 polls of 10), each with its own attribute
row of the average size ours wrote.

Run: .venv/bin/python bench/recorder_growth.py [--seconds 3600] [--history 100]
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
import sys

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchkit.simulated_hour import (  # noqa: E402
    HourOptions,
    HourResult,
    add_hour_arguments,
    hour_header,
    run_hour,
)


def report(hour: HourResult) -> None:
    """Print the table and the summary line."""
    print(hour_header(hour))
    options = hour.options
    baseline_rows = hour.polls * options.torrents
    print(
        f"{'rows written during the hour':<34}{'state rows':>11}{'new stage':>11}{'progress':>10}{'other':>7}"
        f"{'attr rows':>11}{'attr bytes':>12}{'with timeline':>15}"
    )
    for name, rows in hour.rows.items():
        other = rows.states - rows.stage_changes - rows.progress_only
        print(
            f"{'ours, ' + name:<34}{rows.states:>11,}{rows.stage_changes:>11,}{rows.progress_only:>10,}{other:>7,}"
            f"{rows.attribute_rows:>11,}{rows.attribute_bytes:>12,}{rows.with_timeline:>15}"
        )
    requests = hour.rows.get("request sensors")
    states = sum(rows.states for rows in hour.rows.values())
    attribute_rows = sum(rows.attribute_rows for rows in hour.rows.values())
    attribute_bytes = sum(rows.attribute_bytes for rows in hour.rows.values())
    with_timeline = sum(rows.with_timeline for rows in hour.rows.values())
    stage_changes = sum(rows.stage_changes for rows in hour.rows.values())
    progress_only = sum(rows.progress_only for rows in hour.rows.values())
    print(
        f"{'ours, all':<34}{states:>11,}{stage_changes:>11,}{progress_only:>10,}{states - stage_changes - progress_only:>7,}"
        f"{attribute_rows:>11,}{attribute_bytes:>12,}{with_timeline:>15}"
    )
    mean_attributes = (
        requests.attribute_bytes / requests.attribute_rows
        if requests and requests.attribute_rows
        else 0.0
    )
    baseline_bytes = int(baseline_rows * mean_attributes)
    print(
        f"{'baseline, a row per poll per torrent':<34}{baseline_rows:>11,}{'':>11}{'':>10}{'':>7}"
        f"{baseline_rows:>11,}{baseline_bytes:>12,}{'':>15}"
    )
    busiest = hour.entity_rows.most_common(5)
    print(
        "most rows: "
        + ", ".join(
            f"{entity_id.removeprefix('sensor.')} {count}"
            for entity_id, count in busiest
        )
    )
    print(
        f"the timeline, left out: {hour.timeline_bytes:,.0f} B of JSON per request at the end of the hour, "
        f"which every row of a request sensor would otherwise carry (about {hour.timeline_bytes * (requests.states if requests else 0):,.0f} B more)"
    )
    timeline = "never" if with_timeline == 0 else f"in {with_timeline} rows (BUG)"
    print(
        f"summary: {states:,} state rows in {options.seconds / 3600:g} h of {options.torrents} active downloads vs {baseline_rows:,} "
        f"for a row per poll per torrent = {states / baseline_rows:.2f}x ({baseline_rows / max(states, 1):.1f}x fewer); "
        f"attribute bytes {attribute_bytes:,} vs {baseline_bytes:,}; timeline recorded: {timeline}"
    )


async def main(options: HourOptions) -> None:
    """Play the hour with the recorder and print."""
    report(await run_hour(options))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0] if __doc__ else None
    )
    add_hour_arguments(parser)
    arguments = parser.parse_args()
    asyncio.run(
        main(
            HourOptions(
                seconds=arguments.seconds, history=arguments.history, recorder=True
            )
        )
    )
