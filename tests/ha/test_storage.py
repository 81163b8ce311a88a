"""Requests are durable before a webhook is answered, and bursts share writes."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
import errno
from http import HTTPStatus
import json
import logging
import os
from pathlib import Path
import threading
import time
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import CoreState, HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.media_request_tracker.const import CONF_RETENTION_DAYS
from custom_components.media_request_tracker.store import StorageError
from tests.payloads import jellyseerr, payload

from .conftest import (
    ENTRY_ID,
    STORAGE_KEY,
    WEBHOOK_IDS,
    PostWebhook,
    entry_with,
    set_up,
    stored_requests,
)


async def test_answer_comes_only_after_the_request_is_stored(
    hass: HomeAssistant, post_webhook: PostWebhook
) -> None:
    response = await post_webhook(
        "jellyseerr", payload("jellyseerr_movie_auto_approved")
    )
    assert response.status == HTTPStatus.OK
    # No timer has run: the write happened before the answer.
    stored = await stored_requests(hass)
    assert stored["42"]["stage"] == "approved"


async def test_a_burst_of_100_webhooks_causes_a_handful_of_writes(
    hass: HomeAssistant,
    post_webhook: PostWebhook,
    setup_integration: MockConfigEntry,
) -> None:
    store = setup_integration.runtime_data.hub.store
    appends_before = store.stats.appends
    real_append = store._journal.append

    def append_at_disk_speed(data: bytes) -> None:
        # A slow disk: each write takes 5 ms, so later webhooks pile up.
        time.sleep(0.005)
        real_append(data)

    store._journal.append = append_at_disk_speed
    bodies = [
        jellyseerr("jellyseerr_movie_auto_approved", request_id=str(1000 + n))
        for n in range(100)
    ]
    responses = await asyncio.gather(
        *(post_webhook("jellyseerr", body) for body in bodies)
    )
    assert {response.status for response in responses} == {HTTPStatus.OK}
    assert len(await stored_requests(hass)) == 100
    assert store.stats.appends - appends_before <= 5


async def test_finished_requests_are_removed_after_retention(
    hass: HomeAssistant,
    hass_client_no_auth,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    config_entry = await set_up(
        hass, entry_with(config_entry, options={CONF_RETENTION_DAYS: 2})
    )
    client = await hass_client_no_auth()
    hooks = config_entry.data["webhook_ids"]
    await client.post(
        f"/api/webhook/{hooks['jellyseerr']}",
        json=payload("jellyseerr_movie_auto_approved"),
    )
    await client.post(
        f"/api/webhook/{hooks['jellyseerr']}", json=payload("jellyseerr_tv_pending")
    )
    await client.post(
        f"/api/webhook/{hooks['jellyfin']}", json=payload("jellyfin_item_added_movie")
    )

    freezer.tick(timedelta(days=2, hours=7))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()

    assert hass.states.get("sensor.jellyfin_home_dune_part_two_2024") is None
    assert (
        er.async_get(hass).async_get_entity_id(
            "sensor", "media_request_tracker", f"{ENTRY_ID}_42"
        )
        is None
    )
    assert hass.states.get("sensor.jellyfin_home_severance_2022").state == "requested"
    assert list(await stored_requests(hass)) == ["43"]


async def test_removing_the_entry_deletes_its_storage(
    hass: HomeAssistant,
    post_webhook: PostWebhook,
    setup_integration: MockConfigEntry,
) -> None:
    await post_webhook("jellyseerr", payload("jellyseerr_movie_auto_approved"))
    assert await stored_requests(hass)
    await hass.config_entries.async_remove(setup_integration.entry_id)
    await hass.async_block_till_done()
    assert not await stored_requests(hass)
    assert not list(Path(hass.config.path(".storage")).glob(f"{STORAGE_KEY}*"))


ALIEN = {
    "request_id": "9",
    "media_type": "movie",
    "title": "Alien",
    "year": 1979,
    "stage": "indexed",
    "requested_at": "2024-06-01T20:00:00+00:00",
    "tmdb_id": 348,
}
# As a later version might write it: a stage this version does not know.
FROM_A_NEWER_VERSION = {**ALIEN, "request_id": "10", "stage": "transcoding"}


async def test_a_stored_request_that_cannot_be_read_is_set_aside_and_kept_on_disk(
    hass: HomeAssistant,
    hass_client_no_auth,
    config_entry: MockConfigEntry,
    caplog,
) -> None:
    unkeyed = {"title": "no request id"}
    write_snapshot(hass, {"requests": [FROM_A_NEWER_VERSION, unkeyed, ALIEN]})
    await set_up(hass, config_entry)
    assert hass.states.get("sensor.jellyfin_home_alien_1979").state == "indexed"
    assert hass.states.get("sensor.jellyfin_home_active_requests").state == "1"
    [warning] = [m for m in caplog.messages if "Stored request" in m]
    assert "Stored request 10 cannot be read" in warning
    assert "kept on disk as it is" in warning

    # A change, then an unload: the snapshot is rewritten from memory.
    client = await hass_client_no_auth()
    await client.post(
        f"/api/webhook/{WEBHOOK_IDS['jellyseerr']}",
        json=payload("jellyseerr_movie_auto_approved"),
    )
    assert await hass.config_entries.async_unload(config_entry.entry_id)
    requests = read_snapshot(hass)["requests"]
    assert FROM_A_NEWER_VERSION in requests
    assert unkeyed in requests
    assert {r.get("request_id") for r in requests} == {"9", "10", "42", None}


async def test_a_snapshot_of_a_newer_minor_version_is_read_and_said_so_once(
    hass: HomeAssistant, config_entry: MockConfigEntry, caplog
) -> None:
    write_snapshot(hass, {"requests": [ALIEN]}, minor_version=7)
    await set_up(hass, config_entry)
    assert hass.states.get("sensor.jellyfin_home_alien_1979").state == "indexed"
    [warning] = [m for m in caplog.messages if "newer version" in m]
    assert "storage version 1.7" in warning


async def test_a_snapshot_of_a_newer_major_version_stops_set_up_and_is_left_alone(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    write_snapshot(hass, {"records": [ALIEN]}, version=2)
    journal_path(hass).write_bytes(b'{"put": {"request_id": "9"}}\n')
    before = snapshot_path(hass).read_bytes()
    config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(config_entry.entry_id)
    assert config_entry.state is ConfigEntryState.SETUP_ERROR
    assert config_entry.error_reason_translation_key == "storage_newer_version"
    assert snapshot_path(hass).read_bytes() == before
    assert journal_path(hass).read_bytes() == b'{"put": {"request_id": "9"}}\n'


def snapshot_path(hass: HomeAssistant) -> Path:
    return Path(hass.config.path(".storage", STORAGE_KEY))


def read_snapshot(hass: HomeAssistant) -> dict[str, Any]:
    document = json.loads(snapshot_path(hass).read_text())
    assert (document["version"], document["key"]) == (1, STORAGE_KEY)
    return document["data"]


def write_snapshot(
    hass: HomeAssistant,
    data: dict[str, Any],
    *,
    version: int = 1,
    minor_version: int = 1,
) -> None:
    snapshot_path(hass).parent.mkdir(exist_ok=True)
    snapshot_path(hass).write_text(
        json.dumps(
            {
                "version": version,
                "minor_version": minor_version,
                "key": STORAGE_KEY,
                "data": data,
            }
        )
    )


def journal_path(hass: HomeAssistant) -> Path:
    return Path(hass.config.path(".storage", f"{STORAGE_KEY}.journal"))


async def test_a_webhook_writes_only_the_request_it_changed(
    hass: HomeAssistant, post_webhook: PostWebhook, setup_integration: MockConfigEntry
) -> None:
    store = setup_integration.runtime_data.hub.store
    for number in range(50):
        await post_webhook(
            "jellyseerr",
            jellyseerr("jellyseerr_movie_auto_approved", request_id=str(number)),
        )
    first = store.stats.bytes_written
    await post_webhook(
        "jellyseerr", jellyseerr("jellyseerr_movie_auto_approved", request_id="50")
    )
    # The 51st request costs what the first one did, not 51 requests' worth.
    assert store.stats.bytes_written - first < 2 * first / 50


async def test_the_journal_is_folded_into_the_snapshot_once_it_outgrows_it(
    hass: HomeAssistant,
    post_webhook: PostWebhook,
    setup_integration: MockConfigEntry,
    monkeypatch,
) -> None:
    monkeypatch.setattr(
        "custom_components.media_request_tracker.store.request_store.COMPACT_AFTER_BYTES",
        4096,
    )
    store = setup_integration.runtime_data.hub.store
    real_append, real_write = store._journal.append, store._snapshot.write
    appended = threading.Event()

    def append(data: bytes) -> None:
        real_append(data)
        appended.set()

    def write_after_the_next_append(requests: list[bytes]) -> int:
        # The snapshot waits for the next webhook's line (0.2 s at most), so
        # later webhooks land in the middle of every fold.
        appended.clear()
        appended.wait(0.2)
        return real_write(requests)

    store._journal.append = append
    store._snapshot.write = write_after_the_next_append
    for number in range(20):
        await post_webhook(
            "jellyseerr",
            jellyseerr("jellyseerr_movie_auto_approved", request_id=str(number)),
        )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert store.stats.compactions >= 1
    assert len(read_snapshot(hass)["requests"]) >= 10
    stored = await stored_requests(hass)
    assert sorted(stored, key=int) == [str(number) for number in range(20)]
    assert {request["stage"] for request in stored.values()} == {"approved"}


async def test_unloading_leaves_everything_in_the_snapshot(
    hass: HomeAssistant,
    post_webhook: PostWebhook,
    setup_integration: MockConfigEntry,
) -> None:
    await post_webhook("jellyseerr", payload("jellyseerr_movie_auto_approved"))
    await hass.config_entries.async_unload(setup_integration.entry_id)
    (request,) = read_snapshot(hass)["requests"]
    assert request["request_id"] == "42"
    assert not journal_path(hass).exists() or not journal_path(hass).read_bytes()


async def test_a_line_cut_short_by_a_kill_is_skipped_and_the_rest_kept(
    hass: HomeAssistant, post_webhook: PostWebhook, caplog
) -> None:
    await post_webhook("jellyseerr", payload("jellyseerr_movie_auto_approved"))
    with journal_path(hass).open("ab") as journal:
        journal.write(b'{"put": {"request_id": "43", "tit')
    assert list(await stored_requests(hass)) == ["42"]
    assert "Skipped unreadable line 2 of the request journal" in caplog.text
    assert "Traceback" not in caplog.text


async def test_a_compaction_cut_short_is_completed_from_the_old_journal(
    hass: HomeAssistant, post_webhook: PostWebhook, setup_integration: MockConfigEntry
) -> None:
    await post_webhook("jellyseerr", payload("jellyseerr_movie_auto_approved"))
    # Killed after the journal was set aside, before the snapshot was written.
    setup_integration.runtime_data.hub.store._journal.rotate()
    assert not journal_path(hass).exists()
    await post_webhook(
        "jellyseerr", jellyseerr("jellyseerr_tv_pending", request_id="43")
    )
    assert sorted(await stored_requests(hass)) == ["42", "43"]


async def test_a_write_that_fails_answers_503_and_is_written_once_the_disk_works(
    hass: HomeAssistant,
    post_webhook: PostWebhook,
    setup_integration: MockConfigEntry,
    caplog,
) -> None:
    store = setup_integration.runtime_data.hub.store
    real_append = store._journal.append

    def disk_full(data: bytes) -> None:
        raise OSError(28, "No space left on device")

    store._journal.append = disk_full
    response = await post_webhook(
        "jellyseerr", payload("jellyseerr_movie_auto_approved")
    )
    assert response.status == HTTPStatus.SERVICE_UNAVAILABLE
    assert (await response.json())["result"] == "error"
    [error] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "No space left on device" in error.getMessage()
    assert "Traceback" not in caplog.text
    # Home Assistant names the webhook at DEBUG; we never do.
    assert not [
        r
        for r in caplog.records
        if r.name.startswith("custom_components")
        and WEBHOOK_IDS["jellyseerr"] in r.getMessage()
    ]
    assert await stored_requests(hass) == {}

    store._journal.append = real_append
    response = await post_webhook("radarr", payload("radarr_grab"))
    assert response.status == HTTPStatus.OK
    assert (await stored_requests(hass))["42"]["stage"] == "indexed"
    assert "Request changes are stored again" in caplog.text


async def test_a_snapshot_that_cannot_be_written_keeps_the_journal(
    hass: HomeAssistant,
    post_webhook: PostWebhook,
    setup_integration: MockConfigEntry,
    caplog,
) -> None:
    await post_webhook("jellyseerr", payload("jellyseerr_movie_auto_approved"))
    store = setup_integration.runtime_data.hub.store

    def disk_full(requests: list) -> int:
        raise StorageError("No space left on device")

    store._snapshot.write = disk_full
    assert await hass.config_entries.async_unload(setup_integration.entry_id)
    assert "Cannot fold the request journal into the snapshot" in caplog.text
    assert "Traceback" not in caplog.text
    assert list(await stored_requests(hass)) == ["42"]


async def test_the_snapshot_is_written_at_once_while_home_assistant_stops(
    hass: HomeAssistant, post_webhook: PostWebhook, setup_integration: MockConfigEntry
) -> None:
    await post_webhook("jellyseerr", payload("jellyseerr_movie_auto_approved"))
    hass.set_state(CoreState.stopping)
    await setup_integration.runtime_data.hub.store.async_close()
    hass.set_state(CoreState.running)
    (request,) = read_snapshot(hass)["requests"]
    assert request["request_id"] == "42"
    assert not journal_path(hass).with_name(journal_path(hass).name + ".old").exists()


async def test_after_a_kill_mid_line_the_next_change_starts_a_line_of_its_own(
    hass: HomeAssistant, post_webhook: PostWebhook, setup_integration: MockConfigEntry
) -> None:
    await post_webhook("jellyseerr", payload("jellyseerr_movie_auto_approved"))
    await hass.config_entries.async_unload(setup_integration.entry_id)
    with journal_path(hass).open("ab") as journal:
        journal.write(b'{"put": {"request_id": "99", "tit')
    # The restart after the kill: the fragment is skipped, what follows is kept.
    await hass.config_entries.async_setup(setup_integration.entry_id)
    await post_webhook(
        "jellyseerr", jellyseerr("jellyseerr_tv_pending", request_id="43")
    )
    assert sorted(await stored_requests(hass)) == ["42", "43"]


async def test_an_unreadable_snapshot_stops_set_up_and_is_left_alone(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    snapshot_path(hass).parent.mkdir(exist_ok=True)
    snapshot_path(hass).write_text("{not json")
    config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(config_entry.entry_id)
    assert config_entry.state is ConfigEntryState.SETUP_ERROR
    assert snapshot_path(hass).read_text() == "{not json"


async def test_a_change_that_cannot_be_serialised_answers_503_and_stays_pending(
    hass: HomeAssistant,
    post_webhook: PostWebhook,
    setup_integration: MockConfigEntry,
    caplog,
) -> None:
    await post_webhook("jellyseerr", payload("jellyseerr_movie_auto_approved"))
    dune = setup_integration.runtime_data.hub.request("42")
    # qBittorrent's figures are read by Python's json, which takes any integer;
    # orjson writes 64 bits at most.
    dune.download.size = 2**64
    grab = payload("radarr_grab")
    del grab["release"]["size"]
    response = await post_webhook("radarr", grab)
    assert response.status == HTTPStatus.SERVICE_UNAVAILABLE
    assert "Traceback" not in caplog.text
    assert "Request 42 cannot be written as JSON" in caplog.text

    # Other requests' changes are written meanwhile, and 42 keeps what is on disk,
    # also through a compaction.
    response = await post_webhook(
        "jellyseerr", jellyseerr("jellyseerr_tv_pending", request_id="43")
    )
    assert response.status == HTTPStatus.OK
    store = setup_integration.runtime_data.hub.store
    await store._async_compact()
    stored = await stored_requests(hass)
    assert (stored["42"]["stage"], stored["43"]["stage"]) == ("approved", "requested")

    # Once it can be written, the change goes with the next write.
    dune.download.size = 4_000_000_000
    response = await post_webhook(
        "jellyseerr", jellyseerr("jellyseerr_tv_pending", request_id="44")
    )
    assert response.status == HTTPStatus.OK
    stored = await stored_requests(hass)
    assert (stored["42"]["stage"], stored["42"]["size"]) == ("indexed", 4_000_000_000)


class FullDisk:
    """The config folder's file system, made full on purpose: writes and renames fail.

    ENOSPC, as a full disk gives; deleting still works, as it does there.
    """

    def __init__(self, config_dir: str, monkeypatch: pytest.MonkeyPatch) -> None:
        self._config = config_dir
        self._monkeypatch = monkeypatch
        self._write, self._replace, self._open = os.write, Path.replace, Path.open

    @staticmethod
    def _enospc() -> OSError:
        return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def _ours(self, path: object) -> bool:
        return str(path).startswith(self._config)

    def fill(self, *, writes: bool = True, renames: bool = True) -> None:
        """From now on writes, renames, or both fail."""
        disk = self

        def write(fd: int, data: Any) -> int:
            try:
                target = str(Path(f"/proc/self/fd/{fd}").readlink())
            except OSError:
                target = ""
            if disk._ours(target):
                raise disk._enospc()
            return disk._write(fd, data)

        def replace(self: Path, target: Any) -> Path:
            if disk._ours(self):
                raise disk._enospc()
            return disk._replace(self, target)

        def open_(self: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
            if disk._ours(self) and mode[0] in "wax":
                raise disk._enospc()
            return disk._open(self, mode, *args, **kwargs)

        if writes:
            self._monkeypatch.setattr(os, "write", write)
            self._monkeypatch.setattr(Path, "open", open_)
        if renames:
            self._monkeypatch.setattr(Path, "replace", replace)

    def free(self) -> None:
        """Space again."""
        self._monkeypatch.undo()


@pytest.fixture
def full_disk(hass: HomeAssistant) -> Iterator[FullDisk]:
    # Its own patches, so that freeing the space undoes nothing else.
    with pytest.MonkeyPatch.context() as patches:
        yield FullDisk(hass.config.config_dir, patches)


def our_errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.levelno >= logging.ERROR
    ]


@pytest.mark.parametrize(
    ("writes", "renames"),
    [(True, True), (True, False), (False, True)],
    ids=["full", "writes fail", "renames fail"],
)
async def test_unloading_on_a_full_disk_succeeds_logs_once_and_loses_nothing(
    hass: HomeAssistant,
    post_webhook: PostWebhook,
    setup_integration: MockConfigEntry,
    full_disk: FullDisk,
    caplog,
    writes: bool,
    renames: bool,
) -> None:
    await post_webhook("jellyseerr", payload("jellyseerr_movie_auto_approved"))
    before = await stored_requests(hass)
    caplog.clear()
    full_disk.fill(writes=writes, renames=renames)
    assert await hass.config_entries.async_unload(setup_integration.entry_id)
    assert setup_integration.state is ConfigEntryState.NOT_LOADED
    [error] = our_errors(caplog)
    assert "Cannot fold the request journal into the snapshot" in error
    assert "No space left on device" in error
    assert "Traceback" not in caplog.text
    # No half-written snapshot is left behind.
    assert not snapshot_path(hass).exists()
    assert not list(snapshot_path(hass).parent.glob("*.tmp"))

    full_disk.free()
    assert await stored_requests(hass) == before


async def test_a_background_fold_that_fails_is_logged_once_and_loses_nothing(
    hass: HomeAssistant,
    post_webhook: PostWebhook,
    setup_integration: MockConfigEntry,
    full_disk: FullDisk,
    monkeypatch: pytest.MonkeyPatch,
    caplog,
) -> None:
    monkeypatch.setattr(
        "custom_components.media_request_tracker.store.request_store.COMPACT_AFTER_BYTES",
        4096,
    )
    # Appends of a line still fit; setting the journal aside does not.
    full_disk.fill(writes=False)
    for number in range(20):
        response = await post_webhook(
            "jellyseerr",
            jellyseerr("jellyseerr_movie_auto_approved", request_id=str(number)),
        )
        assert response.status == HTTPStatus.OK
        await hass.async_block_till_done(wait_background_tasks=True)
    store = setup_integration.runtime_data.hub.store
    assert store.stats.compactions == 0
    [error] = our_errors(caplog)
    assert "Cannot fold the request journal into the snapshot" in error
    assert "Traceback" not in caplog.text
    assert len(await stored_requests(hass)) == 20

    full_disk.free()
    await post_webhook(
        "jellyseerr", jellyseerr("jellyseerr_movie_auto_approved", request_id="20")
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert store.stats.compactions == 1
    assert "folded into the snapshot again" in caplog.text
    assert len(read_snapshot(hass)["requests"]) >= 20
    assert len(await stored_requests(hass)) == 21


async def test_folds_that_overlap_lose_no_change(
    hass: HomeAssistant, post_webhook: PostWebhook, setup_integration: MockConfigEntry
) -> None:
    await post_webhook("jellyseerr", payload("jellyseerr_movie_auto_approved"))
    store = setup_integration.runtime_data.hub.store
    real_write, real_read = store._snapshot.write, store._journal.read_rotated
    writing = threading.Event()
    reads = 0

    def write_at_disk_speed(requests: list[bytes]) -> int:
        writing.set()
        time.sleep(0.05)
        return real_write(requests)

    def second_read_slow() -> bytes:
        nonlocal reads
        reads += 1
        if reads == 2:
            # Long enough for the first fold to finish and delete what it folded.
            time.sleep(0.15)
        return real_read()

    store._snapshot.write = write_at_disk_speed
    store._journal.read_rotated = second_read_slow
    first = hass.async_create_task(store._async_compact())
    await hass.async_add_executor_job(writing.wait)
    # A change while the first fold writes, then a second fold.
    await post_webhook(
        "jellyseerr", jellyseerr("jellyseerr_tv_pending", request_id="43")
    )
    await asyncio.gather(first, store._async_compact())
    assert sorted(await stored_requests(hass)) == ["42", "43"]
    assert sorted(r["request_id"] for r in read_snapshot(hass)["requests"]) == [
        "42",
        "43",
    ]
