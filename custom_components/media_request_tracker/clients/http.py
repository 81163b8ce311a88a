"""The HTTP plumbing the REST clients share: one request function, one error tree.

Why it exists: the five REST clients (Radarr and Sonarr, Jellyfin,
Jellyseerr, qBittorrent, Shoko) each had their own timeout, status, body and
JSON handling, and each followed redirects, as aiohttp does unless told not
to. On a redirect to another origin aiohttp drops only the ``Authorization``
header: ``X-Api-Key``, Shoko's ``apikey`` and cookies for the same host went
along, and on 307 and 308 the method and body are sent again, so qBittorrent's
login form carried the password to wherever a forward-auth proxy (Authelia,
Authentik) pointed. Here no request follows a redirect: every request we make
carries a credential, so a 3xx is a ``RedirectRefusedError`` that names only
the origin it points to.

Every call also gets explicit connect and read timeouts inside its overall
one (the session's default is five minutes), and reads its body in chunks
against a cap, ``Content-Length`` first; compressed bodies are inflated here
under the same cap, so neither a huge body nor a small gzip bomb is held in
memory before it is refused.

The same module says how a configured URL may be shown (``safe_url``): without
user info, query, fragment or any of our secrets.

No Home Assistant imports: the clients are plain aiohttp.
"""

from __future__ import annotations

from collections.abc import Collection, Container, Iterable, Mapping
from dataclasses import dataclass
import json
from typing import Any
from urllib.parse import urlsplit
import zlib

import aiohttp
from yarl import URL

MIB = 1024 * 1024
SMALL_BODY = 1 * MIB
LARGE_BODY = 32 * MIB
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 10.0
REDACTED = "**REDACTED**"
_CHUNK = 64 * 1024
# gzip or zlib framing, told apart by the header (``deflate`` is zlib-framed).
_INFLATE_WBITS = zlib.MAX_WBITS | 32
_INFLATED_ENCODINGS = frozenset({"gzip", "x-gzip", "deflate"})
_PLAIN_ENCODINGS = frozenset({"", "identity"})


class ServiceError(Exception):
    """A service answered with something we cannot use."""


class ServiceUnavailableError(ServiceError):
    """A service could not be reached, failed on its side, or answered too much."""


class ServiceAuthError(ServiceError):
    """A service refused our credentials."""


class RedirectRefusedError(ServiceUnavailableError):
    """A service answered with a redirect, which we never follow.

    ``target`` is the origin it points to (scheme, host, port), with no user
    info, path or query; the config flow logs it so the user can fix the URL.
    """

    def __init__(self, service: str, status: int, target: str | None) -> None:
        """Say where the redirect pointed, and why we stop."""
        where = f" to {target}" if target else ""
        super().__init__(
            f"{service} answered with a redirect ({status}){where}; redirects are "
            "not followed, because our credentials would go with them: use the "
            "address the service answers on itself, or let the proxy pass its API "
            "through without a login"
        )
        self.status = status
        self.target = target


@dataclass(frozen=True, kw_only=True, slots=True)
class HttpAnswer:
    """A response's status and its whole (capped, inflated) body."""

    service: str
    path: str
    status: int
    body: bytes

    def json(self) -> Any:
        """Parse the body; an empty body is None, anything unparsable an error."""
        if not self.body.strip():
            return None
        try:
            return json.loads(self.body)
        except ValueError as err:
            raise ServiceError(
                f"{self.service} sent invalid JSON for {self.path}"
            ) from err


async def async_request(
    session: aiohttp.ClientSession,
    method: str,
    url: str,
    *,
    service: str,
    timeout: float,
    read_timeout: float = READ_TIMEOUT,
    headers: Mapping[str, str] | None = None,
    params: Mapping[str, str] | None = None,
    json: Any = None,
    data: Mapping[str, str] | None = None,
    max_body: int = SMALL_BODY,
    refused: Collection[int] = (401, 403),
    answers: Container[int] = (),
) -> HttpAnswer:
    """Make one request and return its answer; never follow a redirect.

    ``timeout`` bounds the whole call, the connect and read timeouts each
    phase. A status in ``refused`` is a ``ServiceAuthError``; any other 4xx
    or 5xx is a ``ServiceUnavailableError`` unless it is in ``answers``, the
    statuses the caller reads itself. A request aiohttp refuses to make (a
    header holding a newline) raises its ``ValueError`` unchanged: that is our
    bug or bad input, not the service's answer.
    """
    try:
        path = urlsplit(url).path or "/"
    except ValueError:
        path = "/"  # aiohttp says the URL is not valid, below
    timeouts = aiohttp.ClientTimeout(
        total=timeout,
        connect=min(CONNECT_TIMEOUT, timeout),
        sock_read=min(read_timeout, timeout),
    )
    try:
        async with session.request(
            method,
            url,
            headers={**(headers or {}), "Accept-Encoding": "gzip"},
            params=params,
            json=json,
            data=data,
            allow_redirects=False,
            timeout=timeouts,
            auto_decompress=False,
        ) as response:
            status = response.status
            if 300 <= status < 400:
                raise RedirectRefusedError(service, status, _redirect_target(response))
            if status in refused:
                raise ServiceAuthError(f"{service} refused the credentials ({status})")
            if status >= 400 and status not in answers:
                raise ServiceUnavailableError(
                    f"{service} answered {status} to {method} {path}"
                )
            body = await _read_capped(response, max_body, service, path)
    except (aiohttp.ClientError, TimeoutError) as err:
        raise ServiceUnavailableError(
            f"cannot reach {service}: {_reason(err, timeouts)}"
        ) from err
    return HttpAnswer(service=service, path=path, status=status, body=body)


async def _read_capped(
    response: aiohttp.ClientResponse, cap: int, service: str, path: str
) -> bytes:
    """Read the body in chunks, inflating it here, and stop as soon as it passes ``cap``."""

    def too_large() -> ServiceUnavailableError:
        response.close()
        return ServiceUnavailableError(
            f"{service} sent more than {_size(cap)} for {path}; refused"
        )

    if response.content_length is not None and response.content_length > cap:
        raise too_large()
    encoding = response.headers.get(aiohttp.hdrs.CONTENT_ENCODING, "").strip().lower()
    if encoding not in _PLAIN_ENCODINGS | _INFLATED_ENCODINGS:
        response.close()
        raise ServiceUnavailableError(
            f"{service} sent a body in an encoding we did not ask for ({encoding})"
        )
    inflater = (
        zlib.decompressobj(_INFLATE_WBITS) if encoding in _INFLATED_ENCODINGS else None
    )
    chunks: list[bytes] = []
    size = 0
    received = False
    try:
        async for chunk in response.content.iter_chunked(_CHUNK):
            received = True
            # Never inflate more than one byte past the cap.
            part = (
                chunk
                if inflater is None
                else inflater.decompress(chunk, cap - size + 1)
            )
            size += len(part)
            if size > cap:
                raise too_large()
            chunks.append(part)
        if inflater is not None and received:
            # Nothing is left to inflate: each chunk was inflated whole, or
            # hit the cap above.
            if not inflater.eof:
                raise ServiceUnavailableError(
                    f"{service} sent a compressed body that ends early for {path}"
                )
    except zlib.error as err:
        response.close()
        raise ServiceUnavailableError(
            f"{service} sent a compressed body that does not inflate for {path}"
        ) from err
    return b"".join(chunks)


def _redirect_target(response: aiohttp.ClientResponse) -> str | None:
    """Name the origin a redirect points to, resolved against the request URL."""
    location = response.headers.get(aiohttp.hdrs.LOCATION)
    if not location:
        return None
    try:
        return str(response.url.join(URL(location)).origin())
    except ValueError:
        return None


def _reason(err: BaseException, timeouts: aiohttp.ClientTimeout) -> str:
    """Why a request failed, in words that never hold the URL or a credential."""
    if isinstance(err, aiohttp.ConnectionTimeoutError):
        return f"no connection within {timeouts.connect:g} s"
    if isinstance(err, aiohttp.SocketTimeoutError):
        return f"no data for {timeouts.sock_read:g} s"
    if isinstance(err, TimeoutError):
        return f"no answer within {timeouts.total:g} s"
    if isinstance(err, aiohttp.InvalidURL):
        return "the URL is not valid"
    if isinstance(
        err,
        aiohttp.ClientOSError
        | aiohttp.ServerDisconnectedError
        | aiohttp.ClientPayloadError,
    ):
        # Host, port and the system's reason; aiohttp puts no URL in these.
        return str(err) or type(err).__name__
    return type(err).__name__


def _size(limit: int) -> str:
    return f"{limit // MIB} MiB" if limit % MIB == 0 else f"{limit} bytes"


def safe_url(url: str, secrets: Iterable[str] = ()) -> str:
    """Return a configured URL as it may be shown in diagnostics, logs and repairs.

    User info, query and fragment go (a query can hold an ``api_key``), and so
    does any of ``secrets`` (API keys, webhook ids) that is still in it.
    Scheme, host, port and path stay, so the user recognises the URL.
    Everything up to the last ``@`` counts as user info, even in the path: a
    password with an unescaped ``/`` or ``?`` must not survive either.
    """
    scheme, slashes, rest = url.strip().partition("//")
    if not slashes:
        scheme, rest = "", scheme
    rest = rest.rpartition("@")[2].split("#", 1)[0].split("?", 1)[0]
    text = f"{scheme}{slashes}{rest}"
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text
