"""A fake Jellyfin server that speaks the real REST protocol on loopback.

It serves PascalCase JSON with dash-less GUIDs, requires the
``Authorization: MediaBrowser Token="…"`` header, ignores query parameters it
does not know (as the real server does, so a provider-id filter returns the
whole library), and counts every call.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
import re
from typing import Any

from aiohttp import web

SERVER_ID = "8f0c4e2a9b7d4c1e8a6f5b3d2c1e0f9a"
_TOKEN = re.compile(r'Token="([^"]*)"')
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


@dataclass
class FakeJellyfin:
    """One Jellyfin server with an in-memory library."""

    api_key: str = "jellyfin-test-key"
    server_name: str = "Jellyfin Home"
    items: list[dict[str, Any]] = field(default_factory=list)
    calls: Counter[str] = field(default_factory=Counter)
    fail_with: int | None = None
    url: str = ""
    _runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/System/Info/Public", self._public_info)
        app.router.add_get("/System/Info", self._info)
        app.router.add_get("/Items", self._items)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

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
        item["DateLastSaved"] = now
        self.items = [known for known in self.items if known["Id"] != item["Id"]]
        self.items.append(item)
        return item

    def _authorised(self, request: web.Request) -> bool:
        match = _TOKEN.search(request.headers.get("Authorization", ""))
        return bool(
            request.headers.get("Authorization", "").startswith("MediaBrowser ")
            and match
            and match[1] == self.api_key
        )

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
                "Version": "10.10.7",
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
                "Version": "10.10.7",
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
        if since := query.get("mindatelastsaved"):
            cutoff = _parse_date(since)
            items = [
                item for item in items if _parse_date(item["DateLastSaved"]) >= cutoff
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
