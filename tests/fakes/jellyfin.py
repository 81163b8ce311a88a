"""A fake Jellyfin server that speaks the real REST protocol on loopback.

It serves PascalCase JSON with dash-less GUIDs, reads the API key where the
given release reads it (``AuthorizationContext.cs``), ignores query parameters
it does not know (as the real server does, so a provider-id filter returns the
whole library), and counts every call. Where releases differ it answers as
``version`` does; every fact is listed with its source in
``tests/fakes/UPSTREAM.md``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote_plus

from aiohttp import web

from .server import LoopbackServer

SERVER_ID = "8f0c4e2a9b7d4c1e8a6f5b3d2c1e0f9a"
# The newest tag of each supported minor; tests run against every one.
JELLYFIN_VERSIONS = ("10.9.11", "10.10.7", "10.11.11")
_ALWAYS = ("Name", "ServerId", "Id", "Type", "IsFolder", "LocationType")
_OPTIONAL_FIELDS = ("ProviderIds", "Path", "DateCreated", "ParentId")


def _parse_date(text: str) -> datetime:
    """Read Jellyfin's ISO dates (seven fractional digits, ``Z``) and ours."""
    text = text.replace("Z", "+00:00")
    if "." in text:
        head, _, tail = text.partition(".")
        fraction, sign, zone = tail.partition("+")
        text = f"{head}.{fraction[:6]}{sign}{zone}"
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _authorization_parts(header: str) -> dict[str, str]:
    """``AuthorizationContext.GetParts``: ``key="value"`` pairs, URL-decoded."""
    parts: dict[str, str] = {}
    escaped = False
    start = 0
    key = ""
    for index, char in enumerate(header):
        if char in ('"', ","):
            escaped = (not escaped) == (char == '"')
            if char == "," and not escaped:
                if start < index:
                    parts[key] = unquote_plus(header[start:index].strip('"'))
                    key = ""
                start = index + 1
        elif not escaped and char == "=":
            key = header[start:index].strip()
            start = index + 1
    if start < len(header):
        parts[key] = unquote_plus(header[start:].strip('"'))
    return parts


def _minor(version: str) -> tuple[int, int]:
    major, minor, *_ = version.split(".")
    return int(major), int(minor)


@dataclass
class FakeJellyfin(LoopbackServer):
    """One Jellyfin server with an in-memory library."""

    api_key: str = "jellyfin-test-key"
    server_name: str = "Jellyfin Home"
    version: str = JELLYFIN_VERSIONS[-1]
    # ``EnableLegacyAuthorization`` (10.11, default true); 10.9 and 10.10 have
    # no such setting and always accept the legacy forms.
    legacy_authorization: bool = True
    library: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: Counter[str] = field(default_factory=Counter)
    fail_with: int | None = None

    def __post_init__(self) -> None:
        if not self.legacy_authorization and _minor(self.version) < (10, 11):
            raise ValueError(f"Jellyfin {self.version} cannot turn legacy auth off")

    def _add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_get("/System/Info/Public", self._public_info)
        router.add_get("/System/Info", self._info)
        router.add_get("/Items", self._items)

    def add_item(self, **item: Any) -> dict[str, Any]:
        """Add (or replace) a library item, as a library scan saves it."""
        item["Id"] = item["Id"].replace("-", "").lower()
        if "SeriesId" in item:
            item["SeriesId"] = item["SeriesId"].replace("-", "").lower()
        item.setdefault("ServerId", SERVER_ID)
        item.setdefault("LocationType", "FileSystem")
        item.setdefault("IsFolder", item.get("Type") in ("Series", "Season"))
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f0Z")
        item.setdefault("DateCreated", now)
        item.setdefault("DateLastSaved", now)
        self.library.pop(item["Id"], None)
        self.library[item["Id"]] = item
        return item

    @property
    def items(self) -> list[dict[str, Any]]:
        """Every item, in the order they were saved."""
        return list(self.library.values())

    def _token(self, request: web.Request) -> str | None:
        """Find the key where ``AuthorizationContext`` of this release looks."""
        legacy = self.legacy_authorization
        # 10.9/10.10 read X-Emby-Authorization first; 10.11 reads Authorization first.
        names = (
            ("Authorization", "X-Emby-Authorization")
            if _minor(self.version) >= (10, 11)
            else ("X-Emby-Authorization", "Authorization")
        )
        header = ""
        for name in names:
            if name == "X-Emby-Authorization" and not legacy:
                continue
            if header := request.headers.get(name, ""):
                break
        scheme, space, rest = header.partition(" ")
        schemes = ("mediabrowser", "emby") if legacy else ("mediabrowser",)
        token = (
            _authorization_parts(rest).get("Token")
            if space and scheme.lower() in schemes
            else None
        )
        query = {key.lower(): value for key, value in request.query.items()}
        for source, value in (
            (legacy, request.headers.get("X-Emby-Token")),
            (legacy, request.headers.get("X-MediaBrowser-Token")),
            (True, query.get("apikey")),
            (legacy, query.get("api_key")),
        ):
            if not token and source:
                token = value
        return token or None

    def _authorised(self, request: web.Request) -> bool:
        # No key (NoResult) and a wrong key (SecurityException) both end in 401.
        return self._token(request) == self.api_key

    def _guard(self, request: web.Request, name: str) -> web.Response | None:
        self.calls[name] += 1
        if self.fail_with is not None:
            return web.Response(status=self.fail_with, text="Service unavailable")
        if not self._authorised(request):
            return web.Response(status=401, text="")
        return None

    async def _public_info(self, request: web.Request) -> web.Response:
        self.calls["/System/Info/Public"] += 1
        return web.json_response(
            {
                "LocalAddress": self.url,
                "ServerName": self.server_name,
                "Version": self.version,
                "ProductName": "Jellyfin Server",
                "Id": SERVER_ID,
                "StartupWizardCompleted": True,
            }
        )

    async def _info(self, request: web.Request) -> web.Response:
        if (refused := self._guard(request, "/System/Info")) is not None:
            return refused
        return web.json_response(
            {
                "ServerName": self.server_name,
                "Version": self.version,
                "Id": SERVER_ID,
                "OperatingSystem": "Linux",
                "HasPendingRestart": False,
                "StartupWizardCompleted": True,
            }
        )

    async def _items(self, request: web.Request) -> web.Response:
        if (refused := self._guard(request, "/Items")) is not None:
            return refused
        query = {key.lower(): value for key, value in request.query.items()}
        items = list(self.items)
        if ids := query.get("ids"):
            wanted = {value.replace("-", "").lower() for value in ids.split(",")}
            items = [item for item in items if item["Id"] in wanted]
        elif query.get("recursive", "false").lower() != "true":
            items = []  # the root of an API key's view holds only library folders
        if types := query.get("includeitemtypes"):
            allowed = {value.strip().lower() for value in types.split(",")}
            items = [item for item in items if item["Type"].lower() in allowed]
        if query.get("ismissing", "").lower() == "false":
            items = [item for item in items if item.get("LocationType") != "Virtual"]
        if (
            "mindatelastsaved" in query
            and "mindatelastsavedforuser" not in query
            and _minor(self.version) < (10, 11)
        ):
            # SqliteItemRepository names @MinDateLastSavedForUser in the SQL but
            # binds @MinDateLastSaved; Microsoft.Data.Sqlite refuses the unbound
            # parameter and ExceptionMiddleware answers 500.
            return web.Response(status=500, text="Error processing request.")
        for name in ("mindatelastsaved", "mindatelastsavedforuser"):
            # Both compare the item's DateLastSaved, on every release.
            if since := query.get(name):
                cutoff = _parse_date(since)
                items = [
                    item
                    for item in items
                    if _parse_date(item["DateLastSaved"]) >= cutoff
                ]
        if sort_by := query.get("sortby"):
            key = sort_by.split(",")[0]
            items.sort(
                key=lambda item: str(item.get(key, "")),
                reverse=query.get("sortorder", "").lower() == "descending",
            )
        total = len(items)
        start = int(query.get("startindex", 0))
        limit = int(query["limit"]) if "limit" in query else None
        page = items[start : start + limit if limit is not None else None]
        fields = {
            value.strip() for value in query.get("fields", "").split(",") if value
        }
        body = {
            "Items": [self._render(item, fields) for item in page],
            "TotalRecordCount": total,
            "StartIndex": start,
        }
        return web.json_response(body)

    @staticmethod
    def _render(item: dict[str, Any], fields: set[str]) -> dict[str, Any]:
        rendered = {
            key: value
            for key, value in item.items()
            if key not in _OPTIONAL_FIELDS and key != "DateLastSaved"
        }
        for name in _OPTIONAL_FIELDS:
            if name in fields and name in item:
                rendered[name] = item[name]
        return rendered


def generated_library(
    server: FakeJellyfin, movies: int, shows: int, episodes_per_show: int
) -> None:
    """Fill a fake with a large, real-shaped library (for benchmarks)."""
    from .jellyfin_items import episode, movie, series  # noqa: PLC0415

    saved = "2024-01-01T00:00:00.0000000Z"  # a library scanned long ago
    for number in range(movies):
        server.add_item(
            DateLastSaved=saved,
            **movie(
                f"Film {number}",
                1950 + number % 70,
                {"Tmdb": str(100000 + number), "Imdb": f"tt{9000000 + number}"},
            ),
        )
    for number in range(shows):
        show = server.add_item(
            DateLastSaved=saved,
            **series(
                f"Show {number}",
                1990 + number % 30,
                {"Tvdb": str(300000 + number), "Tmdb": str(200000 + number)},
            ),
        )
        for index in range(episodes_per_show):
            server.add_item(
                DateLastSaved=saved, **episode(show, 1 + index // 12, 1 + index % 12)
            )


async def _serve(
    port: int, movies: int, shows: int, episodes_per_show: int, version: str
) -> None:
    """Serve a generated library until killed; ``POST /_control/items`` adds an item."""
    import asyncio  # noqa: PLC0415

    server = FakeJellyfin(version=version)
    generated_library(server, movies, shows, episodes_per_show)

    async def control(request: web.Request) -> web.Response:
        server.add_item(**await request.json())
        return web.Response(status=204)

    app = web.Application()
    app.router.add_get("/System/Info", server._info)
    app.router.add_get("/Items", server._items)
    app.router.add_post("/_control/items", control)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    print("ready", flush=True)  # noqa: T201
    await asyncio.Event().wait()


if __name__ == "__main__":
    import argparse
    import asyncio

    parser = argparse.ArgumentParser(
        description="Serve a fake Jellyfin library on loopback."
    )
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--movies", type=int, default=10000)
    parser.add_argument("--shows", type=int, default=500)
    parser.add_argument("--episodes-per-show", type=int, default=20)
    parser.add_argument(
        "--version", choices=JELLYFIN_VERSIONS, default=JELLYFIN_VERSIONS[-1]
    )
    args = parser.parse_args()
    asyncio.run(
        _serve(args.port, args.movies, args.shows, args.episodes_per_show, args.version)
    )
