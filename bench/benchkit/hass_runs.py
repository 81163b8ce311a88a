"""Real ``hass`` processes with the benchmark probe component next to the integration."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.e2e.hass_process import HassProcess

PROBE = Path(__file__).resolve().parents[1] / "bench_probe"


def install_probe(config_dir: Path) -> None:
    """Link the probe component into ``config_dir/custom_components``."""
    components = config_dir / "custom_components"
    components.mkdir(parents=True, exist_ok=True)
    link = components / "bench_probe"
    if not link.exists():
        link.symlink_to(PROBE)


def probe_yaml(sensors: int = 0, watch: str | None = None) -> str:
    """Return the probe's configuration.yaml section."""
    text = f"bench_probe:\n  sensors: {sensors}\n"
    if watch:
        text += f'  watch: "{watch}"\n'
    return text


async def call_probe(
    hass: HassProcess, service: str, data: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Call a ``bench_probe`` action over REST and return its response."""
    assert hass.session is not None
    async with hass.session.post(
        f"{hass.url}/api/services/bench_probe/{service}?return_response",
        json=data or {},
        headers=hass.headers,
    ) as response:
        response.raise_for_status()
        result: dict[str, Any] = (await response.json())["service_response"]
        return result


async def setup_timings(hass: HassProcess) -> dict[str, float]:
    """Seconds each integration took to set up, as Home Assistant recorded them (``integration/setup_info``)."""
    assert hass.session is not None
    async with hass.session.ws_connect(f"{hass.url}/api/websocket") as socket:
        await socket.receive_json()
        await socket.send_json({"type": "auth", "access_token": hass.token})
        assert (await socket.receive_json())["type"] == "auth_ok"
        await socket.send_json({"id": 1, "type": "integration/setup_info"})
        message = await socket.receive_json()
    return {item["domain"]: float(item["seconds"]) for item in message["result"]}
