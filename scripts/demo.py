"""The demo media stack: a real Home Assistant, watching requests move on its dashboard card.

Started by ``scripts/develop``. Next to a real ``hass`` (a configured demo
home in ``config-demo/``: location, time zone, country, and only the pieces
that work offline) it starts the fake Jellyfin and Shoko servers the tests
use, two real qbittorrent-nox instances (a seeder and a downloader), sets the
integration up through the config-flow REST API as the UI would, makes the
dashboard card the first view, and plays requests through the real webhooks:
a regular film (a real torrent of 160 MiB at 768 KiB/s: about three and a half
minutes of download), a regular series, an anime series and an anime
compilation film, which end available; a series that stays waiting for
approval, and a film whose download was removed from qBittorrent, which stays
with its repair issue. Stop it with Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from pathlib import Path
import shutil
import signal
import sys
import tempfile

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.dashboard import save_dashboard, skip_onboarding_extras  # noqa: E402
from tests.e2e.extra_requests import removed_download, waiting_for_approval  # noqa: E402
from tests.e2e.hass_process import HassProcess  # noqa: E402
from tests.e2e.player import StackPlayer, say  # noqa: E402

DEMO_USER, DEMO_PASSWORD = "demo", "demo-password"
STEP = 4.0  # seconds between steps, so a person can watch
FILM_SIZE = 160 * 1024 * 1024  # at the player's 768 KiB/s: about 3.5 minutes
# A home that is configured (no onboarding questions, no "country" repair) and
# without default_config's pieces that need a binary or the internet (go2rtc,
# stream, cloud, homeassistant_alerts) or scan the network (dhcp, ssdp, zeroconf).
CONFIGURATION = """\
homeassistant:
  name: Media Request Tracker demo
  latitude: 52.3731
  longitude: 4.8922
  elevation: 0
  unit_system: metric
  currency: EUR
  country: NL
  time_zone: Europe/Amsterdam
  language: en
  internal_url: "http://127.0.0.1:{port}"

http:
  server_host: 127.0.0.1
  server_port: {port}

frontend:
config:
history:
logbook:
energy:
person:
sun:
system_health:
my:

logger:
  default: warning
  logs:
    custom_components.media_request_tracker: info
"""


async def main(port: int, once: bool) -> None:
    work = Path(tempfile.mkdtemp(prefix="mrt-demo-"))
    # A fresh configuration each run, so the demo login is always the one the README gives.
    config = ROOT / "config-demo"
    shutil.rmtree(config, ignore_errors=True)
    config.mkdir()
    (config / "configuration.yaml").write_text(
        CONFIGURATION.format(port=port), encoding="utf-8"
    )
    # Onboarding's location step would set up met, radio_browser and google_translate.
    skip_onboarding_extras(config)
    hass = HassProcess(config, port, minimal=False)
    player = StackPlayer(hass, work, STEP, film_size=FILM_SIZE)
    # SIGTERM must stop Home Assistant and the qBittorrents too, as Ctrl-C does.
    task = asyncio.current_task()
    assert task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    try:
        await player.start_services()
        say(
            f"fake Jellyfin {player.jellyfin.url}, fake Shoko {player.shoko.url}, qBittorrent {player.downloader.url}"
        )
        say(
            "starting Home Assistant (the first start installs the frontend and takes a minute)"
        )
        await hass.start()
        await hass.onboard(DEMO_USER, DEMO_PASSWORD)
        await hass.wait_until_running()
        await player.set_up_integration()
        await save_dashboard(hass)
        say(f"ready: open {hass.url} and log in as {DEMO_USER} / {DEMO_PASSWORD}")
        await asyncio.gather(
            player.play_all(), waiting_for_approval(player), removed_download(player)
        )
        say(
            "four requests are available, one waits for approval, one needs attention;"
            " Home Assistant keeps running (Ctrl-C to stop)"
        )
        if not once:
            await asyncio.Event().wait()
    finally:
        with contextlib.suppress(Exception):
            await hass.close()
            await player.stop_services()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8123)
    parser.add_argument(
        "--once", action="store_true", help="stop after the four paths (for checks)"
    )
    arguments = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt, asyncio.CancelledError):
        asyncio.run(main(arguments.port, arguments.once))
