"""Shoko's file events: an imported anime file seen, matched to AniDB, or lost."""

from __future__ import annotations

from dataclasses import replace

from .book import Change
from .correlation import newest_first, same_file
from .events import ShokoFileAction, ShokoFileEvent
from .model import EpisodeKey, MediaRequest, Source, Stage


def on_shoko_file(change: Change, event: ShokoFileEvent) -> None:
    """Tie a Shoko file to its request and follow its matching."""
    found = _find_for_shoko_file(change, event)
    if found is None:
        change.ignore("Shoko file matches no tracked request")
        return
    request, episodes = found
    name = (event.relative_path or "").rsplit("/", 1)[-1] or f"file {event.file_id}"
    if event.file_id is not None and event.file_id not in request.shoko_files:
        request.shoko_files[event.file_id] = episodes
        change.touch(request)
    request.is_anime = True
    match event.action:
        case ShokoFileAction.MATCHED:
            _on_match(change, request, event, name)
        case ShokoFileAction.NOT_MATCHED:
            if not request.shoko_unmatched:
                request.shoko_unmatched = True
                banned = " (AniDB has banned Shoko for now)" if event.udp_banned else ""
                change.note(
                    request, Source.SHOKO, f"Shoko could not match {name}{banned}"
                )
            _start_matching(change, request, f"Shoko sees {name}")
        case ShokoFileAction.DELETED:
            change.note(request, Source.SHOKO, f"Shoko: {name} was deleted")
        case _:
            _start_matching(change, request, f"Shoko sees {name}")


def _on_match(
    change: Change, request: MediaRequest, event: ShokoFileEvent, name: str
) -> None:
    if event.file_id is not None and event.file_id in request.shoko_matched:
        return  # the same match again, after a reconnect: already applied
    if event.file_id is not None:
        request.shoko_matched = (*request.shoko_matched, event.file_id)
    request.shoko_series_ids = tuple(
        dict.fromkeys((*request.shoko_series_ids, *event.series_ids))
    )
    if request.ids.anidb_id is None and event.anidb_anime_ids:
        request.ids = replace(request.ids, anidb_id=event.anidb_anime_ids[0])
    request.shoko_unmatched = False
    anime = (
        f" to AniDB anime {event.anidb_anime_ids[0]}" if event.anidb_anime_ids else ""
    )
    detail = f"Shoko matched {name}{anime}"
    if not _start_matching(change, request, detail):
        change.note(request, Source.SHOKO, detail)


def _start_matching(change: Change, request: MediaRequest, detail: str) -> bool:
    """Move an imported anime request to anime_matching; say whether it moved."""
    if request.stage not in (Stage.DOWNLOAD_DONE, Stage.IMPORTING):
        return False
    change.move(request, Stage.ANIME_MATCHING, Source.SHOKO, detail)
    return True


def _find_for_shoko_file(
    change: Change, event: ShokoFileEvent
) -> tuple[MediaRequest, tuple[EpisodeKey, ...]] | None:
    """Find the request of a Shoko file: by its Shoko id once known, else by path.

    Requests in progress come first, newest first: a finished request may
    share a file path with a new one.
    """
    requests = newest_first(change.book)
    requests.sort(key=lambda request: request.stage.is_terminal)
    if event.file_id is not None:
        for request in requests:
            if event.file_id in request.shoko_files:
                return request, request.shoko_files[event.file_id]
    for shoko_path in (event.relative_path, event.previous_relative_path):
        if shoko_path is None:
            continue
        for request in requests:
            for arr_path, episodes in request.file_paths.items():
                if same_file(arr_path, shoko_path):
                    return request, episodes
    return None
