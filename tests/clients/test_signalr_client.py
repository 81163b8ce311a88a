"""The SignalR client against a fake hub that speaks the real protocol, and against bad hubs."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import contextlib
import json
import logging
from typing import Any

from aiohttp import web
import pytest

from custom_components.media_request_tracker.clients.signalr import (
    MAX_MESSAGE_BYTES,
    SignalRAuthError,
    SignalRClient,
)
from tests.fakes.server import LoopbackServer
from tests.fakes.shoko import API_KEY, RS, FakeShoko
from tests.loop_clock import LoopClock

FAST = {
    "keepalive": 0.1,
    "server_timeout": 1.0,
    "connect_timeout": 1.0,
    "handshake_timeout": 0.3,
    "backoff": (0.05, 0.1),
    "stable_after": 0.2,
}
# Longer than a session must live to count as stable.
LASTED = 2 * FAST["stable_after"]
# The production schedule, (1, 2, 5, 10, 30, 60) s reset after 60 s, with a
# minute lasting one second.
MINUTE = 1.0
SCALED = {
    **FAST,
    "backoff": tuple(delay / 60 for delay in (1, 2, 5, 10, 30, 60)),
    "stable_after": MINUTE,
}
NOT_NEGOTIATED = [
    '{"negotiateVersion":1,"connectionId":"a","connectionToken":"b","availableTransports":null}',
    '{"negotiateVersion":1,"connectionId":"a","availableTransports":[{"transport":["WebSockets"]}]}',
    '{"negotiateVersion":1,"connectionId":"a","availableTransports":"WebSockets"}',
    "[" * 100_000 + "]" * 100_000,
    "not json",
    '"a string"',
]


@pytest.fixture(autouse=True)
async def loop_clock() -> LoopClock:
    """Every timeout, keepalive and backoff here on a clock that load cannot move."""
    return LoopClock(asyncio.get_running_loop())


@pytest.fixture(params=[5, 6], ids=["shoko5", "shoko6"])
async def hub(
    request: pytest.FixtureRequest, socket_enabled: None
) -> AsyncIterator[FakeShoko]:
    server = FakeShoko(request.param)
    await server.start()
    yield server
    await server.stop()


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, list[Any]]] = []
        self.states: list[bool] = []
        self.received = asyncio.Event()

    async def on_event(self, target: str, arguments: list[Any]) -> None:
        self.events.append((target, arguments))
        self.received.set()

    def on_state(self, connected: bool) -> None:
        self.states.append(connected)

    def targets(self) -> list[str]:
        return [
            target for target, _ in self.events if not target.endswith("OnConnected")
        ]


class Elsewhere(LoopbackServer):
    """Another host: records every request; ``hang`` makes it never answer."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.hang = False
        self.redirect_to: str | None = None
        self._stopping = asyncio.Event()

    def _add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_route("*", "/{tail:.*}", self._handle)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.requests.append((request.method, request.path, dict(request.headers)))
        if self.hang:
            await self._stopping.wait()
        if self.redirect_to is not None:
            raise web.HTTPTemporaryRedirect(f"{self.redirect_to}{request.path_qs}")
        return web.json_response({})

    async def stop(self) -> None:
        self._stopping.set()
        await super().stop()


@pytest.fixture
async def elsewhere(socket_enabled: None) -> AsyncIterator[Elsewhere]:
    async with Elsewhere() as server:
        yield server


@contextlib.asynccontextmanager
async def running(client: SignalRClient) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(client.run_forever())
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def wait_until(predicate, timeout: float = 5) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.01)


def feeds(hub: FakeShoko) -> str:
    return "file" if hub.major_version >= 6 else "shoko"


def make_client(session, url: str, recorder: Recorder, **options: Any) -> SignalRClient:
    return SignalRClient(
        session,
        f"{url}/signalr/aggregate?feeds=shoko,file",
        **{
            "name": "the test hub",
            "access_token": API_KEY,
            "on_event": recorder.on_event,
            "on_state": recorder.on_state,
            **FAST,
            **options,
        },
    )


def event(hub: FakeShoko) -> str:
    return "file:hashed" if hub.major_version >= 6 else "ShokoEvent:FileHashed"


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.levelno >= logging.WARNING
    ]


async def test_events_arrive_even_several_to_a_frame(hub: FakeShoko, session) -> None:
    recorder = Recorder()
    client = make_client(session, hub.url, recorder)
    async with running(client):
        await asyncio.wait_for(hub.connected.wait(), 5)
        await hub.emit(event(hub), {"FileID": 1}, together=True)
        await wait_until(lambda: len(recorder.targets()) == 2)
    assert hub.feeds == ["shoko", "file"]
    assert recorder.states == [True]  # cancelling is not a lost connection


async def test_only_v5_greets_the_shoko_feed_on_joining(
    hub: FakeShoko, session
) -> None:
    recorder = Recorder()
    async with running(make_client(session, hub.url, recorder)):
        await asyncio.wait_for(hub.connected.wait(), 5)
        await hub.emit(event(hub), {"FileID": 1})
        await wait_until(lambda: recorder.targets() == [event(hub)])
    greetings = [target for target, _ in recorder.events if target != event(hub)]
    assert greetings == ([] if hub.major_version >= 6 else ["ShokoEvent:OnConnected"])


async def test_a_record_split_over_two_frames_is_joined(
    hub: FakeShoko, session
) -> None:
    recorder = Recorder()
    async with running(make_client(session, hub.url, recorder)):
        await asyncio.wait_for(hub.connected.wait(), 5)
        record = (
            json.dumps({"type": 1, "target": event(hub), "arguments": [{"FileID": 7}]})
            + RS
        )
        await hub.send_raw(record[:20])
        await hub.send_raw(record[20:])
        await wait_until(lambda: recorder.targets() == [event(hub)])
    assert recorder.events[-1][1] == [{"FileID": 7}]


async def test_pings_keep_a_quiet_connection_up(hub: FakeShoko, session) -> None:
    recorder = Recorder()
    client = make_client(session, hub.url, recorder, server_timeout=0.5)
    async with running(client):
        await asyncio.wait_for(hub.connected.wait(), 5)
        await asyncio.sleep(1.5)  # three server timeouts, but the hub pings every 0.2 s
        assert client.connections == 1


async def test_silent_hub_is_left_after_the_server_timeout(
    hub: FakeShoko, session
) -> None:
    hub.ping_interval = 60
    recorder = Recorder()
    client = make_client(session, hub.url, recorder, server_timeout=0.3)
    async with running(client):
        await wait_until(lambda: client.connections >= 2)


async def test_dropped_connection_is_renewed_and_later_events_arrive(
    hub: FakeShoko, session, caplog
) -> None:
    recorder = Recorder()
    client = make_client(session, hub.url, recorder)
    async with running(client):
        await asyncio.wait_for(hub.connected.wait(), 5)
        await asyncio.sleep(LASTED)  # a session that lived
        await hub.drop()
        await wait_until(lambda: client.connections == 2)
        await asyncio.wait_for(hub.connected.wait(), 5)
        await hub.emit(event(hub), {"FileID": 2})
        await wait_until(lambda: recorder.targets() == [event(hub)])
    assert hub.negotiations == 2  # a token is good once: every reconnect negotiates
    assert recorder.states == [True, False, True]
    assert warnings(caplog) == [
        (
            "Lost the connection to the test hub (the hub closed the connection: "
            "Server is shutting down); reconnecting in the background"
        )
    ]
    assert "The test hub connection is back" in caplog.messages


async def test_restarted_server_is_found_again(hub: FakeShoko, session) -> None:
    recorder = Recorder()
    client = make_client(session, hub.url, recorder)
    async with running(client):
        await asyncio.wait_for(hub.connected.wait(), 5)
        port = hub.port
        await hub.stop()
        await wait_until(lambda: not client.connected)
        await asyncio.sleep(0.3)  # a few refused attempts while it is down
        await hub.start(port)
        await wait_until(lambda: client.connected)


async def test_hub_that_never_answers_the_handshake_is_retried(
    hub: FakeShoko, session
) -> None:
    hub.answer_handshake = False
    recorder = Recorder()
    client = make_client(session, hub.url, recorder)
    async with running(client):
        await wait_until(lambda: hub.negotiations >= 3)
        assert not client.connected
        hub.answer_handshake = True
        await wait_until(lambda: client.connected)


async def test_v6_refuses_a_wrong_key_and_the_client_stops(
    socket_enabled: None, session
) -> None:
    async with FakeShoko(6) as hub:
        client = SignalRClient(
            session,
            f"{hub.url}/signalr/aggregate?feeds=file",
            access_token="wrong",
            on_event=Recorder().on_event,
            **FAST,
        )
        with pytest.raises(SignalRAuthError):
            await asyncio.wait_for(client.run_forever(), 5)


async def test_v5_hub_is_anonymous(socket_enabled: None, session) -> None:
    async with FakeShoko(5) as hub:
        client = SignalRClient(
            session,
            f"{hub.url}/signalr/aggregate?feeds=shoko",
            on_event=Recorder().on_event,
            **FAST,
        )
        async with running(client):
            await wait_until(lambda: client.connected)


async def test_failing_handler_does_not_end_the_connection(
    hub: FakeShoko, session
) -> None:
    calls = []

    async def failing(target: str, arguments: list[Any]) -> None:
        calls.append(target)
        raise RuntimeError("bug in a handler")

    client = SignalRClient(
        session,
        f"{hub.url}/signalr/aggregate?feeds={feeds(hub)}",
        access_token=API_KEY,
        on_event=failing,
        **FAST,
    )
    async with running(client):
        await asyncio.wait_for(hub.connected.wait(), 5)
        await hub.emit(event(hub), {"FileID": 3})
        await wait_until(lambda: event(hub) in calls)
        assert client.connections == 1


async def test_cancelling_closes_at_once_and_leaves_no_task(
    hub: FakeShoko, session
) -> None:
    client = make_client(session, hub.url, Recorder())
    before = asyncio.all_tasks()
    async with running(client):
        await asyncio.wait_for(hub.connected.wait(), 5)
    await wait_until(lambda: not hub.sockets, timeout=2)
    assert not [
        task
        for task in asyncio.all_tasks() - before
        if not task.done() and "_pinger" not in repr(task)
    ]


# A hub that accepts and closes at once (issue 14, row 1) ---------------------


async def test_hub_that_closes_every_session_cleanly_is_not_hammered(
    hub: FakeShoko, session, caplog
) -> None:
    hub.close_each_session = True
    recorder = Recorder()
    client = make_client(session, hub.url, recorder, **SCALED)
    async with running(client) as task:
        await asyncio.sleep(MINUTE)
        assert not task.done()
    assert 2 <= hub.handshakes <= 7  # a handful a minute, not thousands
    assert recorder.states == [True, False]  # the sensor does not flap per attempt
    assert warnings(caplog) == [
        (
            "Lost the connection to the test hub (the hub closed the connection); "
            "reconnecting in the background"
        )
    ]


async def test_backoff_starts_over_only_after_a_session_lasted(
    hub: FakeShoko, session
) -> None:
    recorder = Recorder()
    client = make_client(session, hub.url, recorder, backoff=(0.05, 0.6))
    async with running(client):
        await asyncio.wait_for(hub.connected.wait(), 5)
        await asyncio.sleep(LASTED)
        await hub.drop()  # after a session that lasted: back in about 0.05 s
        await wait_until(lambda: client.connections == 2, timeout=0.4)
        await asyncio.wait_for(hub.connected.wait(), 5)
        await hub.drop()  # at once again: the next delay grows
        await asyncio.sleep(0.4)
        assert client.connections == 2
        await wait_until(lambda: client.connections == 3)


async def test_a_session_that_lasts_after_flapping_shows_connected_again(
    hub: FakeShoko, session, caplog
) -> None:
    hub.close_each_session = True
    recorder = Recorder()
    client = make_client(session, hub.url, recorder)
    async with running(client):
        await wait_until(lambda: hub.handshakes >= 2)
        hub.close_each_session = False
        await asyncio.wait_for(hub.connected.wait(), 5)
        assert not client.connected  # not until it has lasted
        await wait_until(lambda: client.connected)
    assert recorder.states == [True, False, True]
    assert len(warnings(caplog)) == 1
    assert "The test hub connection is back" in caplog.messages


def test_a_backoff_of_zero_is_refused(session) -> None:
    with pytest.raises(ValueError, match="more than zero"):
        SignalRClient(
            session,
            "http://127.0.0.1:9/hub",
            on_event=Recorder().on_event,
            backoff=(0, 1),
        )


# Malformed answers (issue 14, row 7) -----------------------------------------


@pytest.mark.parametrize("body", NOT_NEGOTIATED, ids=range(len(NOT_NEGOTIATED)))
async def test_malformed_negotiate_is_a_failed_attempt(
    hub: FakeShoko, session, caplog, body: str
) -> None:
    hub.negotiate_body = body
    recorder = Recorder()
    client = make_client(session, hub.url, recorder)
    async with running(client) as task:
        await wait_until(lambda: hub.negotiations >= 3)
        assert not task.done()
        hub.negotiate_body = None
        await wait_until(lambda: client.connected)
    assert len(warnings(caplog)) == 1
    assert warnings(caplog)[0].startswith("Cannot connect to the test hub (")
    assert "Traceback" not in caplog.text


@pytest.mark.parametrize(
    "reply",
    ["[" * 100_000 + "]" * 100_000 + RS, "[1]" + RS, "nonsense" + RS],
    ids=["nested", "array", "not-json"],
)
async def test_malformed_handshake_reply_is_a_failed_attempt(
    hub: FakeShoko, session, caplog, reply: str
) -> None:
    hub.handshake_reply = reply
    client = make_client(session, hub.url, Recorder())
    async with running(client) as task:
        await wait_until(lambda: hub.negotiations >= 3)
        assert not task.done()
        hub.handshake_reply = None
        await wait_until(lambda: client.connected)
    assert len(warnings(caplog)) == 1


async def test_record_nested_too_deep_ends_the_session_not_the_client(
    hub: FakeShoko, session, caplog
) -> None:
    recorder = Recorder()
    client = make_client(session, hub.url, recorder)
    async with running(client) as task:
        await asyncio.wait_for(hub.connected.wait(), 5)
        hub.connected.clear()
        await hub.send_raw("[" * 100_000 + "]" * 100_000 + RS)
        await wait_until(lambda: client.connections == 2)
        await asyncio.wait_for(hub.connected.wait(), 5)
        await hub.emit(event(hub), {"FileID": 4})
        await wait_until(lambda: recorder.targets() == [event(hub)])
        assert not task.done()
    assert warnings(caplog) == [
        (
            "Lost the connection to the test hub (a record is not valid JSON); "
            "reconnecting in the background"
        )
    ]
    assert "Traceback" not in caplog.text


async def test_binary_frame_that_is_not_utf8_ends_the_session_not_the_client(
    hub: FakeShoko, session, caplog
) -> None:
    client = make_client(session, hub.url, Recorder())
    async with running(client) as task:
        await asyncio.wait_for(hub.connected.wait(), 5)
        await hub.send_raw(b"\xff\xfe" + RS.encode())
        await wait_until(lambda: client.connections == 2)
        assert not task.done()
    assert "a binary frame that is not UTF-8" in warnings(caplog)[0]


async def test_a_failing_state_handler_does_not_end_the_client(
    hub: FakeShoko, session, caplog
) -> None:
    def failing(connected: bool) -> None:
        raise RuntimeError("bug in a state handler")

    client = make_client(session, hub.url, Recorder(), on_state=failing)
    async with running(client) as task:
        await asyncio.wait_for(hub.connected.wait(), 5)
        await asyncio.sleep(LASTED)
        await hub.drop()
        await wait_until(lambda: client.connections == 2)
        assert not task.done()
    assert "Error handling a SignalR state change" in caplog.messages


# Timeouts, size caps and redirects (issue 14, row 12) ------------------------


async def test_message_over_the_cap_is_refused_with_a_clear_reason(
    hub: FakeShoko, session, caplog
) -> None:
    client = make_client(session, hub.url, Recorder())
    async with running(client):
        await asyncio.wait_for(hub.connected.wait(), 5)
        await hub.send_raw("x" * (MAX_MESSAGE_BYTES + 1))
        await wait_until(lambda: client.connections == 2)
    assert warnings(caplog) == [
        (
            "Lost the connection to the test hub (a message larger than 1 MiB); "
            "reconnecting in the background"
        )
    ]


async def test_record_that_never_ends_is_capped(
    hub: FakeShoko, session, caplog
) -> None:
    client = make_client(session, hub.url, Recorder())
    async with running(client):
        await asyncio.wait_for(hub.connected.wait(), 5)
        for _ in range(3):
            await hub.send_raw("x" * (MAX_MESSAGE_BYTES // 2))
        await wait_until(lambda: client.connections == 2)
    assert "a record larger than 1 MiB without its end" in warnings(caplog)[0]


async def test_negotiate_answer_over_the_cap_is_refused(
    hub: FakeShoko, session, caplog
) -> None:
    hub.negotiate_body = json.dumps({"padding": "x" * MAX_MESSAGE_BYTES})
    client = make_client(session, hub.url, Recorder())
    async with running(client):
        await wait_until(lambda: hub.negotiations >= 2)
    assert "negotiate answered more than 1 MiB" in warnings(caplog)[0]


async def test_negotiate_that_never_answers_times_out(
    elsewhere: Elsewhere, session, caplog
) -> None:
    elsewhere.hang = True
    client = make_client(session, elsewhere.url, Recorder(), connect_timeout=0.2)
    async with running(client):
        await wait_until(lambda: len(elsewhere.requests) >= 2, timeout=2)
    assert warnings(caplog) == [
        "Cannot connect to the test hub (timed out); retrying in the background"
    ]


async def test_websocket_upgrade_that_never_answers_times_out(
    hub: FakeShoko, session, caplog
) -> None:
    hub.hang_upgrade = True
    client = make_client(session, hub.url, Recorder(), connect_timeout=0.2)
    async with running(client):
        await wait_until(lambda: hub.negotiations >= 2, timeout=2)
    assert warnings(caplog) == [
        "Cannot connect to the test hub (timed out); retrying in the background"
    ]


async def test_negotiate_redirect_is_not_followed_and_the_key_stays_home(
    elsewhere: Elsewhere, session, caplog, socket_enabled: None
) -> None:
    async with Elsewhere() as proxy:
        proxy.redirect_to = elsewhere.url  # a forward-auth proxy in front of the hub
        client = make_client(session, proxy.url, Recorder())
        async with running(client):
            await wait_until(lambda: len(proxy.requests) >= 2)
    assert elsewhere.requests == []
    assert "negotiate answered a redirect (307), not followed" in warnings(caplog)[0]


async def test_websocket_upgrade_redirect_does_not_carry_the_key(
    hub: FakeShoko, elsewhere: Elsewhere, session
) -> None:
    """The upgrade's redirects are followed (aiohttp), but the Bearer header is not."""
    hub.upgrade_redirect_to = elsewhere.url
    client = make_client(session, hub.url, Recorder())
    async with running(client):
        await wait_until(lambda: bool(elsewhere.requests))
    sent_on = elsewhere.requests[0][2]
    assert "Authorization" not in sent_on
    assert API_KEY not in str(sent_on)
