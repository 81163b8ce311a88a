"""A local index of the Jellyfin library, so verification costs no per-request query.

Jellyfin has no provider-id filter on ``/Items`` (an unknown parameter is
ignored and the whole library comes back), so asking "is TMDB 693134 there?"
once per waiting request costs the whole library each time. Instead the
library is paged through once, then kept current from the items saved since
the last look, and every question is answered from memory.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
import re
from typing import Any

from .model import EpisodeKey, MediaIds, MediaType

# Fields the index needs; anything else is left out of the answers.
ITEM_FIELDS = "ProviderIds,Path,DateCreated,PremiereDate"
ITEM_TYPES = "Movie,Series,Episode"

_SHOKO_FILE = re.compile(r"\[Shoko File=([\d,]+)\]")
_TITLE_NOISE = re.compile(r"[^0-9a-z]+")


def normalise_title(title: str) -> str:
    """Compare titles without case, punctuation or spacing."""
    return _TITLE_NOISE.sub("", title.casefold())


@dataclass(frozen=True, kw_only=True, slots=True)
class LibraryItem:
    """What the index keeps of one Jellyfin item."""

    item_id: str
    item_type: str
    name: str
    year: int | None
    ids: MediaIds
    shoko_series_ids: frozenset[int]
    shoko_file_ids: frozenset[int]
    series_id: str | None
    episodes: frozenset[EpisodeKey]
    virtual: bool
    premiere: datetime | None

    @property
    def has_provider_ids(self) -> bool:
        """Whether the item can be matched by id; Shokofin items often cannot."""
        ids = self.ids
        return any(
            value is not None for value in (ids.tmdb_id, ids.tvdb_id, ids.imdb_id)
        )


class LibraryIndex:
    """Movies, series and episodes by every id a request may know."""

    def __init__(self) -> None:
        """Start empty; ``apply_items`` fills it."""
        self._items: dict[str, LibraryItem] = {}
        self._by_id: dict[tuple[str, str, object], set[str]] = defaultdict(set)
        self._by_title: dict[tuple[str, str], set[str]] = defaultdict(set)
        self._episodes: dict[str, set[str]] = defaultdict(set)
        self._by_shoko_file: dict[int, set[str]] = defaultdict(set)

    def __len__(self) -> int:
        """Count indexed items."""
        return len(self._items)

    def apply_items(self, items: Iterable[Mapping[str, Any]]) -> list[LibraryItem]:
        """Add or replace items from an ``/Items`` answer; return the ones read."""
        read = []
        for raw in items:
            if (item := read_item(raw)) is not None:
                self._forget(item.item_id)
                self._add(item)
                read.append(item)
        return read

    def find(
        self,
        media_type: MediaType,
        ids: MediaIds,
        title: str | None = None,
        year: int | None = None,
        shoko_series_ids: Iterable[int] = (),
    ) -> list[LibraryItem]:
        """Films or series for a request, by id first and by title only as a last resort.

        One shared id is not enough: an item with an id that contradicts the
        request's (``ids_contradict``) is another title that shares an id by
        mistake, and never matches. Titles count only for items that carry no
        TMDB, TVDB or IMDb id (Shokofin's default), so a same-named different
        show with ids never matches.
        """
        item_type = "Movie" if media_type is MediaType.MOVIE else "Series"
        found: set[str] = set()
        for key, value in _id_keys_of(ids):
            found |= self._by_id.get((item_type, key, value), set())
        for shoko_series in shoko_series_ids:
            found |= self._by_id.get((item_type, "Shoko Series", shoko_series), set())
        found = {
            item_id
            for item_id in found
            if not ids_contradict(self._items[item_id].ids, ids, media_type)
        }
        if not found and title:
            for item_id in self._by_title.get(
                (item_type, normalise_title(title)), set()
            ):
                item = self._items[item_id]
                if (
                    not item.has_provider_ids
                    and not ids_contradict(item.ids, ids, media_type)
                    and (year is None or item.year in (None, year))
                ):
                    found.add(item_id)
        return [self._items[item_id] for item_id in sorted(found)]

    def episodes_of(self, series_id: str) -> list[LibraryItem]:
        """Every episode item of a series, virtual ones included."""
        return [
            self._items[item_id]
            for item_id in sorted(self._episodes.get(series_id, ()))
        ]

    def by_shoko_file(self, file_ids: Iterable[int]) -> list[LibraryItem]:
        """Items presented by Shokofin for these Shoko files (films filed as specials too)."""
        found: set[str] = set()
        for file_id in file_ids:
            found |= self._by_shoko_file.get(file_id, set())
        return [self._items[item_id] for item_id in sorted(found)]

    def _add(self, item: LibraryItem) -> None:
        self._items[item.item_id] = item
        for key, value in _id_keys(item):
            self._by_id[(item.item_type, key, value)].add(item.item_id)
        self._by_title[(item.item_type, normalise_title(item.name))].add(item.item_id)
        if item.series_id is not None:
            self._episodes[item.series_id].add(item.item_id)
        for file_id in item.shoko_file_ids:
            self._by_shoko_file[file_id].add(item.item_id)

    def _forget(self, item_id: str) -> None:
        item = self._items.pop(item_id, None)
        if item is None:
            return
        for key, value in _id_keys(item):
            self._by_id[(item.item_type, key, value)].discard(item_id)
        self._by_title[(item.item_type, normalise_title(item.name))].discard(item_id)
        if item.series_id is not None:
            self._episodes[item.series_id].discard(item_id)
        for file_id in item.shoko_file_ids:
            self._by_shoko_file[file_id].discard(item_id)


def ids_contradict(item: MediaIds, request: MediaIds, media_type: MediaType) -> bool:
    """Whether an item and a request of one kind name different titles.

    They do when a provider id that both know differs: a film's item with
    another TMDB id is another film, however many other ids it shares. Both
    are of one kind (films with films, series with series), so a TMDB film
    id is never compared with a TMDB series id. A series spans several AniDB
    anime (one per season or cour) and Shokofin names only its default
    season's, so for series an AniDB id is a way in, not a contradiction.
    """
    pairs = [
        (item.tmdb_id, request.tmdb_id),
        (item.tvdb_id, request.tvdb_id),
        (_imdb(item.imdb_id), _imdb(request.imdb_id)),
    ]
    if media_type is MediaType.MOVIE:
        pairs.append((item.anidb_id, request.anidb_id))
    return any(
        ours is not None and theirs is not None and ours != theirs
        for ours, theirs in pairs
    )


def _imdb(value: str | None) -> str | None:
    """IMDb ids compare without case or spacing ("tt0123" and "TT0123 " agree)."""
    if value is None:
        return None
    return value.strip().lower() or None


def _id_keys_of(ids: MediaIds) -> list[tuple[str, object]]:
    return [
        (key, value)
        for key, value in (
            ("Tmdb", ids.tmdb_id),
            ("Tvdb", ids.tvdb_id),
            ("Imdb", ids.imdb_id),
            ("AniDB", ids.anidb_id),
        )
        if value is not None
    ]


def _id_keys(item: LibraryItem) -> list[tuple[str, object]]:
    keys = _id_keys_of(item.ids)
    keys.extend(("Shoko Series", value) for value in item.shoko_series_ids)
    return keys


def read_item(raw: Mapping[str, Any]) -> LibraryItem | None:
    """Read a BaseItemDto; anything malformed is skipped rather than trusted."""
    item_id = raw.get("Id")
    item_type = raw.get("Type")
    if not isinstance(item_id, str) or item_type not in ("Movie", "Series", "Episode"):
        return None
    provider_ids = raw.get("ProviderIds")
    providers: Mapping[str, Any] = (
        provider_ids if isinstance(provider_ids, Mapping) else {}
    )
    raw_path = raw.get("Path")
    path = raw_path if isinstance(raw_path, str) else ""
    shoko_files = {
        int(part)
        for match in _SHOKO_FILE.findall(path)
        for part in match.split(",")
        if part
    }
    shoko_files |= set(_int_list(providers.get("Shoko File")))
    is_episode = item_type == "Episode"
    anidb = _int(providers.get("AniDB"))
    series_id = raw.get("SeriesId")
    return LibraryItem(
        item_id=item_id.replace("-", "").lower(),
        item_type=item_type,
        name=str(raw.get("Name") or ""),
        year=_int(raw.get("ProductionYear")),
        ids=MediaIds(
            tmdb_id=None if is_episode else _int(providers.get("Tmdb")),
            tvdb_id=None if is_episode else _int(providers.get("Tvdb")),
            imdb_id=None
            if is_episode
            else (str(providers["Imdb"]) if providers.get("Imdb") else None),
            # An episode's AniDB id is an episode id, not the anime's.
            anidb_id=None if is_episode else anidb,
        ),
        shoko_series_ids=frozenset(_int_list(providers.get("Shoko Series"))),
        shoko_file_ids=frozenset(shoko_files),
        series_id=series_id.replace("-", "").lower()
        if is_episode and isinstance(series_id, str)
        else None,
        episodes=_episode_keys(raw) if is_episode else frozenset(),
        virtual=raw.get("LocationType") == "Virtual",
        premiere=_date(raw.get("PremiereDate")),
    )


def _episode_keys(raw: Mapping[str, Any]) -> frozenset[EpisodeKey]:
    season, first = _int(raw.get("ParentIndexNumber")), _int(raw.get("IndexNumber"))
    if season is None or first is None:
        return frozenset()
    last = _int(raw.get("IndexNumberEnd")) or first
    return frozenset(
        EpisodeKey(season, number)
        for number in range(first, min(last, first + 500) + 1)
    )


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _int_list(value: object) -> list[int]:
    if not isinstance(value, str):
        return [number] if (number := _int(value)) is not None else []
    return [number for part in value.split(",") if (number := _int(part)) is not None]


def _date(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    # Jellyfin writes seven fractional digits; Python reads them since 3.11.
    return parsed if parsed.tzinfo else None
