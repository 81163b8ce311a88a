"""Real ``qbittorrent-nox`` instances on loopback, one profile folder each."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
import shutil
import socket
import subprocess

import aiohttp

from .torrent import Torrent

USERNAME = "admin"
PASSWORD = "adminadmin"  # qBittorrent 4.x's default Web UI password

# Peers come only from torrents/addPeers: no DHT, LSD, PeX or port mapping.
_PREFERENCES = {
    "dht": False,
    "lsd": False,
    "pex": False,
    "upnp": False,
    "random_port": False,
    "queueing_enabled": False,
    "max_ratio_enabled": False,
    "announce_to_all_trackers": False,
}


def free_port() -> int:
    """Ask the kernel for a free loopback port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class QBittorrentProcess:
    """One qbittorrent-nox, started and stopped by a test."""

    def __init__(self, root: Path, name: str) -> None:
        self.profile = root / name
        self.downloads = root / f"{name}-downloads"
        self.web_port = free_port()
        self.listen_port = free_port()
        self.url = f"http://127.0.0.1:{self.web_port}"
        self._process: subprocess.Popen[bytes] | None = None
        self._session: aiohttp.ClientSession | None = None

    @staticmethod
    def available() -> bool:
        """Whether tests may run; on CI a missing binary is a failure, not a skip."""
        if shutil.which("qbittorrent-nox") is not None:
            return True
        if os.environ.get("CI"):
            raise RuntimeError(
                "qbittorrent-nox is missing on CI; scripts/system-packages installs it"
            )
        return False

    async def start(self) -> None:
        config = self.profile / "qBittorrent" / "config"
        config.mkdir(parents=True, exist_ok=True)
        (config / "qBittorrent.conf").write_text(
            "[LegalNotice]\nAccepted=true\n\n[Preferences]\n"
            f"WebUI\\Port={self.web_port}\nWebUI\\Address=127.0.0.1\n"
            "WebUI\\HostHeaderValidation=false\nWebUI\\LocalHostAuth=true\n",
            encoding="utf-8",
        )
        self.downloads.mkdir(parents=True, exist_ok=True)
        if self._session is not None:
            await self._session.close()
        self._process = subprocess.Popen(  # noqa: ASYNC220
            [
                "qbittorrent-nox",
                f"--profile={self.profile}",
                f"--webui-port={self.web_port}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
        )
        self._session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        for _ in range(200):
            try:
                await self._login()
                break
            except aiohttp.ClientError:
                await asyncio.sleep(0.05)
        else:
            raise RuntimeError("qbittorrent-nox did not start")
        await self.call(
            "app/setPreferences",
            json={
                **_PREFERENCES,
                "listen_port": self.listen_port,
                "save_path": str(self.downloads),
            },
        )

    async def stop(self) -> None:
        if self._session is not None:
            await self._session.close()
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            for _ in range(100):
                if self._process.poll() is not None:
                    break
                await asyncio.sleep(0.05)
            else:
                self._process.kill()
                self._process.wait()

    async def kill(self) -> None:
        """Go away abruptly, as a crashed or rebooting server does."""
        assert self._process is not None
        self._process.kill()
        self._process.wait()

    async def _login(self) -> None:
        assert self._session is not None
        async with self._session.post(
            f"{self.url}/api/v2/auth/login",
            data={"username": USERNAME, "password": PASSWORD},
        ) as response:
            if response.status != 200 or await response.text() != "Ok.":
                raise aiohttp.ClientError("login refused")

    async def call(
        self,
        method: str,
        *,
        json: dict | None = None,
        data: dict | aiohttp.FormData | None = None,
    ) -> str:
        """POST to ``/api/v2/<method>``; preferences go as ``json=`` form field."""
        assert self._session is not None
        if json is not None:
            data = {"json": _dumps(json)}
        async with self._session.post(
            f"{self.url}/api/v2/{method}", data=data
        ) as response:
            response.raise_for_status()
            return await response.text()

    async def info(self, torrent_hash: str) -> dict:
        assert self._session is not None
        async with self._session.get(
            f"{self.url}/api/v2/torrents/info", params={"hashes": torrent_hash}
        ) as response:
            records = await response.json()
        return records[0] if records else {}

    async def add(
        self,
        torrent: Torrent,
        *,
        save_path: Path,
        seed: bool = False,
        download_limit: int | None = None,
        paused: bool = False,
    ) -> None:
        form = aiohttp.FormData()
        form.add_field(
            "torrents",
            torrent.metainfo,
            filename=f"{torrent.name}.torrent",
            content_type="application/x-bittorrent",
        )
        form.add_field("savepath", str(save_path))
        if seed:
            form.add_field("skip_checking", "true")
        if download_limit is not None:
            form.add_field("dlLimit", str(download_limit))
        if paused:
            form.add_field("paused", "true")
        await self.call("torrents/add", data=form)
        for _ in range(100):
            if await self.info(torrent.info_hash):
                return
            await asyncio.sleep(0.05)
        raise RuntimeError("torrent was not added")

    async def add_peer(self, torrent_hash: str, peer: QBittorrentProcess) -> None:
        await self.call(
            "torrents/addPeers",
            data={"hashes": torrent_hash, "peers": f"127.0.0.1:{peer.listen_port}"},
        )

    async def delete(self, torrent_hash: str) -> None:
        await self.call(
            "torrents/delete", data={"hashes": torrent_hash, "deleteFiles": "true"}
        )


def _dumps(value: dict) -> str:
    return json.dumps(value)
