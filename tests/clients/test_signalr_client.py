"""The SignalR client against a fake hub that speaks the real protocol."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import contextlib
from typing import Any

import pytest

from custom_components.media_request_tracker.clients.signalr import (
    SignalRAuthError,
    SignalRClient,
)
from tests.fakes.shoko import API_KEY, RS, FakeShoko

FAST = {
    "keepalive": 0.1,
    "server_timeout": 1.0,
    "handshake_timeout": 0.3,
    "backoff": (0, 0.05, 0.1),
}


@pytest.fixture
async def hub(socket_enabled: None) -> AsyncIterator[FakeShoko]:
    server = FakeShoko()
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


def make_client(
    session, hub: FakeShoko, recorder: Recorder, **options: Any
) -> SignalRClient:
    return SignalRClient(
        session,
        f"{hub.url}/signalr/aggregate?feeds=shoko",
        headers={"apikey": API_KEY},
        on_event=recorder.on_event,
        on_state=recorder.on_state,
        **{**FAST, **options},
    )


async def test_events_arrive_even_several_to_a_frame(hub: FakeShoko, session) -> None:
    recorder = Recorder()
    client = make_client(session, hub, recorder)
    async with running(client):
        await asyncio.wait_for(hub.connected.wait(), 5)
        await hub.emit("ShokoEvent:FileMatched", {"FileID": 1}, together=True)
        await wait_until(lambda: len(recorder.targets()) == 2)
    assert recorder.events[0] == ("ShokoEvent:OnConnected", [None])
    assert hub.feeds == ["shoko"]
    assert recorder.states == [True]  # cancelling is not a lost connection


async def test_a_record_split_over_two_frames_is_joined(
    hub: FakeShoko, session
) -> None:
    recorder = Recorder()
    async with running(make_client(session, hub, recorder)):
        await asyncio.wait_for(hub.connected.wait(), 5)
        record = (
            '{"type":1,"target":"ShokoEvent:FileHashed","arguments":[{"FileID":7}]}'
            + RS
        )
        await hub.send_raw(record[:20])
        await hub.send_raw(record[20:])
        await wait_until(lambda: recorder.targets() == ["ShokoEvent:FileHashed"])
    assert recorder.events[-1][1] == [{"FileID": 7}]


async def test_pings_keep_a_quiet_connection_up(hub: FakeShoko, session) -> None:
    recorder = Recorder()
    client = make_client(session, hub, recorder, server_timeout=0.5)
    async with running(client):
        await asyncio.wait_for(hub.connected.wait(), 5)
        await asyncio.sleep(1.5)  # three server timeouts, but the hub pings every 0.2 s
        assert client.connections == 1


async def test_silent_hub_is_left_after_the_server_timeout(
    hub: FakeShoko, session
) -> None:
    hub.ping_interval = 60
    recorder = Recorder()
    client = make_client(session, hub, recorder, server_timeout=0.3)
    async with running(client):
        await wait_until(lambda: client.connections >= 2)


async def test_dropped_connection_is_renewed_and_later_events_arrive(
    hub: FakeShoko, session
) -> None:
    recorder = Recorder()
    client = make_client(session, hub, recorder)
    async with running(client):
        await asyncio.wait_for(hub.connected.wait(), 5)
        await hub.drop()
        await wait_until(lambda: client.connections == 2)
        await asyncio.wait_for(hub.connected.wait(), 5)
        await hub.emit("ShokoEvent:FileMatched", {"FileID": 2})
        await wait_until(lambda: recorder.targets() == ["ShokoEvent:FileMatched"])
    assert (
        hub.negotiations == 2
    )  # a token is good once: every reconnect negotiates again
    assert recorder.states == [True, False, True]


async def test_restarted_server_is_found_again(hub: FakeShoko, session) -> None:
    recorder = Recorder()
    client = make_client(session, hub, recorder)
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
    client = make_client(session, hub, recorder)
    async with running(client):
        await wait_until(lambda: hub.negotiations >= 3)
        assert not client.connected
        hub.answer_handshake = True
        await wait_until(lambda: client.connected)


async def test_refused_key_ends_with_an_auth_error(
    socket_enabled: None, session
) -> None:
    hub = FakeShoko(major_version=6)
    await hub.start()
    try:
        client = SignalRClient(
            session,
            f"{hub.url}/signalr/aggregate?feeds=file",
            headers={"apikey": "wrong"},
            on_event=Recorder().on_event,
            **FAST,
        )
        with pytest.raises(SignalRAuthError):
            await asyncio.wait_for(client.run_forever(), 5)
    finally:
        await hub.stop()


async def test_failing_handler_does_not_end_the_connection(
    hub: FakeShoko, session, caplog
) -> None:
    calls = []

    async def failing(target: str, arguments: list[Any]) -> None:
        calls.append(target)
        raise RuntimeError("bug in a handler")

    client = SignalRClient(
        session, f"{hub.url}/signalr/aggregate?feeds=shoko", on_event=failing, **FAST
    )
    async with running(client):
        await asyncio.wait_for(hub.connected.wait(), 5)
        await hub.emit("ShokoEvent:FileMatched", {"FileID": 3})
        await wait_until(lambda: len(calls) == 2)
        assert client.connections == 1


async def test_cancelling_closes_at_once_and_leaves_no_task(
    hub: FakeShoko, session
) -> None:
    client = make_client(session, hub, Recorder())
    before = asyncio.all_tasks()
    async with running(client):
        await asyncio.wait_for(hub.connected.wait(), 5)
    await wait_until(lambda: not hub.sockets, timeout=2)
    assert not [
        task
        for task in asyncio.all_tasks() - before
        if not task.done() and "_pinger" not in repr(task)
    ]
