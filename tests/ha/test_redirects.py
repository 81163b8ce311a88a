"""What a user sees when a service redirects, and how configured URLs are shown.

A forward-auth proxy in front of Radarr answers with a redirect to its login
host: the config flow says *cannot connect* on that field, logs once which
host the redirect pointed to, and sends that host nothing. A URL with a
proxy's user name and password is shown without them in the reauth form.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
import logging

from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest

from custom_components.media_request_tracker.const import DOMAIN
from tests.fakes.arr import FakeArr
from tests.fakes.jellyfin import FakeJellyfin
from tests.fakes.redirect import Recorder, Redirector

from .conftest import instance_id, set_up, tracker_entry, wait_until

OUR_LOGGER = "custom_components.media_request_tracker"
KEY = "radarr-key-0123456789abcdef"


@pytest.fixture
async def recorder(socket_enabled: None) -> AsyncIterator[Recorder]:
    async with Recorder() as server:
        yield server


@pytest.fixture
async def proxy(recorder: Recorder) -> AsyncIterator[Redirector]:
    async with Redirector(recorder.url, 302) as server:
        yield server


@pytest.fixture(autouse=True)
async def unload_entries(hass: HomeAssistant) -> AsyncIterator[None]:
    yield
    for entry in hass.config_entries.async_entries(DOMAIN):
        if entry.state is ConfigEntryState.LOADED:
            await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


async def test_a_redirecting_radarr_is_cannot_connect_and_logged_once(
    hass: HomeAssistant,
    fake_jellyfin: FakeJellyfin,
    proxy: Redirector,
    recorder: Recorder,
    caplog: pytest.LogCaptureFixture,
) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {"jellyfin_url": fake_jellyfin.url, "jellyfin_api_key": fake_jellyfin.api_key},
    )
    while result["step_id"] != "arr":
        result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    caplog.clear()
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"radarr_url": proxy.url, "radarr_api_key": KEY}
    )
    assert result["errors"] == {"radarr_url": "cannot_connect"}
    warnings = [
        record.getMessage()
        for record in caplog.records
        if record.name.startswith(OUR_LOGGER) and record.levelno >= logging.WARNING
    ]
    assert len(warnings) == 1
    assert f"answered with a redirect (302) to {recorder.url};" in warnings[0]
    assert KEY not in caplog.text
    assert recorder.requests == []


async def test_registration_behind_a_redirect_says_where_and_sends_nothing(
    hass: HomeAssistant,
    fake_jellyfin: FakeJellyfin,
    proxy: Redirector,
    recorder: Recorder,
) -> None:
    entry = await set_up(
        hass, tracker_entry(fake_jellyfin, radarr_url=proxy.url, radarr_api_key=KEY)
    )
    registrations = entry.runtime_data.registrations
    radarr = instance_id(entry, "radarr")
    await wait_until(lambda: registrations.get(radarr, "pending") != "pending")
    assert registrations[radarr].startswith("not registered: Radarr answered with")
    assert recorder.url in registrations[radarr]
    assert recorder.requests == []


async def test_the_reauth_form_shows_the_url_without_user_info(
    hass: HomeAssistant, fake_jellyfin: FakeJellyfin, radarr: FakeArr
) -> None:
    with_login = radarr.url.replace("http://", "http://proxy-user:proxy-pass@")
    entry = await set_up(
        hass,
        tracker_entry(fake_jellyfin, radarr_url=with_login, radarr_api_key="old-key"),
    )
    entry.async_start_reauth(hass, data={"service": "radarr"})
    await hass.async_block_till_done()
    (flow,) = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {"radarr_api_key": "still-wrong"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth"}
    assert result["description_placeholders"]["url"] == radarr.url
