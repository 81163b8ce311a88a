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

A hostile or broken hub cannot make it spin, grow without bound or die: every
attempt waits first (never zero seconds), the backoff starts over only after
a session has lived ``stable_after`` seconds, every malformed answer is one
more failed attempt, and answers are capped at ``MAX_MESSAGE_BYTES``. One
outage logs one warning and, when a session is stable again, one line that
it is back; a hub that accepts and drops at once does not flap ``connected``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
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
# No answer of a hub we talk to comes near this; anything larger is refused.
MAX_MESSAGE_BYTES = 1024 * 1024
# How long a close waits for the hub's answer (aiohttp waits 10 s by default).
CLOSE_TIMEOUT = 2.0

type EventHandler = Callable[[str, list[Any]], Awaitable[None]]
type StateHandler = Callable[[bool], None]


class SignalRError(Exception):
    """The hub misbehaved; the connection is retried."""


class SignalRAuthError(SignalRError):
    """The hub refused our credentials; retrying will not help."""


class SignalRClient:
    """One hub connection, kept up until the task running ``run_forever`` is cancelled.

    ``access_token`` goes as ``Authorization: Bearer`` on negotiate and on the
    WebSocket upgrade, as the .NET and JavaScript clients send it; aiohttp
    drops that header on a redirect to another host, and negotiate follows
    no redirect at all.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        hub_url: str,
        *,
        name: str = "the SignalR hub",
        access_token: str | None = None,
        on_event: EventHandler,
        on_state: StateHandler | None = None,
        keepalive: float = 15.0,
        server_timeout: float = 30.0,
        connect_timeout: float = 15.0,
        handshake_timeout: float = 15.0,
        backoff: Sequence[float] = (1, 2, 5, 10, 30, 60),
        stable_after: float = 60.0,
    ) -> None:
        """Configure the connection; nothing happens until ``run_forever``."""
        if not backoff or min(backoff) <= 0:
            raise ValueError("every backoff delay must be more than zero")
        self._session = session
        self._hub_url = URL(hub_url)
        self._name = name
        self._headers = (
            {"Authorization": f"Bearer {access_token}"} if access_token else {}
        )
        self._on_event = on_event
        self._on_state = on_state
        self._keepalive = keepalive
        self._server_timeout = server_timeout
        self._connect_timeout = connect_timeout
        self._handshake_timeout = handshake_timeout
        self._backoff = tuple(backoff)
        self._stable_after = stable_after
        self.connected = False
        self.connections = 0
        self._session_started: float | None = None
        self._last_session_short = False
        self._outage_logged = False
        self._confirm: asyncio.TimerHandle | None = None

    async def run_forever(self) -> None:
        """Connect, listen, and reconnect after any failure but refused credentials."""
        failures = 0
        while True:
            self._session_started = None
            reason = "the hub closed the connection"
            try:
                await self._connect_and_listen()
            except asyncio.CancelledError:
                self._cancel_confirm()  # cancelling is not a lost connection
                raise
            except SignalRAuthError:
                self._end_session()
                raise
            except (aiohttp.ClientError, TimeoutError, SignalRError) as err:
                reason = _describe(err)
            except Exception as err:  # noqa: BLE001 - the listener must outlive any answer
                reason = f"unexpected {type(err).__name__}: {err}"
                _LOGGER.debug("Unexpected error on %s", self._name, exc_info=True)
            lived = self._end_session()
            if lived is not None:
                self._last_session_short = lived < self._stable_after
                if not self._last_session_short:
                    failures = 0  # only a session that lasted starts the backoff over
            failures += 1
            self._log_failure(reason, had_session=lived is not None)
            delay = self._backoff[min(failures, len(self._backoff)) - 1]
            await asyncio.sleep(delay * random.uniform(0.8, 1.2))  # noqa: S311

    async def _connect_and_listen(self) -> None:
        token = await self._negotiate()
        url = self._hub_url.update_query({"id": token}) if token else self._hub_url
        async with asyncio.timeout(self._connect_timeout):
            socket = await self._session.ws_connect(
                url.with_scheme("wss" if url.scheme == "https" else "ws"),
                headers=self._headers,
                autoping=True,
                heartbeat=None,
                max_msg_size=MAX_MESSAGE_BYTES,
                timeout=aiohttp.ClientWSTimeout(
                    ws_receive=None, ws_close=CLOSE_TIMEOUT
                ),
            )
        try:
            await socket.send_str(HANDSHAKE)
            buffer = _RecordBuffer()
            async with asyncio.timeout(self._handshake_timeout):
                reply = await self._next_record(socket, buffer)
            if reply.get("error"):
                raise SignalRError(f"handshake refused: {reply['error']}")
            self._start_session()
            pinger = asyncio.create_task(self._ping(socket))
            try:
                await self._listen(socket, buffer)
            finally:
                pinger.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await pinger
        finally:
            await socket.close()

    async def _negotiate(self) -> str | None:
        url = self._hub_url.with_path(
            self._hub_url.path.rstrip("/") + "/negotiate"
        ).update_query({"negotiateVersion": "1"})
        timeout = aiohttp.ClientTimeout(
            total=self._connect_timeout, sock_read=self._connect_timeout
        )
        async with self._session.post(
            url, headers=self._headers, allow_redirects=False, timeout=timeout
        ) as response:
            if response.status in (401, 403):
                raise SignalRAuthError(
                    f"the hub refused the credentials ({response.status})"
                )
            if 300 <= response.status < 400:
                raise SignalRError(
                    f"negotiate answered a redirect ({response.status}), not followed"
                )
            if response.status >= 400:
                raise SignalRError(f"negotiate answered {response.status}")
            body = _parse(await _read_capped(response), "the negotiate answer")
        if not isinstance(body, dict):
            raise SignalRError("negotiate did not return an object")
        if body.get("error"):
            raise SignalRError(f"negotiate refused: {body['error']}")
        transports = body.get("availableTransports")
        if not isinstance(transports, list) or not any(
            isinstance(item, dict) and item.get("transport") == "WebSockets"
            for item in transports
        ):
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
                try:
                    buffer.feed(frame.data.decode())
                except UnicodeDecodeError as err:
                    raise SignalRError("a binary frame that is not UTF-8") from err
            elif frame.type in (
                aiohttp.WSMsgType.CLOSE,
                aiohttp.WSMsgType.CLOSED,
                aiohttp.WSMsgType.CLOSING,
            ):
                raise SignalRError("the hub closed the socket")
            elif frame.type is aiohttp.WSMsgType.ERROR:
                error = frame.data if isinstance(frame.data, BaseException) else None
                raise SignalRError(_socket_error(error or socket.exception()))
        message = _parse(record, "a record")
        if not isinstance(message, dict):
            raise SignalRError("a record that is not an object")
        return message

    async def _ping(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        """Tell the hub we are alive; Shoko drops a client silent for 60 s."""
        while True:
            await asyncio.sleep(self._keepalive)
            with contextlib.suppress(ConnectionError, aiohttp.ClientError):
                await socket.send_str(PING)

    def _start_session(self) -> None:
        """Count the session; say connected now, or once it has lasted after a flap."""
        self.connections += 1
        # The loop's clock, the one ``stable_after`` and every timeout here run on.
        self._session_started = asyncio.get_running_loop().time()
        if self._last_session_short:
            # The last session ended at once: say connected only when this one lasts.
            self._confirm = asyncio.get_running_loop().call_later(
                self._stable_after, self._session_is_up
            )
        else:
            self._session_is_up()

    def _session_is_up(self) -> None:
        self._confirm = None
        if self._outage_logged:
            _LOGGER.info("%s connection is back", _capitalised(self._name))
            self._outage_logged = False
        self._set_connected(True)

    def _cancel_confirm(self) -> None:
        if self._confirm is not None:
            self._confirm.cancel()
            self._confirm = None

    def _end_session(self) -> float | None:
        """Say disconnected; return how long the session lived, None if there was none."""
        self._cancel_confirm()
        self._set_connected(False)
        if self._session_started is None:
            return None
        return asyncio.get_running_loop().time() - self._session_started

    def _log_failure(self, reason: str, *, had_session: bool) -> None:
        """One warning per outage; the attempts after it are debug lines."""
        if self._outage_logged:
            _LOGGER.debug("Still cannot reach %s: %s", self._name, reason)
            return
        self._outage_logged = True
        if had_session:
            _LOGGER.warning(
                "Lost the connection to %s (%s); reconnecting in the background",
                self._name,
                reason,
            )
        else:
            _LOGGER.warning(
                "Cannot connect to %s (%s); retrying in the background",
                self._name,
                reason,
            )

    def _set_connected(self, connected: bool) -> None:
        if connected == self.connected:
            return
        self.connected = connected
        if self._on_state is not None:
            try:
                self._on_state(connected)
            except Exception:
                _LOGGER.exception("Error handling a SignalR state change")


class _RecordBuffer:
    """Split frames into records: several may share a frame, one may span frames."""

    def __init__(self) -> None:
        self._pending = ""
        self._records: list[str] = []

    def feed(self, text: str) -> None:
        *complete, self._pending = (self._pending + text).split(RECORD_SEPARATOR)
        if len(self._pending) > MAX_MESSAGE_BYTES:
            raise SignalRError(f"a record larger than {_MIB} without its end")
        self._records.extend(record for record in complete if record)

    def pop(self) -> str | None:
        return self._records.pop(0) if self._records else None


_MIB = f"{MAX_MESSAGE_BYTES // (1024 * 1024)} MiB"


async def _read_capped(response: aiohttp.ClientResponse) -> bytes:
    """Read a body of at most ``MAX_MESSAGE_BYTES``."""
    if (response.content_length or 0) > MAX_MESSAGE_BYTES:
        raise SignalRError(f"negotiate answered more than {_MIB}")
    body = bytearray()
    async for chunk in response.content.iter_chunked(64 * 1024):
        body += chunk
        if len(body) > MAX_MESSAGE_BYTES:
            raise SignalRError(f"negotiate answered more than {_MIB}")
    return bytes(body)


def _parse(text: str | bytes, what: str) -> Any:
    """Decode JSON; nesting too deep for the parser is malformed too."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as err:
        raise SignalRError(f"{what} is not valid JSON") from err


def _socket_error(error: BaseException | None) -> str:
    if isinstance(error, aiohttp.WebSocketError) and (
        error.code == aiohttp.WSCloseCode.MESSAGE_TOO_BIG
    ):
        return f"a message larger than {_MIB}"
    return f"socket error: {error}"


def _describe(err: BaseException) -> str:
    """Say briefly why an attempt failed, without the URL (it may hold credentials)."""
    if isinstance(err, TimeoutError):
        return "timed out"
    if isinstance(err, aiohttp.WSServerHandshakeError):
        return f"the WebSocket upgrade answered {err.status}"
    if isinstance(err, aiohttp.ClientResponseError):
        return f"the hub answered {err.status}"
    return str(err) or type(err).__name__


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]
