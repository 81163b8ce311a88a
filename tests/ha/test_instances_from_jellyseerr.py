"""Adding a Radarr or Sonarr: its 4K flag and name suggested from Jellyseerr's own settings.

Jellyseerr knows which of its servers takes 4K requests (Settings →
Services). When the entry has Jellyseerr's API key and the instance being
added is one of them, the form comes back once with Jellyseerr's 4K flag
and name filled in; the user confirms or changes them. Without an answer
from Jellyseerr the form works as before.
"""

from __future__ import annotations

import logging
from typing import Any

from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from yarl import URL

from tests.fakes.arr import FakeArr
from tests.fakes.jellyfin import FakeJellyfin
from tests.fakes.jellyseerr import VERSIONS, FakeJellyseerr
from tests.fakes.jellyseerr_servers import App

from .conftest import arr_data, set_up, tracker_entry

each_jellyseerr_version = pytest.mark.parametrize("jellyseerr_version", VERSIONS)
# These tests are about the form, not about our webhooks in the apps.
pytestmark = pytest.mark.usefixtures("no_registration")


def _list_in_jellyseerr(
    jellyseerr: FakeJellyseerr, app: App, server: FakeArr, name: str, *, is_4k: bool
) -> None:
    """Set a server up in Jellyseerr as its Radarr/Sonarr modal does."""
    url = URL(server.url)
    assert url.host is not None
    assert url.port is not None
    jellyseerr.servers.add(
        app,
        name=name,
        hostname=url.host,
        port=url.port,
        is_4k=is_4k,
        api_key=server.api_key,
    )


def _suggested(result: Any) -> dict[str, Any]:
    """What the form shows filled in."""
    return {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
        if key.description and key.description.get("suggested_value") is not None
    }


async def _entry(
    hass: HomeAssistant, fake_jellyfin: FakeJellyfin, **servers: Any
) -> MockConfigEntry:
    return await set_up(hass, tracker_entry(fake_jellyfin, **arr_data(servers)))


async def _add(hass: HomeAssistant, entry: MockConfigEntry, app: str) -> str:
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, app), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert _suggested(result) == {}  # no URL yet, nothing to suggest
    return str(result["flow_id"])


async def _created(
    hass: HomeAssistant, entry: MockConfigEntry, url: str
) -> dict[str, Any]:
    """The instance added at this URL and its title, once the entry has reloaded."""
    await hass.async_block_till_done(wait_background_tasks=True)
    (added,) = (s for s in entry.subentries.values() if s.data["url"] == url)
    return {"title": added.title, **added.data}


@each_jellyseerr_version
async def test_a_radarr_jellyseerr_sends_4k_requests_to_comes_back_with_4k_on_and_its_name(
    hass: HomeAssistant,
    fake_jellyfin: FakeJellyfin,
    radarr: FakeArr,
    radarr_4k: FakeArr,
    jellyseerr: FakeJellyseerr,
) -> None:
    _list_in_jellyseerr(jellyseerr, "radarr", radarr, "Radarr", is_4k=False)
    _list_in_jellyseerr(jellyseerr, "radarr", radarr_4k, "Radarr UHD", is_4k=True)
    entry = await _entry(hass, fake_jellyfin, radarr=radarr, jellyseerr=jellyseerr)
    flow_id = await _add(hass, entry, "radarr")

    result = await hass.config_entries.subentries.async_configure(
        flow_id, {"url": radarr_4k.url, "api_key": radarr_4k.api_key, "is_4k": False}
    )

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}
    # The key is not sent back to the browser, and need not be typed again.
    assert _suggested(result) == {
        "url": radarr_4k.url,
        "name": "Radarr UHD",
        "is_4k": True,
    }
    result = await hass.config_entries.subentries.async_configure(
        flow_id, _suggested(result)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert (await _created(hass, entry, radarr_4k.url)) | {"webhook_id": None} == {
        "title": "Radarr UHD",
        "url": radarr_4k.url,
        "api_key": radarr_4k.api_key,
        "name": "Radarr UHD",
        "is_4k": True,
        "webhook_id": None,
    }


async def test_the_suggestion_can_be_changed_before_saving(
    hass: HomeAssistant,
    fake_jellyfin: FakeJellyfin,
    radarr: FakeArr,
    radarr_4k: FakeArr,
    jellyseerr: FakeJellyseerr,
) -> None:
    _list_in_jellyseerr(jellyseerr, "radarr", radarr_4k, "Radarr UHD", is_4k=True)
    entry = await _entry(hass, fake_jellyfin, radarr=radarr, jellyseerr=jellyseerr)
    flow_id = await _add(hass, entry, "radarr")
    await hass.config_entries.subentries.async_configure(
        flow_id, {"url": radarr_4k.url, "api_key": radarr_4k.api_key, "is_4k": False}
    )

    result = await hass.config_entries.subentries.async_configure(
        flow_id, {"url": radarr_4k.url, "name": "Films", "is_4k": False}
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    added = await _created(hass, entry, radarr_4k.url)
    assert (added["title"], added["is_4k"]) == ("Films", False)
    assert added["api_key"] == radarr_4k.api_key


async def test_a_name_the_user_gave_is_kept_and_only_the_4k_flag_suggested(
    hass: HomeAssistant,
    fake_jellyfin: FakeJellyfin,
    radarr: FakeArr,
    radarr_4k: FakeArr,
    jellyseerr: FakeJellyseerr,
) -> None:
    _list_in_jellyseerr(jellyseerr, "radarr", radarr_4k, "Radarr UHD", is_4k=True)
    entry = await _entry(hass, fake_jellyfin, radarr=radarr, jellyseerr=jellyseerr)
    flow_id = await _add(hass, entry, "radarr")

    result = await hass.config_entries.subentries.async_configure(
        flow_id,
        {"url": radarr_4k.url, "api_key": radarr_4k.api_key, "name": "Films 4K"},
    )

    assert _suggested(result) == {
        "url": radarr_4k.url,
        "name": "Films 4K",
        "is_4k": True,
    }


@each_jellyseerr_version
async def test_a_sonarr_jellyseerr_sends_standard_requests_to_is_added_as_answered(
    hass: HomeAssistant,
    fake_jellyfin: FakeJellyfin,
    sonarr: FakeArr,
    jellyseerr: FakeJellyseerr,
) -> None:
    """Jellyseerr agrees with the form (not 4K) and the name is given: nothing to offer."""
    _list_in_jellyseerr(jellyseerr, "sonarr", sonarr, "Sonarr HD", is_4k=False)
    entry = await _entry(hass, fake_jellyfin, jellyseerr=jellyseerr)
    flow_id = await _add(hass, entry, "sonarr")

    result = await hass.config_entries.subentries.async_configure(
        flow_id,
        {"url": sonarr.url, "api_key": sonarr.api_key, "name": "TV", "is_4k": False},
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert (await _created(hass, entry, sonarr.url))["is_4k"] is False


async def test_a_url_jellyseerr_does_not_know_is_suggested_not_4k(
    hass: HomeAssistant,
    fake_jellyfin: FakeJellyfin,
    radarr: FakeArr,
    radarr_4k: FakeArr,
    jellyseerr: FakeJellyseerr,
) -> None:
    """Jellyseerr sends no request, 4K or not, to a server it does not list."""
    _list_in_jellyseerr(jellyseerr, "radarr", radarr, "Radarr", is_4k=False)
    entry = await _entry(hass, fake_jellyfin, radarr=radarr, jellyseerr=jellyseerr)
    flow_id = await _add(hass, entry, "radarr")

    result = await hass.config_entries.subentries.async_configure(
        flow_id,
        {"url": radarr_4k.url, "api_key": radarr_4k.api_key, "is_4k": True},
    )

    assert result["type"] is FlowResultType.FORM
    assert _suggested(result) == {"url": radarr_4k.url, "is_4k": False}
    # Asked once: confirming the user's own choice saves it.
    result = await hass.config_entries.subentries.async_configure(
        flow_id, {"url": radarr_4k.url, "is_4k": True}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert (await _created(hass, entry, radarr_4k.url))["is_4k"] is True


@pytest.mark.parametrize("trouble", ["down", "refuses"])
async def test_without_an_answer_from_jellyseerr_the_form_saves_what_was_entered(
    hass: HomeAssistant,
    fake_jellyfin: FakeJellyfin,
    radarr: FakeArr,
    radarr_4k: FakeArr,
    jellyseerr: FakeJellyseerr,
    caplog: pytest.LogCaptureFixture,
    trouble: str,
) -> None:
    _list_in_jellyseerr(jellyseerr, "radarr", radarr_4k, "Radarr UHD", is_4k=True)
    entry = await _entry(hass, fake_jellyfin, radarr=radarr, jellyseerr=jellyseerr)
    if trouble == "down":
        jellyseerr.fail_with = 502
    else:
        jellyseerr.api_key = "rotated"
    caplog.set_level(logging.DEBUG, logger="custom_components.media_request_tracker")
    flow_id = await _add(hass, entry, "radarr")

    result = await hass.config_entries.subentries.async_configure(
        flow_id, {"url": radarr_4k.url, "api_key": radarr_4k.api_key, "is_4k": False}
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert (await _created(hass, entry, radarr_4k.url))["is_4k"] is False
    assert ("GET", "/api/v1/settings/radarr") in jellyseerr.calls
    assert entry.data["jellyseerr_api_key"] not in caplog.text
