"""Which request an event belongs to.

One title can be requested again after an old request finished, and one
TMDB id can be shared by mistake: a download hash names exactly one request,
so it wins over everything; without one, only requests that are still in
progress can match, the newest first, and TV must also share a season with
the event.

Two instances may hold one title (a 4K Radarr beside the standard one): with
``is_4k`` given, only requests of that kind can match, and among several the
one the event's own instance grabbed is preferred.
"""

from __future__ import annotations

from collections.abc import Iterable

from .model import PIPELINE_RANK, MediaIds, MediaRequest, MediaType, Stage


def ids_match(request: MediaRequest, media_type: MediaType, ids: MediaIds) -> bool:
    """Match on the id that is authoritative for the media type.

    Films match on TMDB. Series match on TVDB when both sides know it, and on
    TMDB otherwise (Jellyseerr sends an empty TVDB id when it has none).
    """
    if request.media_type is not media_type:
        return False
    known = request.ids
    if media_type is MediaType.MOVIE:
        if known.tmdb_id is not None and ids.tmdb_id is not None:
            return known.tmdb_id == ids.tmdb_id
        return known.imdb_id is not None and known.imdb_id == ids.imdb_id
    if known.tvdb_id is not None and ids.tvdb_id is not None:
        return known.tvdb_id == ids.tvdb_id
    return known.tmdb_id is not None and known.tmdb_id == ids.tmdb_id


def seasons_overlap(request: MediaRequest, seasons: frozenset[int]) -> bool:
    """Tell whether a TV event and a request share a season.

    Either side may not know its seasons (an old template, a film); then
    there is nothing to tell them apart and they overlap.
    """
    wanted = set(request.seasons) | {key.season for key in request.episodes}
    return not wanted or not seasons or not wanted.isdisjoint(seasons)


def newest_first(requests: Iterable[MediaRequest]) -> list[MediaRequest]:
    """Order by request time, newest first; later insertion wins a tie."""
    indexed = list(enumerate(requests))
    indexed.sort(key=lambda pair: (pair[1].requested_at, pair[0]), reverse=True)
    return [request for _, request in indexed]


def find_by_hash(
    requests: Iterable[MediaRequest],
    download_hash: str | None,
    *,
    instance: str | None = None,
    is_4k: bool | None = None,
) -> MediaRequest | None:
    """Find the request of a download; a hash names exactly one, so it beats every other clue."""
    if download_hash is None:
        return None
    matches = [
        request
        for request in requests
        if download_hash in request.download_hashes and _of_kind(request, is_4k)
    ]
    return _preferred(newest_first(matches), instance)


def find_active(
    requests: Iterable[MediaRequest],
    media_type: MediaType,
    ids: MediaIds,
    seasons: frozenset[int] = frozenset(),
    *,
    prefer_before: Stage | None = None,
    instance: str | None = None,
    is_4k: bool | None = None,
) -> MediaRequest | None:
    """Find the newest request still in progress for this title.

    ``prefer_before`` lets a new grab go to a request that has not been
    grabbed yet, so that two requests for one title each get their own;
    after that, the request ``instance`` grabbed comes before the newest.
    """
    candidates = _newest_matching(
        requests, media_type, ids, seasons, finished=False, is_4k=is_4k
    )
    if prefer_before is not None:
        limit = PIPELINE_RANK[prefer_before]
        for request in candidates:
            if PIPELINE_RANK.get(request.stage, limit) < limit:
                return request
    return _preferred(candidates, instance)


def find_finished(
    requests: Iterable[MediaRequest],
    media_type: MediaType,
    ids: MediaIds,
    seasons: frozenset[int] = frozenset(),
    *,
    instance: str | None = None,
    is_4k: bool | None = None,
) -> MediaRequest | None:
    """Find the newest finished request for this title, for notes such as upgrades."""
    candidates = _newest_matching(
        requests, media_type, ids, seasons, finished=True, is_4k=is_4k
    )
    return _preferred(candidates, instance)


def _newest_matching(
    requests: Iterable[MediaRequest],
    media_type: MediaType,
    ids: MediaIds,
    seasons: frozenset[int],
    *,
    finished: bool,
    is_4k: bool | None,
) -> list[MediaRequest]:
    """Return the finished or the in-progress requests for this title, newest first."""
    return newest_first(
        request
        for request in requests
        if request.stage.is_terminal == finished
        and _of_kind(request, is_4k)
        and ids_match(request, media_type, ids)
        and seasons_overlap(request, seasons)
    )


def _of_kind(request: MediaRequest, is_4k: bool | None) -> bool:
    """Whether a request is a 4K one or a standard one as asked; ``None`` takes either."""
    return is_4k is None or request.is_4k is is_4k


def _preferred(
    candidates: list[MediaRequest], instance: str | None
) -> MediaRequest | None:
    """Pick the first request ``instance`` grabbed, else the first: one bound elsewhere still counts."""
    if instance is not None:
        for request in candidates:
            if request.arr is not None and request.arr.instance == instance:
                return request
    return candidates[0] if candidates else None


def same_file(arr_path: str, shoko_path: str) -> bool:
    """Tell whether two paths name one file, comparing their common tail.

    Radarr, Sonarr and Shoko see the same files through different container
    mounts, and Shoko's path is relative to its import folder: only the tail
    can agree, and it must agree component by component.
    """
    ours = [part for part in arr_path.replace("\\", "/").split("/") if part]
    theirs = [part for part in shoko_path.replace("\\", "/").split("/") if part]
    depth = min(len(ours), len(theirs))
    return depth > 0 and ours[-depth:] == theirs[-depth:]
