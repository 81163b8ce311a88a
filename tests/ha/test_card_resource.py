"""The dashboard card ships with the integration: served, and registered once per Home Assistant."""

from __future__ import annotations

import logging
from typing import Any
from unittest.mock import patch

from homeassistant.components.frontend import add_extra_js_url, remove_extra_js_url
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)

from custom_components.media_request_tracker.frontend import CARD_PATH, CARD_URL
from tests.fakes.jellyfin import FakeJellyfin

from .conftest import set_up, tracker_entry

RESOURCE_PREFIX = f"{CARD_URL}?v="
FRONTEND_MODULE = "custom_components.media_request_tracker.frontend"


def second_entry(fake_jellyfin: FakeJellyfin) -> MockConfigEntry:
    """Another media stack (another Jellyfin server)."""
    entry = tracker_entry(fake_jellyfin)
    return MockConfigEntry(
        domain=entry.domain,
        title="Jellyfin Cabin",
        entry_id="01JTESTENTRY1111111111111",
        unique_id="another-jellyfin-server-id",
        data={**entry.data, "webhook_ids": {}},
    )


async def resources(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator
) -> list[dict[str, Any]]:
    """The dashboard resources as the frontend lists them."""
    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": "lovelace/resources"})
    response = await client.receive_json()
    assert response["success"], response
    return list(response["result"])


async def create_resource(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, res_type: str, url: str
) -> dict[str, Any]:
    """Add a dashboard resource as a user does in Settings -> Dashboards -> Resources."""
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {"type": "lovelace/resources/create", "res_type": res_type, "url": url}
    )
    response = await client.receive_json()
    assert response["success"], response
    return dict(response["result"])


def ours(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [item for item in items if item["url"].startswith("/media_request_tracker/")]


async def test_setting_up_an_entry_registers_the_card_as_a_module_resource(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    config_entry: MockConfigEntry,
) -> None:
    assert await async_setup_component(hass, "lovelace", {})
    await set_up(hass, config_entry)

    [resource] = ours(await resources(hass, hass_ws_client))
    assert resource["type"] == "module"
    assert resource["url"].startswith(RESOURCE_PREFIX)
    version = resource["url"].removeprefix(RESOURCE_PREFIX)
    assert len(version) == 12
    assert all(char in "0123456789abcdef" for char in version)


async def test_the_card_is_served_at_its_url_with_long_caching(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    hass_ws_client: WebSocketGenerator,
    config_entry: MockConfigEntry,
) -> None:
    assert await async_setup_component(hass, "lovelace", {})
    await set_up(hass, config_entry)
    [resource] = ours(await resources(hass, hass_ws_client))

    client = await hass_client()
    response = await client.get(resource["url"])
    assert response.status == 200
    assert "javascript" in response.headers["Content-Type"]
    assert "max-age" in response.headers["Cache-Control"]
    assert await response.read() == CARD_PATH.read_bytes()


async def test_two_entries_and_a_reload_register_one_resource(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    fake_jellyfin: FakeJellyfin,
    config_entry: MockConfigEntry,
) -> None:
    assert await async_setup_component(hass, "lovelace", {})
    await set_up(hass, config_entry)
    await set_up(hass, second_entry(fake_jellyfin))
    assert await hass.config_entries.async_reload(config_entry.entry_id)
    await hass.async_block_till_done()

    assert len(ours(await resources(hass, hass_ws_client))) == 1


async def test_an_older_card_url_is_updated_in_place_and_duplicates_removed(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    config_entry: MockConfigEntry,
) -> None:
    assert await async_setup_component(hass, "lovelace", {})
    # The test client freezes the router: what registers routes comes first.
    assert await async_setup_component(hass, "webhook", {})
    old = await create_resource(
        hass, hass_ws_client, "module", f"{CARD_URL}?v=0123456789ab"
    )
    await create_resource(hass, hass_ws_client, "js", f"{CARD_URL}?v=duplicate")
    theirs = await create_resource(
        hass, hass_ws_client, "module", "/hacsfiles/mushroom/mushroom.js"
    )

    await set_up(hass, config_entry)

    items = await resources(hass, hass_ws_client)
    [resource] = ours(items)
    assert resource["id"] == old["id"]
    assert resource["url"].startswith(RESOURCE_PREFIX)
    assert resource["url"] != old["url"]
    assert theirs["id"] in {item["id"] for item in items}


async def test_removing_the_last_entry_removes_the_resource(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    fake_jellyfin: FakeJellyfin,
    config_entry: MockConfigEntry,
) -> None:
    assert await async_setup_component(hass, "lovelace", {})
    await set_up(hass, config_entry)
    other = await set_up(hass, second_entry(fake_jellyfin))

    assert await hass.config_entries.async_remove(other.entry_id)
    await hass.async_block_till_done()
    assert len(ours(await resources(hass, hass_ws_client))) == 1

    assert await hass.config_entries.async_remove(config_entry.entry_id)
    await hass.async_block_till_done()
    assert ours(await resources(hass, hass_ws_client)) == []


async def test_an_entry_added_again_after_removal_registers_the_card_again(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    fake_jellyfin: FakeJellyfin,
    config_entry: MockConfigEntry,
) -> None:
    assert await async_setup_component(hass, "lovelace", {})
    await set_up(hass, config_entry)
    assert await hass.config_entries.async_remove(config_entry.entry_id)
    await hass.async_block_till_done()

    await set_up(hass, tracker_entry(fake_jellyfin))

    assert len(ours(await resources(hass, hass_ws_client))) == 1


async def test_yaml_resources_get_the_card_as_an_extra_module_url(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    config_entry: MockConfigEntry,
) -> None:
    assert await async_setup_component(hass, "lovelace", {"lovelace": {"mode": "yaml"}})
    assert await async_setup_component(hass, "frontend", {})
    with (
        patch(f"{FRONTEND_MODULE}.add_extra_js_url", wraps=add_extra_js_url) as added,
        patch(
            f"{FRONTEND_MODULE}.remove_extra_js_url", wraps=remove_extra_js_url
        ) as removed,
    ):
        await set_up(hass, config_entry)
        [(_, url)] = [call.args for call in added.call_args_list]
        assert url.startswith(RESOURCE_PREFIX)
        # The user's YAML resources are left alone.
        assert ours(await resources(hass, hass_ws_client)) == []

        assert await hass.config_entries.async_remove(config_entry.entry_id)
        await hass.async_block_till_done()
        assert [call.args[1] for call in removed.call_args_list] == [url]


async def test_without_dashboards_the_entry_still_sets_up_and_serves_the_card(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    config_entry: MockConfigEntry,
) -> None:
    await set_up(hass, config_entry)

    client = await hass_client()
    response = await client.get(CARD_URL)
    assert response.status == 200


async def test_a_router_that_refuses_new_routes_does_not_stop_the_tracker(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert await async_setup_component(hass, "webhook", {})
    caplog.set_level(logging.DEBUG, "custom_components.media_request_tracker")
    # What aiohttp raises once its router is frozen (its test client freezes it;
    # Home Assistant's own server never does).
    frozen = RuntimeError("Cannot register a resource into frozen router.")
    with patch.object(hass.http, "async_register_static_paths", side_effect=frozen):
        await set_up(hass, config_entry)

    assert config_entry.state is ConfigEntryState.LOADED
    assert "The dashboard card cannot be served" in caplog.text
