"""Radarr's and Sonarr's notifications: a release grabbed, files imported, a notice."""

from __future__ import annotations

import re

from .arr_item import ArrItem
from .book import Change, merge_media
from .correlation import find_active, find_by_hash, find_finished
from .events import ArrEvent, ArrNoticeEvent, GrabEvent, ImportEvent
from .limits import PATH_LIMIT
from .model import (
    PIPELINE_RANK,
    EpisodeKey,
    EpisodeProgress,
    MediaRequest,
    MediaType,
    Stage,
)
from .options import TrackerOptions

_EPISODE_IN_NAME = re.compile(r"[Ss](\d{1,3})[Ee](\d{1,4})")


def on_grab(change: Change, event: GrabEvent, options: TrackerOptions) -> None:
    """Follow a grabbed release on its request, or track it as a request of its own."""
    detail = (
        f"grabbed {event.release_title}" if event.release_title else "release grabbed"
    )
    kind = _kind(event, options)
    request = find_for_release(change, event, kind, Stage.INDEXED)
    if request is None:
        finished = find_finished(
            change.book,
            event.media.media_type,
            event.media.ids,
            instance=event.instance,
            is_4k=kind,
        )
        if finished is None:
            change.outcome.unmatched_grab = True
        if options.track_unrequested:
            _on_unrequested_grab(change, event, detail, finished)
        else:
            change.ignore("grab matches no request and track_unrequested is off")
        return
    if request.stage.is_terminal and request.stage is not Stage.FAILED:
        change.note(request, event.source, f"upgrade {detail}; stays {request.stage}")
        return
    merge_media(request, event.media)
    _add_grab(request, event)
    if _has_reached(request, Stage.INDEXED):
        # More episodes, or a replacement release: follow it without stepping back.
        change.note(request, event.source, detail)
        return
    change.move(request, Stage.INDEXED, event.source, detail)


def _on_unrequested_grab(
    change: Change, event: GrabEvent, detail: str, finished: MediaRequest | None
) -> None:
    """Track a grab nobody asked for, unless it only continues a finished title.

    A grab for a title whose request is finished is an upgrade, or a new
    episode of a series that was requested once: nobody asked for it now,
    so it is noted on the finished request and tracks nothing new.
    """
    if finished is not None:
        change.note(
            finished,
            event.source,
            f"{detail}; not tracked, the request is {finished.stage}",
        )
        return
    request_id = change.book.new_id(
        event.media, event.download_hash, prefix=event.source.value
    )
    request = change.create(
        request_id,
        event.media,
        Stage.INDEXED,
        event.source,
        f"{detail} (not requested in Jellyseerr)",
    )
    if request is not None:
        request.origin = event.source
        request.is_4k = event.is_4k
        _add_grab(request, event)


def on_import(change: Change, event: ImportEvent, options: TrackerOptions) -> None:
    """Record imported files and move their request to importing."""
    request = find_for_release(change, event, _kind(event, options))
    if request is None:
        change.ignore("import matches no tracked request")
        return
    if request.stage is Stage.AVAILABLE or request.stage is Stage.DECLINED:
        kind = "upgrade imported" if event.is_upgrade else "imported again"
        change.note(request, event.source, f"{kind}; stays {request.stage}")
        return
    merge_media(request, event.media)
    if event.download_hash and event.download_hash not in request.download_hashes:
        request.download_hashes.append(event.download_hash)
    request.advance_episodes(event.episodes, EpisodeProgress.IMPORTED)
    _record_files(request, event)
    if _has_reached(request, Stage.IMPORTING):
        change.touch(request)
        return
    change.move(request, Stage.IMPORTING, event.source, _import_detail(event))


def on_notice(change: Change, event: ArrNoticeEvent, options: TrackerOptions) -> None:
    """Put a notice in its request's timeline."""
    request = find_for_release(change, event, _kind(event, options))
    if request is None:
        change.ignore("notice matches no tracked request")
        return
    change.note(request, event.source, event.detail)


def _kind(event: ArrEvent, options: TrackerOptions) -> bool | None:
    """Tell which kind of request (4K or not) an *arr event may belong to; ``None``: either.

    Without a 4K instance, one instance may serve both kinds, so neither is
    ruled out.
    """
    return event.is_4k if options.separate_4k else None


def find_for_release(
    change: Change,
    event: ArrEvent,
    is_4k: bool | None,
    prefer_before: Stage | None = None,
) -> MediaRequest | None:
    """Find the request an *arr event is about, among requests of kind ``is_4k``.

    The hash decides if it is known; then a request in progress, the newest
    one the event's instance grabbed before any other (a grab first takes
    one nobody grabbed yet); then a finished one, but only if it failed (a
    retry brings it back) or the event brings nothing it does not already
    have (an upgrade).
    """
    media, episodes, instance = event.media, event.episodes, event.instance
    seasons = frozenset(key.season for key in episodes)
    book = change.book
    request = find_by_hash(
        book, event.download_hash, instance=instance, is_4k=is_4k
    ) or find_active(
        book,
        media.media_type,
        media.ids,
        seasons,
        prefer_before=prefer_before,
        instance=instance,
        is_4k=is_4k,
    )
    if request is not None:
        return request
    finished = find_finished(
        book, media.media_type, media.ids, seasons, instance=instance, is_4k=is_4k
    )
    if finished is not None and (
        finished.stage is Stage.FAILED or _covers(finished, episodes)
    ):
        return finished
    return None


def _has_reached(request: MediaRequest, stage: Stage) -> bool:
    """Whether a request still in the pipeline is at ``stage`` or past it."""
    return (
        request.stage is not Stage.FAILED
        and PIPELINE_RANK[request.stage] >= PIPELINE_RANK[stage]
    )


def _covers(request: MediaRequest, episodes: frozenset[EpisodeKey]) -> bool:
    """Tell whether a grab brings nothing new, which makes it an upgrade."""
    return request.media_type is MediaType.MOVIE or episodes <= request.episodes.keys()


def _add_grab(request: MediaRequest, event: GrabEvent) -> None:
    if event.download_hash and event.download_hash not in request.download_hashes:
        request.download_hashes.append(event.download_hash)
    if event.size:
        request.download.size = event.size
    request.advance_episodes(event.episodes, EpisodeProgress.GRABBED)
    if event.instance is not None:
        known = request.arr
        if known is not None and known.instance != event.instance:
            known = None
        item_id = event.item_id
        if item_id is None and known is not None:
            item_id = known.item_id
        request.arr = ArrItem(
            instance=event.instance,
            item_id=item_id,
            episode_ids=tuple(
                sorted(set(known.episode_ids if known else ()) | event.episode_ids)
            ),
        )


def _record_files(request: MediaRequest, event: ImportEvent) -> None:
    """Remember which file holds which episodes, so Shoko's paths can be tied back."""
    for path in event.file_paths:
        if len(path) > PATH_LIMIT:
            continue
        if request.media_type is MediaType.MOVIE:
            request.file_paths[path] = ()
        elif len(event.file_paths) == 1 and event.episodes:
            request.file_paths[path] = tuple(sorted(event.episodes))
        else:
            name = path.replace("\\", "/").rsplit("/", 1)[-1]
            request.file_paths[path] = tuple(
                EpisodeKey(int(season), int(number))
                for season, number in _EPISODE_IN_NAME.findall(name)
            )


def _import_detail(event: ImportEvent) -> str:
    if event.episodes:
        names = ", ".join(str(key) for key in sorted(event.episodes)[:5])
        more = f" and {len(event.episodes) - 5} more" if len(event.episodes) > 5 else ""
        return f"imported {names}{more}"
    return "imported into the library"
