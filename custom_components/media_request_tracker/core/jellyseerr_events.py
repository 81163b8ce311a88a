"""Jellyseerr's notifications: a request made, approved, declined, failed or fulfilled."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from .book import Change, RequestBook, merge_media
from .correlation import find_active
from .events import RequestEvent, RequestStatus
from .limits import NAME_LIMIT, shorten
from .model import EpisodeProgress, MediaRequest, Source, Stage
from .stage_rules import Verdict, decide

_STATUS_STAGE = {
    RequestStatus.PENDING: Stage.REQUESTED,
    RequestStatus.APPROVED: Stage.APPROVED,
    RequestStatus.AUTO_APPROVED: Stage.APPROVED,
    RequestStatus.DECLINED: Stage.DECLINED,
    RequestStatus.FAILED: Stage.FAILED,
    RequestStatus.AVAILABLE: Stage.AVAILABLE,
}
_CREATING_STATUSES = frozenset(
    {RequestStatus.PENDING, RequestStatus.APPROVED, RequestStatus.AUTO_APPROVED}
)
_STATUS_DETAIL = {
    RequestStatus.PENDING: "requested in Jellyseerr, waiting for approval",
    RequestStatus.APPROVED: "approved in Jellyseerr",
    RequestStatus.AUTO_APPROVED: "requested and approved automatically in Jellyseerr",
    RequestStatus.DECLINED: "declined in Jellyseerr",
    RequestStatus.FAILED: "Jellyseerr could not send the request to Radarr or Sonarr",
    RequestStatus.AVAILABLE: "Jellyseerr reports it available",
}


class Novelty(StrEnum):
    """What a request read from Jellyseerr's list is to the tracker."""

    NEW = "new"  # no tracked request has its Jellyseerr id
    CHANGED = "changed"  # tracked, and Jellyseerr tells a status we have not applied
    UNCHANGED = "unchanged"


def novelty(book: RequestBook, event: RequestEvent) -> Novelty:
    """Tell whether a polled request is news: the poll applies only what no webhook did.

    Change is told by Jellyseerr's status alone: ``updatedAt`` does not move
    on approve or decline from Seerr 2.6.0 (``tests/fakes/UPSTREAM.md``).
    """
    request = known_request(book, event.request_id)
    if request is None:
        return Novelty.NEW
    status = _kept_status(event.status)
    if request.jellyseerr_status is not None:
        return (
            Novelty.UNCHANGED
            if request.jellyseerr_status == status
            else Novelty.CHANGED
        )
    # Stored before statuses were kept: news only if it moves the request on.
    target = _STATUS_STAGE[event.status]
    if request.stage is not Stage.FAILED and (
        decide(request.stage, target).verdict is Verdict.ACCEPTED
    ):
        return Novelty.CHANGED
    return Novelty.UNCHANGED


def awaiting_approval(requests: Iterable[MediaRequest]) -> list[str]:
    """Return the Jellyseerr ids of the requests still waiting for approval, oldest first.

    An approval or a decline of an old request does not bring it to the top
    of the list, so the poll asks for these one by one.
    """
    return [
        jellyseerr_id
        for request in requests
        if request.stage is Stage.REQUESTED
        and (jellyseerr_id := request.jellyseerr_id or _numbered(request)) is not None
    ]


def _numbered(request: MediaRequest) -> str | None:
    """Read the Jellyseerr id of a request from before ids were kept: its key, a number."""
    if request.origin is Source.JELLYSEERR and request.request_id.isdigit():
        return request.request_id
    return None


def known_request(
    requests: Iterable[MediaRequest], request_id: str | None
) -> MediaRequest | None:
    """Find the tracked request of a Jellyseerr id: its own, or one that adopted it."""
    if request_id is None:
        return None
    if isinstance(requests, RequestBook) and (found := requests.get(request_id)):
        return found
    return next(
        (
            request
            for request in requests
            if request_id in (request.jellyseerr_id, request.request_id)
        ),
        None,
    )


def on_request(
    change: Change, event: RequestEvent, *, separate_4k: bool = False
) -> None:
    """Create, adopt or move the request a notification is about.

    With ``separate_4k`` a request adopts only a grab of its own kind: a 4K
    instance's grab is not the standard request's, nor the other way round.
    """
    detail = _STATUS_DETAIL[event.status]
    if event.requested_by:
        detail = f"{detail} (by {event.requested_by})"
    if event.polled:
        detail = f"{detail}; found by polling Jellyseerr"
    request, adopting = _find_request(change, event, separate_4k)
    if request is None:
        if event.status in _CREATING_STATUSES:
            _create(change, event, detail)
        else:
            change.ignore("no tracked request for this notification")
        return
    merge_media(request, event.media, from_request=True)
    if event.request_id is not None:
        request.jellyseerr_id = event.request_id
    request.jellyseerr_status = _kept_status(event.status)
    request.is_4k = request.is_4k or event.is_4k
    if event.requested_by:
        request.requested_by = _short_name(event.requested_by)
    if event.seasons:
        request.seasons = tuple(sorted(set(request.seasons) | set(event.seasons)))
    if adopting:
        # The grab overtook the request; the request is news, not a step back.
        request.origin = Source.JELLYSEERR
        change.note(request, Source.JELLYSEERR, detail)
        return
    target = _STATUS_STAGE[event.status]
    if target is Stage.AVAILABLE:
        # Counted as playable on Jellyseerr's word; only Jellyfin marks them seen.
        request.advance_episodes(request.episodes, EpisodeProgress.IMPORTED)
    change.move(request, target, Source.JELLYSEERR, detail)


def _find_request(
    change: Change, event: RequestEvent, separate_4k: bool
) -> tuple[MediaRequest | None, bool]:
    """Find the request by its Jellyseerr id, or one a grab started; say if it is adopted.

    A grab may reach us before its request: the request then takes over the
    tracked grab rather than tracking the title twice. A request a template
    without ``request_id`` brought has no Jellyseerr id: the first event that
    names one for the same title is about it.
    """
    if known := known_request(change.book, event.request_id):
        return known, False
    active = find_active(
        change.book,
        event.media.media_type,
        event.media.ids,
        frozenset(event.seasons),
        is_4k=event.is_4k if separate_4k else None,
    )
    if active is not None and (
        active.origin is not Source.JELLYSEERR
        or event.request_id is None
        or (active.jellyseerr_id is None and _numbered(active) is None)
    ):
        return active, active.origin is not Source.JELLYSEERR
    return None, False


def _create(change: Change, event: RequestEvent, detail: str) -> None:
    request_id = event.request_id or change.book.new_id(
        event.media, prefix="jellyseerr"
    )
    created = change.create(
        request_id, event.media, _STATUS_STAGE[event.status], Source.JELLYSEERR, detail
    )
    if created is not None:
        created.requested_by = _short_name(event.requested_by)
        created.seasons = event.seasons
        created.poster_from_request = event.media.poster_url is not None
        created.is_4k = event.is_4k
        created.jellyseerr_id = event.request_id
        created.jellyseerr_status = _kept_status(event.status)


def _kept_status(status: RequestStatus) -> str:
    """Keep a status on a request: an automatic approval is an approval."""
    if status is RequestStatus.AUTO_APPROVED:
        return RequestStatus.APPROVED.value
    return status.value


def _short_name(name: str | None) -> str | None:
    return shorten(name, NAME_LIMIT) if name else name
