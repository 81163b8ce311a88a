"""The recorder keeps the stage and the small attributes, never the growing timeline."""

from __future__ import annotations

from datetime import timedelta

from homeassistant.components.recorder import Recorder
from homeassistant.components.recorder.history import get_significant_states
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from tests.payloads import payload

from .conftest import PostWebhook

FILM = "sensor.jellyfin_home_dune_part_two_2024"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: Recorder, enable_custom_integrations: None
) -> None:
    """Start the recorder before Home Assistant, as the recorder fixtures require."""


async def test_timeline_is_left_out_of_the_recorder(
    recorder_mock: Recorder, hass: HomeAssistant, post_webhook: PostWebhook
) -> None:
    start = dt_util.utcnow() - timedelta(minutes=1)
    await post_webhook("jellyseerr", payload("jellyseerr_movie_auto_approved"))
    await post_webhook("radarr", payload("radarr_grab"))
    assert "timeline" in hass.states.get(FILM).attributes
    await async_wait_recording_done(hass)

    history = await recorder_mock.async_add_executor_job(
        get_significant_states, hass, start, None, [FILM]
    )
    recorded = history[FILM]
    assert [state.state for state in recorded] == ["approved", "indexed"]
    assert all("timeline" not in state.attributes for state in recorded)
    assert (
        recorded[-1].attributes["download_hash"]
        == "3a7c2f0b9e4d1c6a8b5f2e0d9c7b6a5f4e3d2c1b"
    )
