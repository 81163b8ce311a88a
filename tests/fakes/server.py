"""What the fake servers share: an aiohttp application served on loopback."""

from __future__ import annotations

from types import TracebackType
from typing import Self

import aiohttp
from aiohttp import web


class LoopbackServer:
    """Serves its routes on ``127.0.0.1`` from ``start`` to ``stop``.

    ``start`` takes a free port unless told one (a restart on the same port is a
    server coming back); ``url`` and ``port`` say where it listens. ``async with``
    starts and stops it.
    """

    url: str = ""
    port: int = 0
    _runner: web.AppRunner | None = None

    def _add_routes(self, router: web.UrlDispatcher) -> None:
        raise NotImplementedError

    async def start(self, port: int = 0) -> None:
        app = web.Application()
        self._add_routes(app.router)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        self.port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{self.port}"

    async def stop(self) -> None:
        """Close the port, as a server that goes away does; ``start`` opens it again."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()


class SendingServer(LoopbackServer):
    """A fake app that also posts to webhooks, with its own client session while it runs."""

    _session: aiohttp.ClientSession | None = None

    async def start(self, port: int = 0) -> None:
        await super().start(port)
        self._session = aiohttp.ClientSession()

    async def stop(self) -> None:
        if self._session is not None:
            await self._session.close()
        await super().stop()
