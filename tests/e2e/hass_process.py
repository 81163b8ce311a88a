"""A real Home Assistant process on loopback, set up the way a user would set it up.

It starts ``hass`` from the test environment with a minimal configuration,
onboards a user over HTTP, and runs our config flow through the REST API,
exactly as the UI does.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
import signal
import subprocess
import sys
from typing import Any

import aiohttp

PACKAGE = (
    Path(__file__).resolve().parents[2] / "custom_components" / "media_request_tracker"
)
CLIENT_ID = "http://127.0.0.1/"
EVENT = "media_request_tracker_state_changed"


class HassProcess:
    """One ``hass`` process and an authenticated HTTP client for it."""

    def __init__(
        self,
        config_dir: Path,
        port: int,
        *,
        minimal: bool = True,
        python: Path | None = None,
        extra_yaml: str = "",
    ) -> None:
        self.config_dir = config_dir
        self.port = port
        # A minimal configuration starts in seconds and installs nothing; the demo uses the repo's.
        self.minimal = minimal
        self.python = python or Path(sys.executable)
        self.extra_yaml = extra_yaml
        self.url = f"http://127.0.0.1:{port}"
        self.token = ""
        self._credentials = ("test", "test-password")
        self._process: subprocess.Popen[bytes] | None = None
        self._log = None
        self.session: aiohttp.ClientSession | None = None

    def write_config(self) -> None:
        (self.config_dir / "custom_components").mkdir(parents=True, exist_ok=True)
        link = self.config_dir / "custom_components" / "media_request_tracker"
        if not link.exists():
            link.symlink_to(PACKAGE)
        (self.config_dir / "configuration.yaml").write_text(
            "homeassistant:\n  name: E2E\n"
            f'  internal_url: "{self.url}"\n'
            f"http:\n  server_host: 127.0.0.1\n  server_port: {self.port}\n"
            "api:\nconfig:\nonboarding:\nwebsocket_api:\n"
            "logger:\n  default: warning\n  logs:\n    custom_components.media_request_tracker: info\n"
            + self.extra_yaml,
            encoding="utf-8",
        )

    async def start(self) -> None:
        """Start ``hass`` and wait until it answers."""
        if self.minimal:
            self.write_config()
        hass_binary = self.python.with_name("hass")
        self._log = (self.config_dir / "hass.log").open("ab")
        self._process = subprocess.Popen(  # noqa: ASYNC220
            [
                str(hass_binary),
                "--config",
                str(self.config_dir),
                *(["--skip-pip"] if self.minimal else []),
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        if self.session is None:
            self.session = aiohttp.ClientSession()
        async with asyncio.timeout(90 if self.minimal else 300):
            while True:
                if self._process.poll() is not None:
                    raise RuntimeError(
                        f"hass exited early; see {self.config_dir / 'hass.log'}"
                    )
                try:
                    async with self.session.get(
                        f"{self.url}/api/onboarding"
                    ) as response:
                        if response.status in (200, 401, 404):
                            break
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.2)
        # Wait for the config entry (if any) to be loaded before a test talks to it.
        await asyncio.sleep(0.5)

    async def stop(self) -> None:
        """Stop ``hass`` the normal way (SIGTERM), waiting for its final writes."""
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            for _ in range(300):
                if self._process.poll() is not None:
                    break
                await asyncio.sleep(0.1)
            else:
                self._process.kill()
                self._process.wait()
        if self._log is not None:
            self._log.close()

    async def kill(self) -> None:
        """Kill ``hass`` at once (SIGKILL): no shutdown, no final write."""
        assert self._process is not None
        self._process.kill()
        self._process.wait()

    async def close(self) -> None:
        await self.stop()
        if self.session is not None:
            await self.session.close()

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    async def onboard(
        self, username: str = "test", password: str = "test-password"
    ) -> None:
        """Create the owner account through onboarding and get a token."""
        assert self.session is not None
        self._credentials = (username, password)
        async with self.session.post(
            f"{self.url}/api/onboarding/users",
            json={
                "client_id": CLIENT_ID,
                "name": username.title(),
                "username": username,
                "password": password,
                "language": "en",
            },
        ) as response:
            response.raise_for_status()
            code = (await response.json())["auth_code"]
        await self._token(
            {"grant_type": "authorization_code", "code": code, "client_id": CLIENT_ID}
        )

    async def finish_onboarding(self) -> None:
        """Answer the remaining onboarding steps, so the UI opens on the dashboard."""
        assert self.session is not None
        for step, body in (
            ("core_config", {}),
            ("analytics", {}),
            ("integration", {"client_id": CLIENT_ID, "redirect_uri": CLIENT_ID}),
        ):
            async with self.session.post(
                f"{self.url}/api/onboarding/{step}", json=body, headers=self.headers
            ) as response:
                await response.read()

    async def log_in(
        self, username: str | None = None, password: str | None = None
    ) -> None:
        """Log in again after a restart."""
        assert self.session is not None
        username = username or self._credentials[0]
        password = password or self._credentials[1]
        async with self.session.post(
            f"{self.url}/auth/login_flow",
            json={
                "client_id": CLIENT_ID,
                "handler": ["homeassistant", None],
                "redirect_uri": CLIENT_ID,
            },
        ) as response:
            flow = await response.json()
        async with self.session.post(
            f"{self.url}/auth/login_flow/{flow['flow_id']}",
            json={
                "client_id": CLIENT_ID,
                "username": "test",
                "password": "test-password",
            },
        ) as response:
            code = (await response.json())["result"]
        await self._token(
            {"grant_type": "authorization_code", "code": code, "client_id": CLIENT_ID}
        )

    async def _token(self, form: dict[str, str]) -> None:
        assert self.session is not None
        async with self.session.post(f"{self.url}/auth/token", data=form) as response:
            response.raise_for_status()
            self.token = (await response.json())["access_token"]

    async def wait_until_running(self, timeout: float = 300) -> None:
        """Wait until Home Assistant has finished starting (``/api/config`` says RUNNING)."""
        assert self.session is not None
        async with asyncio.timeout(timeout):
            while True:
                async with self.session.get(
                    f"{self.url}/api/config", headers=self.headers
                ) as response:
                    if (
                        response.status == 200
                        and (await response.json()).get("state") == "RUNNING"
                    ):
                        return
                await asyncio.sleep(0.2)

    async def is_onboarded(self) -> bool:
        assert self.session is not None
        async with self.session.get(f"{self.url}/api/onboarding") as response:
            if response.status != 200:
                return True
            steps = await response.json()
        return any(step["step"] == "user" and step["done"] for step in steps)

    async def entries(self) -> list[dict[str, Any]]:
        assert self.session is not None
        async with self.session.get(
            f"{self.url}/api/config/config_entries/entry", headers=self.headers
        ) as response:
            return [
                entry
                for entry in await response.json()
                if entry["domain"] == "media_request_tracker"
            ]

    async def set_up_with_jellyfin_only(self, url: str, api_key: str) -> dict[str, Any]:
        """Onboard, wait for start-up, and create our entry with Jellyfin alone."""
        await self.onboard()
        await self.wait_until_running()
        result = await self.config_flow(
            {"jellyfin_url": url, "jellyfin_api_key": api_key}, {}, {}, {}
        )
        assert result["type"] == "create_entry", result
        return result

    async def config_flow(self, *steps: dict[str, Any]) -> dict[str, Any]:
        """Run our config flow over the REST API, one answer per step."""
        assert self.session is not None
        async with self.session.post(
            f"{self.url}/api/config/config_entries/flow",
            json={"handler": "media_request_tracker", "show_advanced_options": False},
            headers=self.headers,
        ) as response:
            result = await response.json()
        for step in steps:
            async with self.session.post(
                f"{self.url}/api/config/config_entries/flow/{result['flow_id']}",
                json=step,
                headers=self.headers,
            ) as response:
                result = await response.json()
        return result

    async def wait_for_saved_entry(self, timeout: float = 10) -> None:
        """Wait until Home Assistant has written the config entry (it saves it a second later)."""
        path = self.config_dir / ".storage" / "core.config_entries"
        async with asyncio.timeout(timeout):
            while not (
                path.exists()
                and "media_request_tracker" in path.read_text(encoding="utf-8")
            ):
                await asyncio.sleep(0.1)

    async def state(self, entity_id: str) -> dict[str, Any] | None:
        assert self.session is not None
        async with self.session.get(
            f"{self.url}/api/states/{entity_id}", headers=self.headers
        ) as response:
            return await response.json() if response.status == 200 else None

    async def wait_for_state(
        self, entity_id: str, wanted: str, timeout: float = 30
    ) -> dict[str, Any]:
        async with asyncio.timeout(timeout):
            while True:
                state = await self.state(entity_id)
                if state is not None and state["state"] == wanted:
                    return state
                await asyncio.sleep(0.1)

    async def post_webhook(self, url: str, body: Any) -> int:
        assert self.session is not None
        async with self.session.post(url, json=body) as response:
            return response.status

    async def events(self) -> EventStream:
        """Subscribe to our state-changed event over the WebSocket API."""
        assert self.session is not None
        socket = await self.session.ws_connect(f"{self.url}/api/websocket")
        await socket.receive_json()  # auth_required
        await socket.send_json({"type": "auth", "access_token": self.token})
        assert (await socket.receive_json())["type"] == "auth_ok"
        await socket.send_json(
            {"id": 1, "type": "subscribe_events", "event_type": EVENT}
        )
        assert (await socket.receive_json())["success"]
        return EventStream(socket)


class EventStream:
    """Events as the WebSocket API delivers them."""

    def __init__(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        self._socket = socket

    async def next(self, timeout: float = 30) -> dict[str, Any]:
        message = await self._socket.receive_json(timeout=timeout)
        data: dict[str, Any] = message["event"]["data"]
        return data

    async def close(self) -> None:
        await self._socket.close()
