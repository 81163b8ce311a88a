"""The dashboard card in Debian's Chromium, on a real Home Assistant fed by real webhooks.

Nothing is set up by hand: the integration registers the card's resource itself,
the test only puts the card on the dashboard as a user would, logs in through the
real login page, and watches a real torrent download in the card.
With ``MRT_SCREENSHOTS=docs`` the screenshots go to ``docs/`` for the README.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import os
from pathlib import Path
import re
import sys
from typing import Any

from homeassistant.const import REQUIRED_PYTHON_VER, __version__
import pytest

from tests.payloads import jellyseerr, payload
from tests.services.qbittorrent import QBittorrentProcess, free_port

from .dashboard import (
    CARD_TYPE,
    CHROMIUM_ARGS,
    DASHBOARD,
    card_resources,
    keep_on_loopback,
    save_dashboard,
    skip_onboarding_extras,
)
from .extra_requests import OPPENHEIMER, removed_download
from .hass_process import HassProcess
from .player import StackPlayer

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
DOCS = Path(__file__).resolve().parents[2] / "docs"
FILM = "sensor.demo_jellyfin_dune_part_two_2024"
SERIES = "sensor.demo_jellyfin_severance_2022"
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}


def _skip_reason() -> str | None:
    if sys.version_info[:3] < REQUIRED_PYTHON_VER:
        return f"Home Assistant {__version__} needs Python {REQUIRED_PYTHON_VER} to run as a process"
    if not CHROMIUM.exists():
        return "Chromium is not installed (scripts/system-packages installs it)"
    try:
        import playwright.async_api  # noqa: F401, PLC0415
    except ImportError:
        return "playwright (requirements/test.txt) is not installed"
    if not QBittorrentProcess.available():
        return "qbittorrent-nox is not installed"
    return None


@pytest.fixture
async def frontend_hass(
    socket_enabled: None, tmp_path: Path
) -> AsyncIterator[HassProcess]:
    """A real hass with the frontend, onboarded like the demo (no step that calls the internet)."""
    if (reason := _skip_reason()) is not None:
        pytest.skip(reason)
    process = HassProcess(tmp_path / "config", free_port(), extra_yaml="frontend:\n")
    skip_onboarding_extras(process.config_dir)
    await process.start()
    await process.onboard()
    await process.wait_until_running()
    yield process
    await process.close()


async def _log_in(page: Any, hass: HassProcess, path: str) -> None:
    """Log in through Home Assistant's own login page, then open the dashboard."""
    await page.goto(f"{hass.url}{path}")
    await page.get_by_role("textbox", name="Username").fill("test")
    await page.get_by_role("textbox", name="Password").fill("test-password")
    await page.get_by_role("button", name=re.compile("log in", re.IGNORECASE)).click()
    await page.wait_for_url(re.compile(re.escape(path)))


async def _progress(row: Any) -> int:
    value = await row.get_by_role("progressbar").get_attribute("aria-valuenow")
    return int(value or 0)


async def _wait_for_progress_above(row: Any, floor: int, timeout: float) -> int:
    async with asyncio.timeout(timeout):
        while (value := await _progress(row)) <= floor:
            await asyncio.sleep(0.5)
    return value


# The lowest contrast between the card's texts and its background (WCAG's formula).
LOWEST_CONTRAST = """
card => {
  const root = card.shadowRoot;
  const rgb = (colour) => colour.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const luminance = (colour) => {
    const [r, g, b] = rgb(colour).map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const background = luminance(getComputedStyle(root.querySelector("ha-card")).backgroundColor);
  const texts = root.querySelectorAll(
    ".title, .year, .meta, .plain, .since, .progress-text, .timeline-toggle, .filters button, .badge, h2, .count"
  );
  let lowest = 21;
  for (const el of texts) {
    const text = luminance(getComputedStyle(el).color);
    const [light, dark] = text > background ? [text, background] : [background, text];
    lowest = Math.min(lowest, (light + 0.05) / (dark + 0.05));
  }
  return lowest;
}
"""


async def _screenshots(page: Any, card: Any, out: Path) -> list[Path]:
    """Light and dark, desktop and phone width, while the download runs."""
    taken = []
    for scheme in ("light", "dark"):
        for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            await page.emulate_media(color_scheme=scheme)
            await page.set_viewport_size(viewport)
            await card.get_by_role("progressbar").first.wait_for()
            await page.wait_for_timeout(600)  # the theme's transition
            contrast = await card.evaluate(LOWEST_CONTRAST)
            assert contrast >= 4.5, (scheme, name, contrast)
            path = out / f"card-{name}-{scheme}.png"
            await page.screenshot(path=str(path))
            taken.append(path)
    await page.emulate_media(color_scheme="light")
    await page.set_viewport_size(DESKTOP)
    return taken


async def test_card_loads_by_itself_and_follows_real_requests_live(
    frontend_hass: HassProcess, tmp_path: Path
) -> None:
    from playwright.async_api import async_playwright, expect  # noqa: PLC0415

    hass = frontend_hass
    # 56 MiB at 768 KiB/s: 75 s of download, long enough to see progress move.
    player = StackPlayer(hass, tmp_path / "stack", step=0.2, film_size=56 * 1024 * 1024)
    (tmp_path / "stack").mkdir()
    await player.start_services()
    film: asyncio.Task[None] | None = None
    removed: asyncio.Task[None] | None = None
    try:
        await player.set_up_integration()
        [resource] = await card_resources(hass)
        assert resource["type"] == "module"
        # The card of this entry: the frontend's device registry maps each sensor to it.
        [entry] = await hass.entries()
        view = {
            **DASHBOARD["views"][0],
            "cards": [{"type": CARD_TYPE, "filter": "all", "entry": entry["entry_id"]}],
        }
        await save_dashboard(hass, {**DASHBOARD, "views": [view]})

        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
            )
            context = await browser.new_context(viewport=DESKTOP, locale="en-GB")
            await context.route("**/*", keep_on_loopback)
            page = await context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            await _log_in(page, hass, "/lovelace/requests")

            card = page.locator("media-request-tracker-card")
            await expect(card.get_by_text("No requests yet")).to_be_visible(
                timeout=30_000
            )

            film = asyncio.create_task(player.regular_film())
            # Meanwhile another film's torrent is removed from qBittorrent: a repair names it.
            removed = asyncio.create_task(removed_download(player, seen_for=15))
            row = card.locator(f'li[data-entity="{FILM}"]')
            await expect(row.locator(".plain")).to_have_text(
                "Downloading", timeout=60_000
            )
            await expect(row.locator(".title")).to_have_text("Dune: Part Two (2024)")
            poster = row.locator("img.poster")
            await expect(poster).to_have_attribute(
                "src", re.compile(r"^https://image\.tmdb\.org/")
            )
            assert (
                await poster.evaluate(
                    "img => img.decode().then(() => img.naturalWidth)"
                )
                == 200
            )
            await expect(row.locator(".step.current")).to_have_attribute(
                "data-label", "Downloading"
            )
            first = await _progress(row)
            # Progress alone is shown at most every 30 seconds (the recorder's sake).
            later = await _wait_for_progress_above(row, first, timeout=45)
            assert first < later < 100
            await expect(row.locator(".progress-text")).to_have_text(
                re.compile(
                    r"^\d+ % · [\d.]+ (MB|kB)/s · (about \d+ min|less than a minute) left$"
                )
            )
            # A webhook adds a request, another one moves it: the card follows without a reload.
            await player.webhook("jellyseerr", payload("jellyseerr_tv_pending"))
            series = card.locator(f'li[data-entity="{SERIES}"]')
            await expect(series.locator(".plain")).to_have_text("Waiting for approval")
            await player.webhook("jellyseerr", payload("jellyseerr_anime_tv_pending"))
            await expect(card.locator("li.request")).to_have_count(4)

            await removed
            broken = card.locator(
                f'li[data-entity="sensor.demo_jellyfin_{OPPENHEIMER}"]'
            )
            badge = broken.get_by_role("link", name="Needs attention")
            await expect(badge).to_be_visible(timeout=30_000)
            await expect(badge).to_have_attribute("href", "/config/repairs")

            out = DOCS if os.environ.get("MRT_SCREENSHOTS") == "docs" else tmp_path
            shots = await _screenshots(page, card, out)
            assert all(path.stat().st_size > 10_000 for path in shots)

            await player.webhook(
                "jellyseerr", jellyseerr("jellyseerr_tv_pending", "MEDIA_APPROVED")
            )
            await expect(series.locator(".plain")).to_have_text("Looking for a release")

            # A tap opens Home Assistant's more-info dialog of the request.
            await series.locator(".title").click()
            dialog = page.locator("ha-more-info-dialog")
            await expect(dialog.get_by_text("Severance (2022)").first).to_be_visible()
            await page.keyboard.press("Escape")

            # Everything is checked: the rest of the download at full speed (CI's time).
            film_hash = (await hass.state(FILM))["attributes"]["download_hash"]
            await player.downloader.call(
                "torrents/setDownloadLimit", data={"hashes": film_hash, "limit": "0"}
            )
            await asyncio.wait_for(film, timeout=120)
            await expect(row.locator(".plain")).to_have_text(
                "Ready to watch", timeout=30_000
            )
            assert [e for e in errors if "media-request-tracker" in e] == []
            await browser.close()
    finally:
        for task in (film, removed):
            if task is not None and not task.done():
                task.cancel()
        await player.stop_services()
