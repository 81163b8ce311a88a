"""A small SignalR client (JSON hub protocol over WebSockets) on aiohttp.

Our own rather than a library, as of their newest releases. signalrcore
(1.0.2) runs on threads (a receive thread per connection, a keepalive thread
that wakes every 0.1 s), with urllib for HTTP and its own socket code for the
WebSocket, so not on Home Assistant's session; its asyncio layer runs
``start`` and ``stop`` in ``asyncio.to_thread`` and polls the state every
0.1 s; it pins ``msgpack==1.1.2`` exactly; and it does not retry a failed first
connection (a failed negotiate raises out of ``start``, a refused handshake
stops the transport for good). pysignalr (1.3.3) monkeypatches
``websockets.asyncio.client.connect.__aiter__`` for the whole process when
imported, negotiates on a session of its own, and retries only a
``NegotiationFailure``, against a lifetime budget (``retry_count``, 10) that is
never reset; a negotiate that is refused or answered 5xx ends ``run()`` at
once. This one runs in the caller's event loop on the caller's session,
reconnects forever with capped, jittered backoff, and stops at once when its
task is cancelled.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
import contextlib
import json
import logging
import random
from typing import Any

import aiohttp
from yarl import URL

_LOGGER = logging.getLogger(__name__)

RECORD_SEPARATOR = "\x1e"
# Hub message types we send or act on; completions (3) are of calls we never make.
INVOCATION, PING_TYPE, CLOSE = 1, 6, 7
HANDSHAKE = json.dumps({"protocol": "json", "version": 1}) + RECORD_SEPARATOR
PING = json.dumps({"type": PING_TYPE}) + RECORD_SEPARATOR

type EventHandler = Callable[[str, list[Any]], Awaitable[None]]
type StateHandler = Callable[[bool], None]


class SignalRError(Exception):
    """The hub misbehaved; the connection is retried."""


class SignalRAuthError(SignalRError):
    """The hub refused our credentials; retrying will not help."""


class SignalRClient:
    """One hub connection, kept up until the task running ``run_forever`` is cancelled."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        hub_url: str,
        *,
        headers: Mapping[str, str] | None = None,
        on_event: EventHandler,
        on_state: StateHandler | None = None,
        keepalive: float = 15.0,
        server_timeout: float = 30.0,
        handshake_timeout: float = 15.0,
        backoff: Sequence[float] = (0, 2, 5, 10, 30, 60),
    ) -> None:
        """Configure the connection; nothing happens until ``run_forever``."""
        self._session = session
        self._hub_url = URL(hub_url)
        self._headers = dict(headers or {})
        self._on_event = on_event
        self._on_state = on_state
        self._keepalive = keepalive
        self._server_timeout = server_timeout
        self._handshake_timeout = handshake_timeout
        self._backoff = tuple(backoff)
        self.connected = False
        self.connections = 0

    async def run_forever(self) -> None:
        """Connect, listen, and reconnect after any failure but refused credentials."""
        failures = 0
        while True:
            try:
                await self._connect_and_listen()
                failures = 0  # a clean close after a good session: start over quickly
            except SignalRAuthError:
                self._set_connected(False)
                raise
            except (aiohttp.ClientError, TimeoutError, SignalRError, ValueError):
                failures += 1
            self._set_connected(False)
            delay = self._backoff[min(failures, len(self._backoff) - 1)]
            await asyncio.sleep(delay * random.uniform(0.8, 1.2))  # noqa: S311

    async def _connect_and_listen(self) -> None:
        token = await self._negotiate()
        url = self._hub_url.update_query({"id": token}) if token else self._hub_url
        async with self._session.ws_connect(
            url.with_scheme("wss" if url.scheme == "https" else "ws"),
            headers=self._headers,
            autoping=True,
            heartbeat=None,
        ) as socket:
            await socket.send_str(HANDSHAKE)
            buffer = _RecordBuffer()
            async with asyncio.timeout(self._handshake_timeout):
                reply = await self._next_record(socket, buffer)
            if reply.get("error"):
                raise SignalRError(f"handshake refused: {reply['error']}")
            self.connections += 1
            self._set_connected(True)
            pinger = asyncio.create_task(self._ping(socket))
            try:
                await self._listen(socket, buffer)
            finally:
                pinger.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await pinger

    async def _negotiate(self) -> str | None:
        url = self._hub_url.with_path(
            self._hub_url.path.rstrip("/") + "/negotiate"
        ).update_query({"negotiateVersion": "1"})
        async with self._session.post(url, headers=self._headers) as response:
            if response.status in (401, 403):
                raise SignalRAuthError(
                    f"the hub refused the credentials ({response.status})"
                )
            if response.status >= 400:
                raise SignalRError(f"negotiate answered {response.status}")
            body = await response.json(content_type=None)
        if not isinstance(body, dict):
            raise SignalRError("negotiate did not return an object")
        if body.get("error"):
            raise SignalRError(f"negotiate refused: {body['error']}")
        transports = {
            item.get("transport")
            for item in body.get("availableTransports", [])
            if isinstance(item, dict)
        }
        if "WebSockets" not in transports:
            raise SignalRError("the hub offers no WebSockets transport")
        token = body.get("connectionToken") or body.get("connectionId")
        return token if isinstance(token, str) else None

    async def _listen(
        self, socket: aiohttp.ClientWebSocketResponse, buffer: _RecordBuffer
    ) -> None:
        while True:
            message = await self._next_record(socket, buffer)
            kind = message.get("type")
            if kind == INVOCATION and isinstance(message.get("target"), str):
                arguments = message.get("arguments")
                await self._dispatch(
                    message["target"], arguments if isinstance(arguments, list) else []
                )
            elif kind == CLOSE:
                if message.get("error"):
                    raise SignalRError(
                        f"the hub closed the connection: {message['error']}"
                    )
                return
            # Pings, completions of calls we never make, and unknown types are ignored.

    async def _dispatch(self, target: str, arguments: list[Any]) -> None:
        """Run the handler; its failure must not take the connection down."""
        try:
            await self._on_event(target, arguments)
        except Exception:
            _LOGGER.exception("Error handling SignalR event %s", target)

    async def _next_record(
        self, socket: aiohttp.ClientWebSocketResponse, buffer: _RecordBuffer
    ) -> dict[str, Any]:
        while (record := buffer.pop()) is None:
            frame = await socket.receive(timeout=self._server_timeout)
            if frame.type is aiohttp.WSMsgType.TEXT:
                buffer.feed(frame.data)
            elif frame.type is aiohttp.WSMsgType.BINARY:
                buffer.feed(frame.data.decode())
            elif frame.type in (
                aiohttp.WSMsgType.CLOSE,
                aiohttp.WSMsgType.CLOSED,
                aiohttp.WSMsgType.CLOSING,
            ):
                raise SignalRError("the hub closed the socket")
            elif frame.type is aiohttp.WSMsgType.ERROR:
                raise SignalRError(f"socket error: {socket.exception()}")
        message = json.loads(record)
        if not isinstance(message, dict):
            raise SignalRError("a record that is not an object")
        return message

    async def _ping(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        """Tell the hub we are alive; Shoko drops a client silent for 60 s."""
        while True:
            await asyncio.sleep(self._keepalive)
            with contextlib.suppress(ConnectionError, aiohttp.ClientError):
                await socket.send_str(PING)

    def _set_connected(self, connected: bool) -> None:
        if connected != self.connected:
            self.connected = connected
            if self._on_state is not None:
                self._on_state(connected)


class _RecordBuffer:
    """Split frames into records: several may share a frame, one may span frames."""

    def __init__(self) -> None:
        self._pending = ""
        self._records: list[str] = []

    def feed(self, text: str) -> None:
        *complete, self._pending = (self._pending + text).split(RECORD_SEPARATOR)
        self._records.extend(record for record in complete if record)

    def pop(self) -> str | None:
        return self._records.pop(0) if self._records else None
