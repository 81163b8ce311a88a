"""The demo media stack: a real Home Assistant, watching four requests move.

Started by ``scripts/develop``. Next to a real ``hass`` (the repo's
``config/``, ``default_config``) it starts the fake Jellyfin and Shoko
servers the tests use, two real qbittorrent-nox instances (a seeder and a
downloader), sets the integration up through the config-flow REST API as the
UI would, and then plays four requests through the real webhooks: a regular
film (with a real torrent downloading), a regular series, an anime series and
an anime compilation film. Stop it with Ctrl-C.
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

from tests.e2e.hass_process import HassProcess  # noqa: E402
from tests.e2e.player import StackPlayer, say  # noqa: E402

DEMO_USER, DEMO_PASSWORD = "demo", "demo-password"
STEP = 4.0  # seconds between steps, so a person can watch


async def main(port: int, once: bool) -> None:
    work = Path(tempfile.mkdtemp(prefix="mrt-demo-"))
    # A fresh configuration each run, so the demo login is always the one the README gives.
    config = ROOT / "config-demo"
    shutil.rmtree(config, ignore_errors=True)
    config.mkdir()
    shutil.copy(ROOT / "config" / "configuration.yaml", config / "configuration.yaml")
    hass = HassProcess(config, port, minimal=False)
    player = StackPlayer(hass, work, STEP)
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
        await hass.finish_onboarding()
        await hass.wait_until_running()
        await player.set_up_integration()
        say(f"ready: open {hass.url} and log in as {DEMO_USER} / {DEMO_PASSWORD}")
        await player.play_all()
        say(
            "all four requests are available; Home Assistant keeps running (Ctrl-C to stop)"
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
