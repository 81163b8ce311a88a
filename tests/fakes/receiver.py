"""A webhook receiver on loopback that records what is posted to it."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .server import LoopbackServer


class Receiver(LoopbackServer):
    """Answers every POST or PUT with ``status`` and keeps the JSON bodies."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.received: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []

    def _add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_route("*", "/{tail:.*}", self._handle)

    async def _handle(self, request: web.Request) -> web.Response:
        self.received.append(await request.json())
        self.headers.append(dict(request.headers))
        return web.json_response({}, status=self.status)


class Canned(LoopbackServer):
    """Answers every request with one canned status and body, as a broken proxy might."""

    def __init__(self) -> None:
        self.status = 200
        self.body = b""

    def _add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_route("*", "/{tail:.*}", self._handle)

    async def _handle(self, request: web.Request) -> web.Response:
        await request.read()
        return web.Response(
            status=self.status, body=self.body, content_type="application/json"
        )
