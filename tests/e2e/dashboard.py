"""A dashboard with the card, for the demo and the browser test, and a browser that stays on loopback.

- ``skip_onboarding_extras``: marks the onboarding steps after the owner account
  as done in ``.storage/onboarding`` before ``hass`` starts. Answering the
  ``core_config`` step over the API would set up met, radio_browser and
  google_translate, which call the internet.
- ``save_dashboard``: the default dashboard's first view is the card, saved over
  the WebSocket API as the dashboard editor does.
- ``keep_on_loopback``: a Playwright route that answers poster URLs (TMDB) with
  a poster drawn here and refuses every request that leaves 127.0.0.1.
"""

from __future__ import annotations

from io import BytesIO
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
import zlib

from .hass_process import HassProcess

CARD_TYPE = "custom:media-request-tracker-card"
DASHBOARD: dict[str, Any] = {
    "title": "Media requests",
    "views": [
        {
            "title": "Requests",
            "path": "requests",
            "icon": "mdi:movie-open-play",
            "type": "panel",
            "cards": [{"type": CARD_TYPE, "filter": "all"}],
        }
    ],
}
# Chromium resolves no other host name: nothing can leave the machine.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--disable-background-networking",
    "--disable-component-update",
]
POSTER_HOSTS = ("image.tmdb.org",)


def skip_onboarding_extras(config_dir: Path) -> None:
    """Mark every onboarding step but the owner account as done (hass stopped)."""
    storage = config_dir / ".storage"
    storage.mkdir(parents=True, exist_ok=True)
    (storage / "onboarding").write_text(
        json.dumps(
            {
                "version": 4,
                "minor_version": 1,
                "key": "onboarding",
                "data": {"done": ["core_config", "analytics", "integration"]},
            }
        ),
        encoding="utf-8",
    )


async def websocket_call(hass: HassProcess, message: dict[str, Any]) -> Any:
    """Send one WebSocket command as the onboarded user; return its result."""
    assert hass.session is not None
    async with hass.session.ws_connect(f"{hass.url}/api/websocket") as socket:
        await socket.receive_json()  # auth_required
        await socket.send_json({"type": "auth", "access_token": hass.token})
        assert (await socket.receive_json())["type"] == "auth_ok"
        await socket.send_json({"id": 1, **message})
        answer = await socket.receive_json()
    if not answer.get("success"):
        raise RuntimeError(f"{message['type']} failed: {answer}")
    return answer["result"]


async def save_dashboard(
    hass: HassProcess, config: dict[str, Any] | None = None
) -> None:
    """Make the card the first view of the default dashboard."""
    await websocket_call(
        hass, {"type": "lovelace/config/save", "config": config or DASHBOARD}
    )


async def card_resources(hass: HassProcess) -> list[dict[str, Any]]:
    """The dashboard resources of ours, as the frontend lists them."""
    items = await websocket_call(hass, {"type": "lovelace/resources"})
    return [item for item in items if item["url"].startswith("/media_request_tracker/")]


def poster_png(seed: str, width: int = 200, height: int = 300) -> bytes:
    """A plain poster (a colour from the URL, a darker band), as a PNG made by hand."""
    digest = zlib.crc32(seed.encode())
    top = ((digest >> 16) & 0xFF, (digest >> 8) & 0xFF, digest & 0xFF)
    bottom = tuple(channel // 3 for channel in top)
    rows = bytearray()
    for y in range(height):
        colour = top if y < height * 2 // 3 else bottom
        rows += b"\x00" + bytes(colour) * width
    return _png(width, height, bytes(rows))


def _png(width: int, height: int, raw: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    header = (
        width.to_bytes(4, "big") + height.to_bytes(4, "big") + b"\x08\x02\x00\x00\x00"
    )
    out = BytesIO()
    out.write(b"\x89PNG\r\n\x1a\n")
    out.write(chunk(b"IHDR", header))
    out.write(chunk(b"IDAT", zlib.compress(raw, 9)))
    out.write(chunk(b"IEND", b""))
    return out.getvalue()


async def keep_on_loopback(route: Any) -> None:
    """Playwright route handler: posters drawn here, loopback passed, the rest refused."""
    url = route.request.url
    host = urlsplit(url).hostname or ""
    if host in POSTER_HOSTS:
        await route.fulfill(status=200, content_type="image/png", body=poster_png(url))
    elif host in {"127.0.0.1", "localhost"} or url.startswith(("data:", "blob:")):
        await route.continue_()
    else:
        await route.abort()
