"""One simulated hour of downloads, played in seconds in Home Assistant's test harness.

The integration runs in an in-process Home Assistant (pytest-homeassistant-
custom-component's ``async_test_home_assistant``), with its real ``Store``
writing real files, a fake Jellyfin, and a fake qBittorrent
(``fake_qbittorrent``) whose torrents move only when the simulated clock does.
``homeassistant.util.dt.utcnow`` reads the simulated clock, so stall
detection (30 minutes) and timelines see simulated time; the event loop keeps
real time.

Ten downloads are active at any time. Each title is a Jellyseerr request and
a Radarr (film) or Sonarr (season pack) grab; its torrent (1-40 GiB,
2-20 MiB/s, wobbling) is polled every 10 simulated seconds, exactly the call
the coordinator's timer makes (``async_refresh``). Some torrents stall for a
while, some finish; a finished one is imported 20 s later (Radarr/Sonarr
import webhook), shows up in Jellyfin 10 s after that (library items and
ItemAdded webhooks), and a new title takes its slot. Jellyfin's periodic
check runs every 60 simulated seconds. Before the hour, ``history`` finished
requests are in storage, as after weeks of use.

Measured during the hour only: the store's own figures, bytes written into
its files at the system-call level (``bench_probe.filewrites``),
``/proc/self/io`` ``wchar`` of the whole process, the full-state file size at
each poll (for the naive design that saves the whole file every poll), and
with the recorder (sqlite in a temp dir) the rows it wrote for our entities.
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter
from dataclasses import asdict, dataclass, field, is_dataclass
from datetime import datetime, timedelta
import hashlib
import json
import logging
from pathlib import Path
import random
import shutil
import sqlite3
import tempfile
import time
from typing import Any

from bench_probe.filewrites import FileWrites, process_io
from homeassistant import loader
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er, recorder as recorder_helper
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (  # type: ignore[import-untyped]
    MockConfigEntry,
    async_test_home_assistant,
)

from custom_components.media_request_tracker.const import (
    CONF_JELLYFIN_API_KEY,
    CONF_JELLYFIN_URL,
    CONF_QBITTORRENT_INTERVAL,
    CONF_QBITTORRENT_PASSWORD,
    CONF_QBITTORRENT_URL,
    CONF_QBITTORRENT_USERNAME,
    CONF_VERIFY_INTERVAL,
    CONF_WEBHOOK_IDS,
    DOMAIN,
)
from custom_components.media_request_tracker.core.parsers import (
    parse_jellyfin,
    parse_jellyseerr,
    parse_radarr,
    parse_sonarr,
)
from tests.fakes.jellyfin import SERVER_ID, FakeJellyfin
from tests.fakes.jellyfin_items import (
    episode as jellyfin_episode,
    movie as jellyfin_movie,
    series as jellyfin_series,
)
from tests.payloads import payload

from .fake_qbittorrent import GIB, MIB, FakeQBittorrent, SimTorrent
from .stored_requests import build_requests, encode, storage_document, storage_key

ENTRY_ID = "01JBENCHSIMULATEDHOUR00000"
TITLE = "Jellyfin Home"
EPISODES = 9  # the season pack fixture's episodes
VERIFY_EVERY = 60  # the default Jellyfin check interval, simulated


@dataclass
class HourOptions:
    """What to play."""

    torrents: int = 10
    seconds: int = 3600
    interval: int = 10
    history: int = 100
    seed: int = 7
    recorder: bool = False


def add_hour_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the command-line options both hour benchmarks take."""
    parser.add_argument("--seconds", type=int, default=3600, help="simulated seconds")
    parser.add_argument(
        "--history",
        type=int,
        default=100,
        help="finished requests stored before the hour",
    )


@dataclass
class Rows:
    """Recorder rows for one group of our entities, written during the hour."""

    states: int = 0
    # Rows whose state (the stage) changed; the others changed attributes only.
    stage_changes: int = 0
    # Attribute-only rows in which progress moved.
    progress_only: int = 0
    attribute_rows: int = 0
    attribute_bytes: int = 0
    with_timeline: int = 0


@dataclass
class HourResult:
    """What the hour cost."""

    options: HourOptions
    polls: int = 0
    polls_that_wrote: int = 0
    maindata_calls: int = 0
    titles: int = 0
    finished: int = 0
    imported: int = 0
    available: int = 0
    stalled_notes: int = 0
    requests_at_end: int = 0
    store_source: str = ""
    store_before: dict[str, Any] = field(default_factory=dict)
    store_after: dict[str, Any] = field(default_factory=dict)
    file_replaced: int = 0
    file_opened: int = 0
    file_bytes: int = 0
    # Bytes per file (the entry id shown as <entry>).
    file_split: dict[str, int] = field(default_factory=dict)
    wchar: int = 0
    naive_sizes: list[int] = field(default_factory=list)
    # The same flushes, each a whole-file save (the store before the journal).
    whole_file_flushes: int = 0
    whole_file_bytes: int = 0
    rows: dict[str, Rows] = field(default_factory=dict)
    entity_rows: Counter[str] = field(default_factory=Counter)
    # Mean JSON size of the timeline of the hour's requests at its end.
    timeline_bytes: float = 0.0
    wall_seconds: float = 0.0

    def store_delta(self, key: str) -> int | None:
        """How much a numeric store figure grew during the hour."""
        before, after = self.store_before.get(key), self.store_after.get(key)
        if isinstance(before, int) and isinstance(after, int):
            return after - before
        return None


def quiet_logs() -> None:
    """Keep Home Assistant's warnings (an untested custom integration, zlib) off the table."""
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s"
        )


class SimClock:
    """The simulated ``utcnow``."""

    def __init__(self, start: datetime) -> None:
        """Start at ``start``."""
        self.at = start

    def now(self) -> datetime:
        """Return the simulated time; ``dt_util.utcnow`` while the hour plays."""
        return self.at

    def advance(self, seconds: float) -> None:
        """Move forward."""
        self.at += timedelta(seconds=seconds)


@dataclass
class Title:
    """One request, its download, and where it stands in the play."""

    number: int
    is_tv: bool
    torrent: SimTorrent
    slot: int
    finished_at: int | None = None
    done_steps: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        """Title as Jellyseerr and the *arrs send it."""
        return f"Bench {'Show' if self.is_tv else 'Film'} {self.number}"

    @property
    def tmdb(self) -> int:
        """TMDB id."""
        return 600000 + self.number

    @property
    def tvdb(self) -> int:
        """TVDB id (series)."""
        return 700000 + self.number


def _store_figures(store: object) -> tuple[str, dict[str, Any]]:
    stats = getattr(store, "stats", None)
    if stats is not None and is_dataclass(stats) and not isinstance(stats, type):
        return "stats", asdict(stats)
    return "save_count", {"saves": getattr(store, "save_count", None)}


def file_split(
    before: dict[str, Any], after: dict[str, Any], entry_id: str
) -> dict[str, int]:
    """Bytes written into each file between two ``FileWrites`` reports."""
    return {
        name.replace(entry_id, "<entry>"): figures["bytes"]
        - before["files"].get(name, {}).get("bytes", 0)
        for name, figures in after["files"].items()
        if figures["bytes"] - before["files"].get(name, {}).get("bytes", 0)
    }


def _flushes(store: object) -> int:
    """Count group commits: journal appends, or whole-file saves before the journal."""
    source, figures = _store_figures(store)
    value = figures.get("appends" if source == "stats" else "saves")
    return value if isinstance(value, int) else 0


def _store_writes(store: object) -> int:
    """Count appends and saves so far, whichever the store counts."""
    _, figures = _store_figures(store)
    return sum(
        value
        for key, value in figures.items()
        if key in ("saves", "appends") and isinstance(value, int)
    )


class HourPlayer:
    """Plays the hour against one Home Assistant."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: MockConfigEntry,
        clock: SimClock,
        qbittorrent: FakeQBittorrent,
        jellyfin: FakeJellyfin,
        options: HourOptions,
    ) -> None:
        """Hold the pieces."""
        self.hass = hass
        self.entry = entry
        self.clock = clock
        self.qbittorrent = qbittorrent
        self.jellyfin = jellyfin
        self.options = options
        self.rng = random.Random(options.seed)
        self.titles: list[Title] = []
        self.started = clock.at

    @property
    def hub(self) -> Any:
        """The entry's request hub."""
        return self.entry.runtime_data.hub

    async def start_title(self, slot: int) -> Title:
        """Send a new request and its grab; the torrent appears in qBittorrent."""
        number = len(self.titles)
        is_tv = self.rng.random() < 0.4
        now = self.clock.at.timestamp()
        torrent_hash = hashlib.sha1(f"bench-{number}".encode()).hexdigest()  # noqa: S324 - an id, not security
        torrent = SimTorrent(
            hash=torrent_hash,
            name=f"Bench.{'Show.S01' if is_tv else 'Film'}.{number}.1080p.WEB-DL-GRP",
            size=int(self.rng.uniform(1, 40) * GIB),
            speed=self.rng.uniform(2, 20) * MIB,
            category="sonarr" if is_tv else "radarr",
            added_on=int(self.clock.at.timestamp()),
            rng=random.Random(self.options.seed * 7919 + number),
        )
        # Three of the first ten lose their peers: 40 minutes (flagged as stalled after 30,
        # then moving again), 5 minutes (not long enough), and for good from minute 10.
        stall = {2: (300, 2700), 5: (1200, 1500), 7: (600, 10**9)}.get(number)
        if stall is not None:
            torrent.stalls.append((now + stall[0], now + stall[1]))
        title = Title(number, is_tv, torrent, slot)
        self.titles.append(title)
        self.qbittorrent.add(torrent)
        year = 2000 + number % 25
        if is_tv:
            request = payload("jellyseerr_tv_pending")
            request["notification_type"] = "MEDIA_AUTO_APPROVED"
            request["media"]["tmdbId"] = str(title.tmdb)
            request["media"]["tvdbId"] = str(title.tvdb)
            request["request"]["request_id"] = str(5000 + number)
            request["subject"] = f"{title.name} ({year})"
            grab = payload("sonarr_grab_season_pack")
            self._series(grab, title, year)
            grab["downloadId"] = torrent_hash.upper()
            grab["release"]["size"] = torrent.size
            await self.hub.async_handle(parse_jellyseerr(request))
            await self.hub.async_handle(parse_sonarr(grab))
        else:
            request = payload("jellyseerr_movie_auto_approved")
            request["media"]["tmdbId"] = str(title.tmdb)
            request["request"]["request_id"] = str(5000 + number)
            request["subject"] = f"{title.name} ({year})"
            grab = payload("radarr_grab")
            self._movie(grab, title, year)
            grab["downloadId"] = torrent_hash.upper()
            grab["release"]["size"] = torrent.size
            await self.hub.async_handle(parse_jellyseerr(request))
            await self.hub.async_handle(parse_radarr(grab))
        return title

    @staticmethod
    def _series(body: dict[str, Any], title: Title, year: int) -> None:
        body["series"].update(
            title=title.name, tvdbId=title.tvdb, tmdbId=title.tmdb, imdbId="", year=year
        )

    @staticmethod
    def _movie(body: dict[str, Any], title: Title, year: int) -> None:
        body["movie"].update(title=title.name, tmdbId=title.tmdb, imdbId="", year=year)
        body["remoteMovie"].update(
            title=title.name, tmdbId=title.tmdb, imdbId="", year=year
        )

    async def after_poll(self, step: int) -> None:
        """Import finished downloads, let Jellyfin find them, refill the slots."""
        for title in list(self.titles):
            if title.torrent.done and title.finished_at is None:
                title.finished_at = step
            if title.finished_at is None:
                continue
            since = step - title.finished_at
            if since >= 2 and "imported" not in title.done_steps:
                title.done_steps.append("imported")
                await self._import(title)
            if since >= 3 and "library" not in title.done_steps:
                title.done_steps.append("library")
                await self._library(title)
                await self.start_title(title.slot)

    async def _import(self, title: Title) -> None:
        year = 2000 + title.number % 25
        if title.is_tv:
            body = payload("sonarr_download_import_complete")
            self._series(body, title, year)
            body["downloadId"] = title.torrent.hash.upper()
            await self.hub.async_handle(parse_sonarr(body))
        else:
            body = payload("radarr_download")
            self._movie(body, title, year)
            body["downloadId"] = title.torrent.hash.upper()
            await self.hub.async_handle(parse_radarr(body))

    async def _library(self, title: Title) -> None:
        """Put the files in Jellyfin (saved now, in simulated time) and send ItemAdded."""
        year = 2000 + title.number % 25
        saved = self.clock.at.strftime("%Y-%m-%dT%H:%M:%S.%f0Z")
        if title.is_tv:
            show = self.jellyfin.add_item(
                DateLastSaved=saved,
                **jellyfin_series(
                    title.name, year, {"Tvdb": str(title.tvdb), "Tmdb": str(title.tmdb)}
                ),
            )
            for number in range(1, EPISODES + 1):
                item = self.jellyfin.add_item(
                    DateLastSaved=saved, **jellyfin_episode(show, 1, number)
                )
                added = payload("jellyfin_item_added_episode")
                added.update(
                    ItemId=item["Id"],
                    Name=item["Name"],
                    SeriesName=title.name,
                    SeriesId=show["Id"],
                    SeasonNumber="1",
                    EpisodeNumber=str(number),
                    Provider_tvdb="",
                    Year=str(year),
                )
                await self.hub.async_handle(parse_jellyfin(added))
        else:
            item = self.jellyfin.add_item(
                DateLastSaved=saved,
                **jellyfin_movie(title.name, year, {"Tmdb": str(title.tmdb)}),
            )
            added = payload("jellyfin_item_added_movie")
            added.update(
                ItemId=item["Id"],
                Name=title.name,
                Year=str(year),
                Provider_tmdb=str(title.tmdb),
                Provider_imdb="",
            )
            await self.hub.async_handle(parse_jellyfin(added))


def _recorder_rows(
    database: Path, groups: dict[str, set[str]], after_state: int, after_attributes: int
) -> tuple[dict[str, Rows], Counter[str], int, int]:
    """Rows written after the given ids, for each group of entity ids."""
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        rows = connection.execute(
            "SELECT s.state_id, sm.entity_id, s.state, s.attributes_id, sa.shared_attrs "
            "FROM states s JOIN states_meta sm ON s.metadata_id = sm.metadata_id "
            "LEFT JOIN state_attributes sa ON s.attributes_id = sa.attributes_id "
            "ORDER BY s.state_id"
        ).fetchall()
        max_state = (
            connection.execute("SELECT MAX(state_id) FROM states").fetchone()[0] or 0
        )
        max_attributes = (
            connection.execute(
                "SELECT MAX(attributes_id) FROM state_attributes"
            ).fetchone()[0]
            or 0
        )
    finally:
        connection.close()
    result: dict[str, Rows] = {name: Rows() for name in groups}
    per_entity: Counter[str] = Counter()
    seen: set[int] = set()
    previous: dict[str, tuple[str, dict[str, Any]]] = {}
    for state_id, entity_id, state, attributes_id, shared in rows:
        attributes = json.loads(shared) if shared else {}
        before = previous.get(entity_id)
        previous[entity_id] = (state, attributes)
        if state_id <= after_state:
            continue
        for name, members in groups.items():
            if entity_id not in members:
                continue
            per_entity[entity_id] += 1
            group = result[name]
            group.states += 1
            if before is None or before[0] != state:
                group.stage_changes += 1
            elif before[1].get("progress") != attributes.get("progress"):
                group.progress_only += 1
            if shared and '"timeline"' in shared:
                group.with_timeline += 1
            if (
                attributes_id is not None
                and attributes_id > after_attributes
                and attributes_id not in seen
            ):
                seen.add(attributes_id)
                group.attribute_rows += 1
                group.attribute_bytes += len(shared or "")
    return result, per_entity, max_state, max_attributes


async def run_hour(options: HourOptions) -> HourResult:
    """Play the hour and return its figures."""
    quiet_logs()
    work = Path(tempfile.mkdtemp(prefix="mrt-bench-hour-"))
    config_dir = work / "config"
    storage = config_dir / ".storage"
    storage.mkdir(parents=True)
    database = work / "recorder.db"
    clock = SimClock(dt_util.utcnow().replace(microsecond=0))
    qbittorrent = FakeQBittorrent(clock.at.timestamp())
    jellyfin = FakeJellyfin()
    await qbittorrent.start()
    await jellyfin.start()
    watcher = FileWrites(storage, f"{DOMAIN}.")
    watcher.install()
    result = HourResult(options)
    original_utcnow = dt_util.utcnow
    history = build_requests(
        options.history, clock.at, seed=options.seed, finished_only=True
    )
    (storage / storage_key(ENTRY_ID)).write_bytes(
        encode(storage_document(ENTRY_ID, history))
    )
    wall = time.perf_counter()
    try:
        dt_util.utcnow = clock.now  # type: ignore[assignment]
        async with async_test_home_assistant(config_dir=str(config_dir)) as hass:
            hass.data.pop(loader.DATA_CUSTOM_COMPONENTS)
            if options.recorder:
                recorder_helper.async_initialize_recorder(hass)
                assert await async_setup_component(
                    hass, "recorder", {"recorder": {"db_url": f"sqlite:///{database}"}}
                )
                await hass.data[recorder_helper.DATA_RECORDER].db_connected
                await hass.async_block_till_done()
            entry = MockConfigEntry(
                domain=DOMAIN,
                title=TITLE,
                entry_id=ENTRY_ID,
                unique_id=SERVER_ID,
                data={
                    CONF_JELLYFIN_URL: jellyfin.url,
                    CONF_JELLYFIN_API_KEY: jellyfin.api_key,
                    CONF_QBITTORRENT_URL: qbittorrent.url,
                    CONF_QBITTORRENT_USERNAME: qbittorrent.username,
                    CONF_QBITTORRENT_PASSWORD: qbittorrent.password,
                    CONF_WEBHOOK_IDS: {
                        source: f"bench-{source}-webhook"
                        for source in ("jellyseerr", "radarr", "sonarr", "jellyfin")
                    },
                },
                # The coordinators' own timers run in real time; the play calls
                # them every 10 (qBittorrent) and 60 (Jellyfin) simulated seconds.
                options={CONF_QBITTORRENT_INTERVAL: 3600, CONF_VERIFY_INTERVAL: 3600},
            )
            entry.add_to_hass(hass)
            assert await hass.config_entries.async_setup(entry.entry_id)
            await hass.async_block_till_done()
            player = HourPlayer(hass, entry, clock, qbittorrent, jellyfin, options)
            for slot in range(options.torrents):
                await player.start_title(slot)
            coordinator = entry.runtime_data.qbittorrent
            verifier = entry.runtime_data.verifier
            assert coordinator is not None
            await hass.async_block_till_done()
            # The first Jellyfin check runs in the background.
            await asyncio.sleep(1)

            # The hour starts here.
            state_mark = attribute_mark = 0
            if options.recorder:
                await _recorder_sync(hass)
                _, _, state_mark, attribute_mark = await hass.async_add_executor_job(
                    _recorder_rows, database, {}, 0, 0
                )
            result.store_source, result.store_before = _store_figures(player.hub.store)
            files_before = await hass.async_add_executor_job(watcher.report)
            io_before = await hass.async_add_executor_job(process_io)
            calls_before = qbittorrent.maindata_calls
            steps = options.seconds // options.interval
            for step in range(1, steps + 1):
                flushes = _flushes(player.hub.store)
                clock.advance(options.interval)
                qbittorrent.advance(options.interval)
                writes = _store_writes(player.hub.store)
                await coordinator.async_refresh()
                if _store_writes(player.hub.store) > writes:
                    result.polls_that_wrote += 1
                result.polls += 1
                result.naive_sizes.append(
                    len(encode(storage_document(ENTRY_ID, list(player.hub.tracker))))
                )
                await player.after_poll(step)
                if step * options.interval % VERIFY_EVERY == 0:
                    await verifier.async_refresh()
                await hass.async_block_till_done()
                # The previous store rewrote the whole file on every flush.
                flushed = _flushes(player.hub.store) - flushes
                result.whole_file_flushes += flushed
                result.whole_file_bytes += flushed * result.naive_sizes[-1]
            await asyncio.sleep(1)  # the last background Jellyfin checks
            await hass.async_block_till_done()
            _, result.store_after = _store_figures(player.hub.store)
            files_after = await hass.async_add_executor_job(watcher.report)
            io_after = await hass.async_add_executor_job(process_io)
            result.maindata_calls = qbittorrent.maindata_calls - calls_before
            result.file_replaced = files_after["replaced"] - files_before["replaced"]
            result.file_opened = files_after["opened"] - files_before["opened"]
            result.file_bytes = files_after["bytes"] - files_before["bytes"]
            result.wchar = io_after["wchar"] - io_before["wchar"]
            result.file_split = file_split(files_before, files_after, ENTRY_ID)
            result.titles = len(player.titles)
            result.finished = sum(t.finished_at is not None for t in player.titles)
            result.imported = sum("imported" in t.done_steps for t in player.titles)
            tracker = player.hub.tracker
            result.requests_at_end = len(tracker)
            result.available = sum(
                1
                for request in tracker
                if request.stage.value == "available"
                and request.request_id not in {r.request_id for r in history}
            )
            played = [
                request
                for request in tracker
                if request.request_id not in {r.request_id for r in history}
            ]
            result.timeline_bytes = sum(
                len(json.dumps([line.as_dict() for line in request.timeline]))
                for request in played
            ) / max(len(played), 1)
            result.stalled_notes = sum(
                1
                for request in tracker
                for entry_line in request.timeline
                if entry_line.detail.startswith("stalled")
                or entry_line.detail == "data is moving again"
            )
            if options.recorder:
                await _recorder_sync(hass)
                registry = er.async_get(hass)
                ours = {
                    item.entity_id
                    for item in er.async_entries_for_config_entry(registry, ENTRY_ID)
                }
                requests = {
                    entity_id for entity_id in ours if entity_id.startswith("sensor.")
                } - {f"sensor.{TITLE.lower().replace(' ', '_')}_active_requests"}
                groups = {
                    "request sensors": requests,
                    "active requests sensor": {
                        entity_id
                        for entity_id in ours
                        if entity_id.endswith("_active_requests")
                    },
                    "connection sensors": {
                        entity_id
                        for entity_id in ours
                        if entity_id.startswith("binary_sensor.")
                    },
                }
                (
                    result.rows,
                    result.entity_rows,
                    _,
                    _,
                ) = await hass.async_add_executor_job(
                    _recorder_rows, database, groups, state_mark, attribute_mark
                )
            await hass.config_entries.async_unload(entry.entry_id)
            await hass.async_stop(force=True)
    finally:
        dt_util.utcnow = original_utcnow
        watcher.stop()
        await qbittorrent.stop()
        await jellyfin.stop()
        shutil.rmtree(work, ignore_errors=True)
    result.wall_seconds = time.perf_counter() - wall
    return result


async def _recorder_sync(hass: HomeAssistant) -> None:
    """Wait until the recorder has committed everything queued so far."""
    await hass.async_block_till_done()
    await recorder_helper.get_instance(hass).async_block_till_done()
    await hass.async_block_till_done()


def hour_header(result: HourResult) -> str:
    """One line that says what was played."""
    options = result.options
    return (
        f"simulated {options.seconds} s, a poll every {options.interval} s ({result.polls} polls, "
        f"{result.maindata_calls} sync/maindata calls, {result.polls_that_wrote} of them wrote to storage), {options.torrents} downloads active at a time "
        f"({result.titles} titles: {result.finished} finished, {result.imported} imported, "
        f"{result.available} available, {result.stalled_notes} stalled/moving-again notes), {options.history} finished "
        f"requests in storage before; wall time {result.wall_seconds:.1f} s"
    )
