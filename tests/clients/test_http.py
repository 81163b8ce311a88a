"""The shared HTTP base: body caps, timeouts, compressed answers, and URLs as shown.

A body is read in chunks against its cap (1 MiB, 32 MiB for Jellyfin's item
pages and qBittorrent's torrent lists): a declared ``Content-Length`` over the
cap is refused before a byte is read, a streamed one as soon as it passes the
cap, and a gzip body is inflated under the same cap, so a small gzip bomb is
refused without being inflated. Peak memory is measured with ``tracemalloc``.
"""

from __future__ import annotations

import ast
import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
import contextlib
import gzip
import json
from pathlib import Path
import time
import tracemalloc
from typing import Any
import zlib

import aiohttp
from aiohttp import web
import pytest

from custom_components.media_request_tracker.clients import (
    arr,
    jellyfin,
    jellyseerr,
    qbittorrent,
    shoko,
)
from custom_components.media_request_tracker.clients.http import (
    LARGE_BODY,
    MIB,
    SMALL_BODY,
    ServiceError,
    ServiceUnavailableError,
    async_request,
    safe_url,
)
from tests.fakes.server import LoopbackServer

PACKAGE = Path(__file__).parents[2] / "custom_components" / "media_request_tracker"
# Far below what any over-cap body here would take if it were held.
MEMORY_BUDGET = 8 * MIB


def _gzip_of_zeros(size: int) -> bytes:
    """A gzip body that inflates to ``size`` bytes: about 1,000 to 1."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(MIB)
    parts = [packer.compress(block) for _ in range(size // MIB)]
    return b"".join([*parts, packer.flush()])


class Bodies(LoopbackServer):
    """Answers each path prefix with one kind of body, written lazily in 64 KiB chunks.

    The prefix is the client's URL: whatever path the client adds comes after it.
    """

    chunk = b" " * 65536

    def __init__(self) -> None:
        self.json_body: Any = {}
        self.bomb = b""
        self.resume = asyncio.Event()

    def _add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_get("/declared/{size}/{tail:.*}", self.declared)
        router.add_get("/streamed/{size}/{tail:.*}", self.streamed)
        router.add_get("/bomb/{tail:.*}", self.gzip_bomb)
        router.add_get("/encoded/{encoding}/{tail:.*}", self.encoded)
        router.add_get("/truncated/{tail:.*}", self.truncated)
        router.add_get("/not-gzip/{tail:.*}", self.not_gzip)
        router.add_get("/stalls/{tail:.*}", self.stalls)
        router.add_get("/json/{tail:.*}", self.json)

    async def _write(self, response: web.StreamResponse, size: int) -> None:
        try:
            while size > 0:
                await response.write(self.chunk[:size])
                size -= len(self.chunk)
        except ConnectionError:
            pass  # the client gave up, as it should

    async def declared(self, request: web.Request) -> web.StreamResponse:
        size = int(request.match_info["size"])
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        response.content_length = size
        await response.prepare(request)
        await self._write(response, size)
        return response

    async def streamed(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        await self._write(response, int(request.match_info["size"]))
        return response

    async def gzip_bomb(self, request: web.Request) -> web.Response:
        return web.Response(
            body=self.bomb,
            headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
        )

    async def encoded(self, request: web.Request) -> web.Response:
        encoding = request.match_info["encoding"]
        text = json.dumps(self.json_body).encode()
        body = {
            "gzip": gzip.compress,
            "deflate": zlib.compress,
            "br": lambda data: b"\x1b not really brotli",
        }[encoding](text)
        return web.Response(
            body=body,
            headers={"Content-Encoding": encoding, "Content-Type": "application/json"},
        )

    async def truncated(self, request: web.Request) -> web.Response:
        body = gzip.compress(json.dumps({"a": "b" * 1000}).encode())
        return web.Response(
            body=body[: len(body) // 2],
            headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
        )

    async def not_gzip(self, request: web.Request) -> web.Response:
        return web.Response(
            body=b"{}" * 100,
            headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
        )

    async def stalls(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        await response.prepare(request)
        await response.write(b"[")
        await self.resume.wait()
        return response

    async def json(self, request: web.Request) -> web.Response:
        return web.json_response(self.json_body)


@pytest.fixture
async def bodies(socket_enabled: None) -> AsyncIterator[Bodies]:
    async with Bodies() as server:
        yield server
        server.resume.set()  # let a stalled answer end before the server stops
        await asyncio.sleep(0.05)


async def _peak_memory(call: Awaitable[object]) -> tuple[int, Exception | None]:
    """Peak traced memory while ``call`` runs, and what it raised."""
    tracemalloc.start()
    try:
        await call
    except Exception as err:  # noqa: BLE001 - the test inspects it
        error: Exception | None = err
    else:
        error = None
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak, error


def _get(session: aiohttp.ClientSession, url: str, **kwargs: Any) -> Awaitable[Any]:
    return async_request(session, "GET", url, service="Test", timeout=10, **kwargs)


# Body caps.


async def test_a_declared_body_over_the_cap_is_refused_before_it_is_read(
    bodies: Bodies, session: aiohttp.ClientSession
) -> None:
    client = shoko.ShokoClient(session, f"{bodies.url}/declared/{SMALL_BODY + 1}")
    with pytest.raises(ServiceUnavailableError) as raised:
        await client.async_get_major_version()
    assert "Shoko sent more than 1 MiB for" in str(raised.value)


async def test_a_streamed_body_over_the_cap_is_refused_without_holding_it(
    bodies: Bodies, session: aiohttp.ClientSession
) -> None:
    client = shoko.ShokoClient(session, f"{bodies.url}/streamed/{64 * MIB}")
    peak, error = await _peak_memory(client.async_get_major_version())
    assert isinstance(error, ServiceUnavailableError)
    assert "Shoko sent more than 1 MiB" in str(error)
    assert peak < MEMORY_BUDGET


async def test_a_gzip_bomb_is_refused_without_inflating_it(
    bodies: Bodies, session: aiohttp.ClientSession
) -> None:
    bodies.bomb = _gzip_of_zeros(64 * MIB)
    assert len(bodies.bomb) < SMALL_BODY  # small on the wire, huge inflated
    client = arr.ArrClient(session, f"{bodies.url}/bomb", "key")
    peak, error = await _peak_memory(client.async_get_notifications())
    assert isinstance(error, ServiceUnavailableError)
    assert "Radarr sent more than 1 MiB" in str(error)
    assert peak < MEMORY_BUDGET


async def test_a_jellyfin_library_page_may_hold_more_than_1_mib(
    bodies: Bodies, session: aiohttp.ClientSession
) -> None:
    items = [{"Id": f"{n:032x}", "Name": "x" * 1000} for n in range(3000)]
    bodies.json_body = {"Items": items, "TotalRecordCount": 3000}
    assert len(json.dumps(bodies.json_body)) > 3 * MIB
    client = jellyfin.JellyfinClient(session, f"{bodies.url}/json", "key")
    page, total = await client.async_get_library_page(
        0, 3000, fields="Path", item_types="Movie"
    )
    assert (len(page), total) == (3000, 3000)


async def test_a_jellyfin_library_page_over_32_mib_is_refused(
    bodies: Bodies, session: aiohttp.ClientSession
) -> None:
    client = jellyfin.JellyfinClient(
        session, f"{bodies.url}/declared/{LARGE_BODY + 1}", "key"
    )
    with pytest.raises(ServiceUnavailableError) as raised:
        await client.async_get_library_page(0, 1000, fields="Path", item_types="Movie")
    assert "Jellyfin sent more than 32 MiB for" in str(raised.value)


async def test_jellyfins_server_info_keeps_the_1_mib_cap(
    bodies: Bodies, session: aiohttp.ClientSession
) -> None:
    client = jellyfin.JellyfinClient(
        session, f"{bodies.url}/declared/{SMALL_BODY + 1}", "key"
    )
    with pytest.raises(ServiceUnavailableError, match="more than 1 MiB"):
        await client.async_get_server_info()


async def test_a_qbittorrent_torrent_list_may_hold_more_than_1_mib(
    bodies: Bodies, session: aiohttp.ClientSession
) -> None:
    """A full sync carries every torrent, some 2 kB each; seedboxes hold thousands."""
    bodies.json_body = {
        "rid": 1,
        "full_update": True,
        "torrents": {f"{n:040x}": {"name": "x" * 1500} for n in range(1000)},
    }
    assert len(json.dumps(bodies.json_body)) > MIB
    client = qbittorrent.QBittorrentClient(session, f"{bodies.url}/json")
    assert len((await client.async_sync_maindata(0))["torrents"]) == 1000


async def test_a_body_exactly_at_the_cap_is_read(
    bodies: Bodies, session: aiohttp.ClientSession
) -> None:
    answer = await _get(session, f"{bodies.url}/streamed/{MIB}/", max_body=MIB)
    assert len(answer.body) == MIB


# Compressed answers: gzip is asked for, and inflated here under the cap.


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
async def test_a_compressed_answer_is_inflated(
    bodies: Bodies, session: aiohttp.ClientSession, encoding: str
) -> None:
    bodies.json_body = {"appName": "Radarr", "padding": "x" * 10_000}
    client = arr.ArrClient(session, f"{bodies.url}/encoded/{encoding}", "key")
    assert await client.async_get_app_name() == "Radarr"


async def test_an_encoding_we_did_not_ask_for_is_refused(
    bodies: Bodies, session: aiohttp.ClientSession
) -> None:
    with pytest.raises(ServiceUnavailableError, match=r"did not ask for \(br\)"):
        await _get(session, f"{bodies.url}/encoded/br/")


async def test_a_gzip_body_cut_short_is_an_error(
    bodies: Bodies, session: aiohttp.ClientSession
) -> None:
    with pytest.raises(ServiceUnavailableError, match="ends early"):
        await _get(session, f"{bodies.url}/truncated/")


async def test_a_body_that_is_not_the_gzip_it_claims_is_an_error(
    bodies: Bodies, session: aiohttp.ClientSession
) -> None:
    with pytest.raises(ServiceUnavailableError, match="does not inflate"):
        await _get(session, f"{bodies.url}/not-gzip/")


# Timeouts and failures, in words without the URL.


async def test_a_server_that_stops_sending_fails_at_the_read_timeout(
    bodies: Bodies, session: aiohttp.ClientSession
) -> None:
    started = time.monotonic()
    with pytest.raises(ServiceUnavailableError, match=r"no data for 0\.2 s"):
        await _get(session, f"{bodies.url}/stalls/", read_timeout=0.2)
    assert time.monotonic() - started < 2  # well before the overall 10 s


async def test_a_server_that_answers_too_slowly_fails_at_the_overall_timeout(
    bodies: Bodies, session: aiohttp.ClientSession
) -> None:
    with pytest.raises(ServiceUnavailableError, match=r"no answer within 0\.3 s"):
        await async_request(
            session, "GET", f"{bodies.url}/stalls/", service="Test", timeout=0.3
        )


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://proxy-user:proxy-pass@[::1/x", "the URL is not valid"),
        ("http://proxy-user:proxy-pass@127.0.0.1:1/x", "Cannot connect to host"),
    ],
)
async def test_a_failed_request_says_why_without_the_url(
    session: aiohttp.ClientSession, socket_enabled: None, url: str, reason: str
) -> None:
    with pytest.raises(ServiceUnavailableError) as raised:
        await _get(session, url)
    assert reason in str(raised.value)
    assert "proxy-" not in str(raised.value)


class SpySession:
    """Records what each client asks aiohttp for, and passes the call on."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session
        self.calls: list[dict[str, Any]] = []

    def request(self, method: str, url: str, **kwargs: Any) -> Any:
        self.calls.append(kwargs)
        return self._session.request(method, url, **kwargs)


type ClientCall = Callable[[Any, str], Awaitable[object]]

CLIENT_CALLS: dict[str, tuple[float, ClientCall]] = {
    "arr": (
        arr.REQUEST_TIMEOUT,
        lambda s, url: arr.ArrClient(s, url, "k").async_get_notifications(),
    ),
    "jellyfin": (
        jellyfin.REQUEST_TIMEOUT,
        lambda s, url: jellyfin.JellyfinClient(s, url, "k").async_get_items(["1"]),
    ),
    "jellyseerr": (
        jellyseerr.REQUEST_TIMEOUT,
        lambda s, url: jellyseerr.JellyseerrClient(s, url, "k").async_get_webhook(),
    ),
    "qbittorrent": (
        qbittorrent.REQUEST_TIMEOUT,
        lambda s, url: qbittorrent.QBittorrentClient(
            s, url, "u", "p"
        ).async_sync_maindata(0),
    ),
    "shoko": (
        shoko.REQUEST_TIMEOUT,
        lambda s, url: shoko.ShokoClient(s, url, "k").async_check_started(),
    ),
}


@pytest.mark.parametrize(
    ("total", "call"), CLIENT_CALLS.values(), ids=CLIENT_CALLS.keys()
)
async def test_every_client_call_has_connect_and_read_timeouts_and_no_redirects(
    bodies: Bodies, session: aiohttp.ClientSession, total: float, call: ClientCall
) -> None:
    spy = SpySession(session)
    with contextlib.suppress(ServiceError):  # {} is no answer most of them can use
        await call(spy, f"{bodies.url}/json")
    assert spy.calls
    for kwargs in spy.calls:
        timeout = kwargs["timeout"]
        assert timeout.total == total  # the overall timeout each client had
        assert 0 < timeout.connect <= 10
        assert 0 < timeout.sock_read <= total
        assert kwargs["allow_redirects"] is False
        assert kwargs["headers"]["Accept-Encoding"] == "gzip"


# URLs as shown.


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "https://user:pass@radarr.example:7878/base",
            "https://radarr.example:7878/base",
        ),
        ("http://user@10.0.0.2:8096", "http://10.0.0.2:8096"),
        ("https://radarr.example/?apikey=abc#frag", "https://radarr.example/"),
        # Unescaped @, / and ? in a password still count as user info.
        ("https://me:p@ss/w?rd@host:1/x", "https://host:1/x"),
        ("user:pass@host:8080", "host:8080"),
        (" http://plain.example:80/ ", "http://plain.example:80/"),
    ],
)
def test_safe_url_drops_user_info_query_and_fragment(url: str, shown: str) -> None:
    assert safe_url(url) == shown


def test_safe_url_redacts_secrets_left_in_the_path() -> None:
    url = "http://ha.local:8123/api/webhook/secret-webhook-id"
    assert safe_url(url, ["secret-webhook-id", ""]) == (
        "http://ha.local:8123/api/webhook/**REDACTED**"
    )


def _names_a_url(node: ast.AST) -> bool:
    """Whether an expression reads something called ``*url*`` not through ``safe_url``."""
    if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "safe_url":
        return False
    name = node.id if isinstance(node, ast.Name) else getattr(node, "attr", "")
    if isinstance(node, ast.Name | ast.Attribute) and "url" in name.lower():
        return True
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return "://" in node.value
    return any(_names_a_url(child) for child in ast.iter_child_nodes(node))


def test_no_log_line_shows_a_url_except_through_safe_url() -> None:
    """Every ``LOGGER``/``_LOGGER`` call in the package, read from its source."""
    offenders = [
        f"{path.relative_to(PACKAGE)}:{node.lineno}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and getattr(node.func.value, "id", "") in {"LOGGER", "_LOGGER"}
        and any(_names_a_url(arg) for arg in node.args)
    ]
    assert offenders == []
