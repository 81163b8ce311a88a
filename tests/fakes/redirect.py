"""A forward-auth proxy that redirects everything, and the other host it redirects to.

``Redirector`` answers every request as a forward-auth proxy in front of an
app does when the request has no session of its own: a redirect to its login
host, with the original URL in the query (``?rd=``). Authelia does so for a
request whose ``Accept`` starts with ``*/*`` or holds ``text/html`` (302, or
303 for a ``POST``); other proxies always, some with 307 (facts in
``upstream/redirects.md``), so the status is the test's to choose.

``Recorder`` is that other host; it keeps every request it receives, so a
test can show that none reached it. It listens on another port of ``127.0.0.1`` (the test guard allows no other
address): another origin, which is what aiohttp compares before it drops
``Authorization``, while cookies, which ignore ports, would still go there.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from aiohttp import web

from .server import LoopbackServer


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request as the other host received it."""

    method: str
    path_qs: str
    headers: dict[str, str]
    body: bytes


class Recorder(LoopbackServer):
    """Another host: keeps every request and answers as a login page would."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []

    def _add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_route("*", "/{tail:.*}", self._handle)

    async def _handle(self, request: web.Request) -> web.Response:
        self.requests.append(
            RecordedRequest(
                method=request.method,
                path_qs=request.path_qs,
                headers=dict(request.headers),
                body=await request.read(),
            )
        )
        return web.json_response({})


class Redirector(LoopbackServer):
    """Answers every request with ``status`` and a ``Location`` on the recorder."""

    def __init__(self, target: str, status: int = 302) -> None:
        self.target = target
        self.status = status

    def _add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_route("*", "/{tail:.*}", self._handle)

    async def _handle(self, request: web.Request) -> web.Response:
        await request.read()
        original = quote(f"{self.url}{request.path_qs}", safe="")
        return web.Response(
            status=self.status,
            headers={"Location": f"{self.target}/login?rd={original}"},
        )
