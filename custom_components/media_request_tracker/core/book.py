"""The request book: every tracked request of one entry, and the edits made to it.

Every edit goes through a ``Change``, which one event opens: it knows when
the event happened and builds the ``Outcome`` that reports it, so a stage,
the timeline and the outcome can never disagree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import datetime

from .events import MediaInfo
from .limits import TITLE_LIMIT, URL_LIMIT, shorten
from .model import (
    DOWNLOAD_STAGES,
    DownloadStatus,
    MediaRequest,
    Source,
    Stage,
    TimelineEntry,
)
from .outcome import Outcome, Rejection, Transition
from .stage_rules import Verdict, decide


class RequestBook:
    """Every tracked request, with how many are in each stage."""

    def __init__(self, requests: Iterable[MediaRequest], request_limit: int) -> None:
        """Start from stored requests; at most ``request_limit`` new ones join."""
        self._requests: dict[str, MediaRequest] = {r.request_id: r for r in requests}
        self._request_limit = request_limit
        # Kept up to date on every move, so a summary costs nothing per request.
        self._stage_counts = Counter(r.stage for r in self._requests.values())

    def __iter__(self) -> Iterator[MediaRequest]:
        """Iterate in insertion order."""
        return iter(self._requests.values())

    def __len__(self) -> int:
        """Count tracked requests."""
        return len(self._requests)

    def get(self, request_id: str) -> MediaRequest | None:
        """Return one request."""
        return self._requests.get(request_id)

    def stage_counts(self) -> dict[Stage, int]:
        """Return how many requests are in each stage."""
        return {stage: self._stage_counts[stage] for stage in Stage}

    def is_full(self) -> bool:
        """Whether the entry tracks as many requests as it may."""
        return len(self._requests) >= self._request_limit

    def new_id(
        self, media: MediaInfo, download_hash: str | None = None, *, prefix: str
    ) -> str:
        """Make an id for a request that Jellyseerr did not number."""
        anchor = (
            download_hash[:12]
            if download_hash
            else str(media.ids.tmdb_id or media.ids.tvdb_id or 0)
        )
        candidate = f"{prefix}_{anchor}"
        suffix = 1
        while candidate in self._requests:
            suffix += 1
            candidate = f"{prefix}_{anchor}_{suffix}"
        return candidate

    def add(self, request: MediaRequest) -> None:
        """Start tracking a request."""
        self._requests[request.request_id] = request
        self._stage_counts[request.stage] += 1

    def set_stage(self, request: MediaRequest, stage: Stage) -> None:
        """Put a request in another stage, keeping the counts in step."""
        self._stage_counts[request.stage] -= 1
        self._stage_counts[stage] += 1
        request.stage = stage

    def remove(self, request_id: str) -> MediaRequest | None:
        """Stop tracking a request."""
        request = self._requests.pop(request_id, None)
        if request is not None:
            self._stage_counts[request.stage] -= 1
        return request

    def begin(self, now: datetime) -> Change:
        """Open the change one event makes, at ``now``."""
        return Change(self, now)


class Change:
    """The edits one event makes to the book, and the outcome that reports them."""

    __slots__ = ("book", "now", "outcome")

    def __init__(self, book: RequestBook, now: datetime) -> None:
        """Start with nothing done."""
        self.book = book
        self.now = now
        self.outcome = Outcome()

    def ignore(self, reason: str) -> None:
        """Say why the event changes nothing."""
        self.outcome.ignored = reason

    def create(
        self,
        request_id: str,
        media: MediaInfo,
        stage: Stage,
        source: Source,
        detail: str,
    ) -> MediaRequest | None:
        """Start tracking a request; None, said in the outcome, at the limit."""
        title = media.title or _fallback_title(media)
        if self.book.is_full():
            self.outcome.refused = title
            self.ignore("the entry tracks as many requests as it may")
            return None
        now = self.now
        request = MediaRequest(
            request_id=request_id,
            media_type=media.media_type,
            title=shorten(title, TITLE_LIMIT),
            year=media.year,
            stage=stage,
            requested_at=now,
            ids=media.ids,
            is_anime=media.is_anime,
            poster_url=_kept_url(media.poster_url),
            stage_since=now,
            updated_at=now,
        )
        self._write(request, stage, source, detail)
        self.book.add(request)
        self.outcome.created.append(request_id)
        self.outcome.transitions.append(
            Transition(request_id, None, stage, source, detail)
        )
        self.save(request)
        return request

    def move(
        self,
        request: MediaRequest,
        target: Stage,
        source: Source,
        detail: str,
        *,
        manual: bool = False,
    ) -> None:
        """Move a request to ``target`` if the stage rules allow it, and record either way."""
        decision = decide(request.stage, target, manual=manual)
        if decision.verdict is Verdict.ACCEPTED:
            self._enter(request, target, source, detail)
        elif decision.verdict is Verdict.REJECTED:
            reason = f"{detail}; rejected: {decision.reason}"
            self._write(request, target, source, reason, rejected=True)
            self.outcome.rejections.append(
                Rejection(
                    request.request_id, request.stage, target, source, decision.reason
                )
            )
            self.save(request)
        else:
            self.touch(request)

    def note(self, request: MediaRequest, source: Source, detail: str) -> None:
        """Add a line to the timeline without a move."""
        self._write(request, request.stage, source, detail)
        self.touch(request)

    def touch(self, request: MediaRequest) -> None:
        """Record a change that is no move: shown and persisted, stage unchanged."""
        request.updated_at = self.now
        self.save(request)

    def save(self, request: MediaRequest) -> None:
        """Have a request shown and persisted, without counting as its update."""
        self.outcome.changed[request.request_id] = request

    def show(self, request: MediaRequest) -> None:
        """Have a request shown without a disk write (new download figures)."""
        if request.request_id not in self.outcome.changed:
            self.outcome.refreshed[request.request_id] = request

    def _enter(
        self, request: MediaRequest, stage: Stage, source: Source, detail: str
    ) -> None:
        """Put a request in the stage the rules let it move to."""
        previous = request.stage
        self.book.set_stage(request, stage)
        request.updated_at = request.stage_since = self.now
        if stage not in DOWNLOAD_STAGES:
            # Speed and ETA describe a download under way; once it is done (or
            # given up) they would only repeat the last poll's figures.
            request.download = DownloadStatus(
                progress=100.0 if stage is Stage.DOWNLOAD_DONE else None,
                size=request.download.size,
            )
        self._write(request, stage, source, detail)
        self.outcome.transitions.append(
            Transition(request.request_id, previous, stage, source, detail)
        )
        self.save(request)

    def _write(
        self,
        request: MediaRequest,
        stage: Stage,
        source: Source,
        detail: str,
        *,
        rejected: bool = False,
    ) -> None:
        """Add a timeline line, dated by this change."""
        request.add_timeline(
            TimelineEntry(
                at=self.now,
                state=stage,
                source=source,
                detail=detail,
                rejected=rejected,
            )
        )


def _fallback_title(media: MediaInfo) -> str:
    """Name a title by its id when the sender gave no name."""
    if media.ids.tmdb_id:
        return f"TMDB {media.ids.tmdb_id}"
    return f"TVDB {media.ids.tvdb_id}"


def _kept_url(url: str | None) -> str | None:
    """Keep a URL only whole: cut short, it names nothing."""
    return url if url is None or len(url) <= URL_LIMIT else None


def merge_media(
    request: MediaRequest, media: MediaInfo, *, from_request: bool = False
) -> None:
    """Fill what we did not know; never overwrite a requester's poster with an *arr one."""
    if media.title and (from_request or request.title.startswith(("TMDB ", "TVDB "))):
        request.title = shorten(media.title, TITLE_LIMIT)
    if media.year and (from_request or request.year is None):
        request.year = media.year
    known = request.ids
    request.ids = replace(
        known,
        tmdb_id=known.tmdb_id or media.ids.tmdb_id,
        tvdb_id=known.tvdb_id or media.ids.tvdb_id,
        imdb_id=known.imdb_id or media.ids.imdb_id,
        anidb_id=known.anidb_id or media.ids.anidb_id,
    )
    request.is_anime = request.is_anime or media.is_anime
    poster_url = _kept_url(media.poster_url)
    if poster_url and (from_request or not request.poster_from_request):
        request.poster_url = poster_url
        request.poster_from_request = request.poster_from_request or from_request
