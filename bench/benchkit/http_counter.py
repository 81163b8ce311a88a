"""Counts the HTTP calls a client session makes and the body bytes read from its answers.

The clients keep no counters (no code in the package that only benchmarks
use), so the benchmarks count on the session, through aiohttp's tracing: each
``on_request_end`` is one call. Its ``on_response_chunk_received`` cannot count
the bytes: aiohttp sends it only from ``ClientResponse.read()``, and our
clients read in chunks (``content.iter_chunked``) to hold their body cap. So at
``on_request_end`` the response's body stream is wrapped, and every chunk read
from it is counted, inflated first when it came compressed: the figure is the
size of the body the reader gets to parse (qBittorrent gzips any answer over
1 KiB; the fakes send plain bodies).

A counted session's requests must read compressed bodies raw
(``auto_decompress=False``), as our clients do; a body aiohttp has already
inflated does not inflate again, and the count stops with an error.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any
import zlib

import aiohttp

# What the clients ask for and inflate; gzip or zlib framing, told apart by the header.
_COMPRESSED = frozenset({"gzip", "x-gzip", "deflate"})
_INFLATE_WBITS = zlib.MAX_WBITS | 32


@dataclass(frozen=True, slots=True)
class HttpCount:
    """Calls made and body bytes read, or the difference between two such counts."""

    calls: int = 0
    body_bytes: int = 0

    def __sub__(self, earlier: HttpCount) -> HttpCount:
        """Return what was counted since ``earlier``."""
        return HttpCount(
            self.calls - earlier.calls, self.body_bytes - earlier.body_bytes
        )


class HttpCounter:
    """Counts for every session created with ``trace_configs=[counter.trace_config]``."""

    def __init__(self) -> None:
        """Start at zero."""
        self.calls = 0
        self.body_bytes = 0
        self.trace_config = aiohttp.TraceConfig()
        self.trace_config.on_request_end.append(self._on_request_end)

    @property
    def count(self) -> HttpCount:
        """Everything counted so far; subtract an earlier count for one step's cost."""
        return HttpCount(self.calls, self.body_bytes)

    async def _on_request_end(
        self,
        session: aiohttp.ClientSession,
        context: SimpleNamespace,
        params: aiohttp.TraceRequestEndParams,
    ) -> None:
        self.calls += 1
        response = params.response
        encoding = response.headers.get(aiohttp.hdrs.CONTENT_ENCODING, "")
        response.content = _CountedStream(  # type: ignore[assignment]
            response.content, self, encoding.strip().lower() in _COMPRESSED
        )


class _CountedStream:
    """A response's body stream that counts what is read from it; the rest passes through."""

    def __init__(
        self, stream: aiohttp.StreamReader, counter: HttpCounter, compressed: bool
    ) -> None:
        self._stream = stream
        self._counter = counter
        self._inflater = zlib.decompressobj(_INFLATE_WBITS) if compressed else None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)

    def _counted(self, data: bytes) -> bytes:
        if self._inflater is None:
            self._counter.body_bytes += len(data)
            return data
        try:
            self._counter.body_bytes += len(self._inflater.decompress(data))
        except zlib.error as err:
            raise RuntimeError(
                "a compressed body was read already inflated: make the request "
                "with auto_decompress=False, as the integration's clients do"
            ) from err
        return data

    async def read(self, n: int = -1) -> bytes:
        """Read as ``StreamReader.read`` does (``ClientResponse.read`` comes here too)."""
        return self._counted(await self._stream.read(n))

    async def readany(self) -> bytes:
        """Read as ``StreamReader.readany`` does."""
        return self._counted(await self._stream.readany())

    async def iter_chunked(self, n: int) -> AsyncIterator[bytes]:
        """Yield chunks of at most ``n`` bytes, as our clients read their answers."""
        while chunk := await self.read(n):
            yield chunk

    async def iter_any(self) -> AsyncIterator[bytes]:
        """Yield what has arrived, chunk by chunk."""
        while chunk := await self.readany():
            yield chunk
