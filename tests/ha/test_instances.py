"""Radarr and Sonarr instances: config subentries, migrated, added, changed, and kept apart.

Each instance is a subentry with its own webhook; the one the set-up made, or
a 0.2 entry's, shares the entry's webhook for its app. A Radarr flagged 4K
takes only 4K requests, and the standard Radarr never takes theirs.
"""

from __future__ import annotations

from dataclasses import replace
from http import HTTPStatus
import json
from typing import Any

from homeassistant.config_entries import SOURCE_RECONFIGURE, SOURCE_USER, ConfigSubentry
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.media_request_tracker.const import CONF_WEBHOOK_IDS, DOMAIN
from custom_components.media_request_tracker.diagnostics import (
    async_get_config_entry_diagnostics,
)
from custom_components.media_request_tracker.instance_flow import (
    ADD_SCHEMA,
    RECONFIGURE_SCHEMA,
)
from custom_components.media_request_tracker.store import RequestStore
from tests.fakes.arr import FakeArr
from tests.fakes.jellyfin import FakeJellyfin
from tests.payloads import jellyseerr, payload

from .conftest import (
    ENTRY_ID,
    TRANSLATIONS,
    WEBHOOK_IDS,
    arr_data,
    instance_data,
    instance_id,
    set_up,
    tracker_entry,
    wait_until,
)

STANDARD_REQUEST = "42"
FOUR_K_REQUEST = "43"
FOUR_K_WEBHOOK = "webhook-radarr-4k-0123456789abcdef"
ANIME_WEBHOOK = "webhook-sonarr-anime-0123456789abc"


def _instance(
    app: str, url: str, webhook_id: str, name: str, *, is_4k: bool = False
) -> dict[str, Any]:
    return {
        "data": {
            "url": url,
            "api_key": f"{name}-key",
            "name": name,
            "is_4k": is_4k,
            "webhook_id": webhook_id,
        },
        "subentry_type": app,
        "title": name,
        "unique_id": f"{app}:{url}",
    }


@pytest.fixture
async def radarr_entry(
    hass: HomeAssistant, fake_jellyfin: FakeJellyfin, radarr: FakeArr
) -> MockConfigEntry:
    """An entry set up with one Radarr, as its arr step or a 0.2 entry makes it."""
    return await set_up(
        hass, tracker_entry(fake_jellyfin, **arr_data({"radarr": radarr}))
    )


async def _request_and_grab(client: Any) -> None:
    """Jellyseerr's approved request, then the entry's Radarr webhook's grab of it."""
    for source, body in (
        ("jellyseerr", payload("jellyseerr_movie_auto_approved")),
        ("radarr", payload("radarr_grab")),
    ):
        response = await client.post(f"/api/webhook/{WEBHOOK_IDS[source]}", json=body)
        assert response.status == HTTPStatus.OK


@pytest.fixture
async def household(
    hass: HomeAssistant,
    hass_client_no_auth: Any,
    fake_jellyfin: FakeJellyfin,
    no_registration: None,
) -> tuple[MockConfigEntry, Any]:
    """The household's entry, set up, and a client to post to its webhooks."""
    entry = await set_up(hass, _household(fake_jellyfin))
    return entry, await hass_client_no_auth()


def _household(fake_jellyfin: FakeJellyfin) -> MockConfigEntry:
    """A 0.3 entry with a standard and a 4K Radarr, and a Sonarr and an anime Sonarr."""
    base = tracker_entry(fake_jellyfin)
    return MockConfigEntry(
        domain=DOMAIN,
        title=base.title,
        entry_id=ENTRY_ID,
        unique_id=base.unique_id,
        version=2,
        minor_version=1,
        data=dict(base.data),
        subentries_data=[
            _instance("radarr", "http://127.0.0.1:9", WEBHOOK_IDS["radarr"], "Radarr"),
            _instance(
                "radarr", "http://127.0.0.1:10", FOUR_K_WEBHOOK, "Radarr 4K", is_4k=True
            ),
            _instance("sonarr", "http://127.0.0.1:11", WEBHOOK_IDS["sonarr"], "Sonarr"),
            _instance("sonarr", "http://127.0.0.1:12", ANIME_WEBHOOK, "Sonarr Anime"),
        ],
    )


async def _add_radarr_4k(
    hass: HomeAssistant, entry: MockConfigEntry, server: FakeArr, *, is_4k: bool
) -> ConfigSubentry:
    """Add the household's second Radarr as *Radarr 4K*, through its subentry flow."""
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "radarr"), context={"source": SOURCE_USER}
    )
    await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            "url": server.url,
            "api_key": server.api_key,
            "name": "Radarr 4K",
            "is_4k": is_4k,
        },
    )
    await hass.async_block_till_done()
    return next(s for s in entry.subentries.values() if s.title == "Radarr 4K")


async def _reconfigure(
    hass: HomeAssistant, entry: MockConfigEntry, subentry_id: str
) -> Any:
    """Open an instance's reconfigure form (the test helper's signature differs by release)."""
    return await hass.config_entries.subentries.async_init(
        (entry.entry_id, entry.subentries[subentry_id].subentry_type),
        context={"source": SOURCE_RECONFIGURE, "subentry_id": subentry_id},
    )


def _entity(hass: HomeAssistant, entry: MockConfigEntry, request_id: str) -> Any:
    return hass.states.get(entry.runtime_data.hub.entity_id(request_id))


# Migration from 0.2.


async def test_a_0_2_entry_moves_its_radarr_and_sonarr_into_instances(
    hass: HomeAssistant,
    fake_jellyfin: FakeJellyfin,
    radarr: FakeArr,
    sonarr: FakeArr,
    no_registration: None,
) -> None:
    entry = tracker_entry(
        fake_jellyfin, **arr_data({"radarr": radarr, "sonarr": sonarr})
    )
    await set_up(hass, entry)

    assert (entry.version, entry.minor_version) == (2, 1)
    assert not {"radarr_url", "radarr_api_key", "sonarr_url", "sonarr_api_key"} & set(
        entry.data
    )
    assert entry.data[CONF_WEBHOOK_IDS] == WEBHOOK_IDS
    for app, server in (("radarr", radarr), ("sonarr", sonarr)):
        assert instance_data(entry, app) == {
            "url": server.url,
            "api_key": server.api_key,
            "name": app.title(),
            "is_4k": False,
            "webhook_id": WEBHOOK_IDS[app],  # the URL pasted before keeps working
        }
    assert [q.name for q in entry.runtime_data.queues] == ["Radarr", "Sonarr"]


async def test_a_0_2_radarr_without_an_api_key_keeps_only_its_webhook(
    hass: HomeAssistant,
    hass_client_no_auth: Any,
    fake_jellyfin: FakeJellyfin,
) -> None:
    entry = await set_up(hass, tracker_entry(fake_jellyfin))
    assert entry.subentries == {}
    client = await hass_client_no_auth()
    await _request_and_grab(client)
    state = _entity(hass, entry, STANDARD_REQUEST)
    assert state.state == "indexed"
    assert state.attributes["instance"] == "Radarr"  # named by its app, as in 0.2
    assert entry.runtime_data.queues == ()  # no API key: nothing to poll


async def test_requests_grabbed_before_the_upgrade_belong_to_the_migrated_radarr(
    hass: HomeAssistant,
    hass_client_no_auth: Any,
    radarr: FakeArr,
    no_registration: None,
    radarr_entry: MockConfigEntry,
) -> None:
    entry = radarr_entry
    client = await hass_client_no_auth()
    await _request_and_grab(client)
    await hass.config_entries.async_unload(entry.entry_id)
    # As 0.2 stored it: the instance named by its app.
    store = RequestStore(hass, ENTRY_ID)
    (request,) = await store.async_load()
    assert request.arr is not None
    request.arr = replace(request.arr, instance="radarr")
    store.update(request)
    await store.async_flush()
    await store.async_close()

    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert _entity(hass, entry, STANDARD_REQUEST).attributes["instance"] == "Radarr"
    assert entry.runtime_data.hub.follows_queue(instance_id(entry, "radarr"))


# Adding and changing an instance.


async def test_a_radarr_without_an_api_key_added_as_an_instance_takes_its_webhook(
    hass: HomeAssistant,
    hass_client_no_auth: Any,
    fake_jellyfin: FakeJellyfin,
    radarr: FakeArr,
    no_registration: None,
) -> None:
    entry = await set_up(hass, tracker_entry(fake_jellyfin))
    client = await hass_client_no_auth()
    await _request_and_grab(client)

    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "radarr"), context={"source": SOURCE_USER}
    )
    await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"url": radarr.url, "api_key": radarr.api_key}
    )
    await hass.async_block_till_done()
    # The connection pasted in Radarr by hand is now the instance's: no second one.
    assert instance_data(entry, "radarr")["webhook_id"] == WEBHOOK_IDS["radarr"]
    # And the request it grabbed is followed through the instance's queue.
    assert entry.runtime_data.hub.follows_queue(instance_id(entry, "radarr"))


async def test_a_radarr_4k_is_checked_live_added_and_registered(
    hass: HomeAssistant,
    ha_url: str,
    radarr: FakeArr,
    sonarr: FakeArr,
    radarr_4k: FakeArr,
    radarr_entry: MockConfigEntry,
) -> None:
    entry = radarr_entry
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "radarr"), context={"source": SOURCE_USER}
    )
    assert result["step_id"] == "user"
    answer = {"url": radarr_4k.url, "name": "Radarr 4K", "is_4k": True}
    for wrong, error in (
        ({"api_key": "wrong"}, "invalid_auth"),
        ({"url": sonarr.url, "api_key": sonarr.api_key}, "cannot_connect"),
    ):
        result = await hass.config_entries.subentries.async_configure(
            result["flow_id"], answer | {"api_key": radarr_4k.api_key} | wrong
        )
        assert result["errors"] == {"base": error}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], answer | {"api_key": radarr_4k.api_key}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done(wait_background_tasks=True)

    (added,) = (s for s in entry.subentries.values() if s.title == "Radarr 4K")
    assert added.data["is_4k"] is True
    webhook_id = added.data["webhook_id"]
    assert webhook_id not in WEBHOOK_IDS.values()  # a webhook of its own
    await wait_until(
        lambda: entry.runtime_data.registrations.get(added.subentry_id) == "registered"
    )
    (hook,) = radarr_4k.notifications.values()
    urls = [f["value"] for f in hook["fields"] if f["name"] == "url"]
    assert urls == [f"{ha_url}/api/webhook/{webhook_id}"]
    # Its own connection sensor, on its own device under its subentry.
    sensor = er.async_get(hass).async_get("binary_sensor.radarr_4k_connection")
    assert sensor is not None
    assert sensor.config_subentry_id == added.subentry_id
    assert hass.states.get("binary_sensor.radarr_4k_connection").state == "on"
    # The options list every webhook URL.
    options = await hass.config_entries.options.async_init(entry.entry_id)
    lines = options["description_placeholders"]["arr_webhook_urls"].splitlines()
    assert lines == [
        f"- Radarr: {ha_url}/api/webhook/{WEBHOOK_IDS['radarr']}",
        f"- Radarr 4K: {ha_url}/api/webhook/{webhook_id}",
        # Sonarr has no API key here: its webhook is pasted by hand.
        f"- Sonarr: {ha_url}/api/webhook/{WEBHOOK_IDS['sonarr']}",
    ]


async def test_an_instance_already_set_up_is_not_added_twice(
    hass: HomeAssistant,
    radarr: FakeArr,
    no_registration: None,
    radarr_entry: MockConfigEntry,
) -> None:
    entry = radarr_entry
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "radarr"), context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"url": f"{radarr.url}/", "api_key": radarr.api_key}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert len(entry.subentries) == 1


async def test_reconfiguring_an_instance_keeps_its_key_and_webhook(
    hass: HomeAssistant,
    radarr: FakeArr,
    no_registration: None,
    radarr_entry: MockConfigEntry,
) -> None:
    entry = radarr_entry
    subentry_id = instance_id(entry, "radarr")
    result = await _reconfigure(hass, entry, subentry_id)
    assert result["step_id"] == "reconfigure"
    assert "api_key" not in result["data_schema"]({"url": radarr.url})
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"url": radarr.url, "name": "Radarr 4K", "is_4k": True}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    subentry = entry.subentries[subentry_id]
    assert subentry.title == "Radarr 4K"
    assert dict(subentry.data) == {
        "url": radarr.url,
        "api_key": radarr.api_key,
        "name": "Radarr 4K",
        "is_4k": True,
        "webhook_id": WEBHOOK_IDS["radarr"],
    }
    # Reloaded with the change: the poller goes by the new name.
    assert [q.name for q in entry.runtime_data.queues] == ["Radarr 4K"]


async def test_reconfiguring_an_instance_with_a_key_it_refuses_changes_nothing(
    hass: HomeAssistant,
    radarr: FakeArr,
    no_registration: None,
    radarr_entry: MockConfigEntry,
) -> None:
    entry = radarr_entry
    subentry_id = instance_id(entry, "radarr")
    result = await _reconfigure(hass, entry, subentry_id)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"url": radarr.url, "api_key": "wrong"}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    assert entry.subentries[subentry_id].data["api_key"] == radarr.api_key


async def test_a_refused_key_of_a_second_instance_is_asked_for_by_its_name(
    hass: HomeAssistant,
    radarr: FakeArr,
    radarr_4k: FakeArr,
    no_registration: None,
    radarr_entry: MockConfigEntry,
) -> None:
    entry = radarr_entry
    added = await _add_radarr_4k(hass, entry, radarr_4k, is_4k=False)
    radarr_4k.api_key = "rotated"
    entry.async_start_reauth(
        hass, data={"service": "radarr", "instance": added.subentry_id}
    )
    await hass.async_block_till_done()
    (flow,) = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flow["step_id"] == "reauth_radarr"
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {"radarr_api_key": "still-wrong"}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    # "Radarr 4K refused the API key": the form names the instance.
    assert result["description_placeholders"] == {
        "name": "Radarr 4K",
        "url": radarr_4k.url,
    }
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {"radarr_api_key": "rotated"}
    )
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert entry.subentries[added.subentry_id].data["api_key"] == "rotated"
    assert instance_data(entry, "radarr")["api_key"] == radarr.api_key  # the other's


async def test_turning_on_4k_alone_takes_effect_at_once(
    hass: HomeAssistant,
    hass_client_no_auth: Any,
    radarr: FakeArr,
    no_registration: None,
    radarr_entry: MockConfigEntry,
) -> None:
    entry = radarr_entry
    result = await _reconfigure(hass, entry, instance_id(entry, "radarr"))
    await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"url": radarr.url, "name": "Radarr", "is_4k": True}
    )
    await hass.async_block_till_done()
    client = await hass_client_no_auth()
    await _request_and_grab(client)
    # Now the 4K Radarr: the standard request does not take its grab.
    assert _entity(hass, entry, STANDARD_REQUEST).state == "approved"


async def test_a_new_key_keeps_our_connection_in_the_app(
    hass: HomeAssistant,
    ha_url: str,
    radarr: FakeArr,
    caplog: pytest.LogCaptureFixture,
    radarr_entry: MockConfigEntry,
) -> None:
    entry = radarr_entry
    await hass.async_block_till_done(wait_background_tasks=True)
    connections = dict(radarr.notifications)
    assert len(connections) == 1
    radarr.api_key = "rotated"
    result = await _reconfigure(hass, entry, instance_id(entry, "radarr"))
    await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"url": radarr.url, "api_key": "rotated"}
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert instance_data(entry, "radarr")["api_key"] == "rotated"
    assert radarr.notifications == connections  # kept, not deleted and made again
    assert "remove it there by hand" not in caplog.text


async def test_a_reauth_for_an_instance_removed_meanwhile_changes_nothing(
    hass: HomeAssistant,
    radarr: FakeArr,
    no_registration: None,
    radarr_entry: MockConfigEntry,
) -> None:
    entry = radarr_entry
    subentry_id = instance_id(entry, "radarr")
    entry.async_start_reauth(hass, data={"service": "radarr", "instance": subentry_id})
    await hass.async_block_till_done()
    (flow,) = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    hass.config_entries.async_remove_subentry(entry, subentry_id)
    await hass.async_block_till_done()
    # Home Assistant 2026 ends the flow with the reload; 2025 leaves it open.
    if hass.config_entries.flow.async_progress_by_handler(DOMAIN):
        result = await hass.config_entries.flow.async_configure(
            flow["flow_id"], {"radarr_api_key": radarr.api_key}
        )
        assert result["type"] is FlowResultType.ABORT
        assert result["reason"] == "instance_removed"
    assert entry.subentries == {}


def test_every_instance_form_error_and_abort_has_english_text() -> None:
    strings = json.loads(TRANSLATIONS.read_text(encoding="utf-8"))["config_subentries"]
    assert set(strings) == {"radarr", "sonarr"}
    for app in strings.values():
        for step, schema in (("user", ADD_SCHEMA), ("reconfigure", RECONFIGURE_SCHEMA)):
            fields = {str(key) for key in schema.schema}
            assert set(app["step"][step]["data"]) == fields
            assert set(app["step"][step]["data_description"]) == fields
        assert set(app["error"]) == {
            "cannot_connect",
            "invalid_auth",
            "unknown",
            "url_required",
            "api_key_required",
        }
        assert set(app["abort"]) == {"already_configured", "reconfigure_successful"}
        assert app["initiate_flow"]["user"]


# 4K requests, and events of several instances.


@pytest.mark.parametrize(
    "four_k_first", [True, False], ids=["4k-first", "standard-first"]
)
async def test_a_standard_and_a_4k_request_for_one_film_each_follow_their_own_radarr(
    hass: HomeAssistant,
    four_k_first: bool,
    household: tuple[MockConfigEntry, Any],
) -> None:
    entry, client = household
    four_k = jellyseerr("jellyseerr_movie_auto_approved", request_id=FOUR_K_REQUEST)
    four_k["event"] = "4K Movie Request Automatically Approved"
    for body in (jellyseerr("jellyseerr_movie_auto_approved"), four_k):
        await client.post(f"/api/webhook/{WEBHOOK_IDS['jellyseerr']}", json=body)
    standard_grab = payload("radarr_grab")
    four_k_grab = payload("radarr_grab")
    four_k_grab["downloadId"] = "4K" + four_k_grab["downloadId"][2:]
    grabs = [(WEBHOOK_IDS["radarr"], standard_grab), (FOUR_K_WEBHOOK, four_k_grab)]

    for webhook_id, grab in reversed(grabs) if four_k_first else grabs:
        response = await client.post(f"/api/webhook/{webhook_id}", json=grab)
        assert response.status == HTTPStatus.OK

    standard = _entity(hass, entry, STANDARD_REQUEST)
    four_k_state = _entity(hass, entry, FOUR_K_REQUEST)
    assert (standard.state, four_k_state.state) == ("indexed", "indexed")
    assert (standard.attributes["is_4k"], four_k_state.attributes["is_4k"]) == (
        False,
        True,
    )
    assert standard.attributes["instance"] == "Radarr"
    assert four_k_state.attributes["instance"] == "Radarr 4K"
    assert standard.attributes["download_hash"] == standard_grab["downloadId"].lower()
    assert four_k_state.attributes["download_hash"] == four_k_grab["downloadId"].lower()


async def test_a_4k_radarrs_grab_never_takes_a_standard_request(
    hass: HomeAssistant,
    household: tuple[MockConfigEntry, Any],
) -> None:
    entry, client = household
    await client.post(
        f"/api/webhook/{WEBHOOK_IDS['jellyseerr']}",
        json=jellyseerr("jellyseerr_movie_auto_approved"),
    )
    await client.post(f"/api/webhook/{FOUR_K_WEBHOOK}", json=payload("radarr_grab"))
    assert _entity(hass, entry, STANDARD_REQUEST).state == "approved"


async def test_an_anime_sonarrs_grab_names_that_instance(
    hass: HomeAssistant,
    household: tuple[MockConfigEntry, Any],
) -> None:
    entry, client = household
    await client.post(
        f"/api/webhook/{WEBHOOK_IDS['jellyseerr']}",
        json=payload("jellyseerr_tv_pending") | {"notification_type": "MEDIA_APPROVED"},
    )
    response = await client.post(
        f"/api/webhook/{ANIME_WEBHOOK}", json=payload("sonarr_grab_season_pack")
    )
    assert response.status == HTTPStatus.OK
    (request,) = entry.runtime_data.hub.requests()
    state = hass.states.get(entry.runtime_data.hub.entity_id(request.request_id))
    assert state.state == "indexed"
    assert state.attributes["instance"] == "Sonarr Anime"


async def test_diagnostics_show_each_instance_without_its_secrets(
    hass: HomeAssistant, fake_jellyfin: FakeJellyfin, no_registration: None
) -> None:
    entry = await set_up(hass, _household(fake_jellyfin))
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    shown = [
        (i["app"], i["name"], i["is_4k"], i["queue"]["polling"])
        for i in diagnostics["instances"]
    ]
    assert shown == [
        ("Radarr", "Radarr", False, False),
        ("Radarr", "Radarr 4K", True, False),
        ("Sonarr", "Sonarr", False, False),
        ("Sonarr", "Sonarr Anime", False, False),
    ]
    text = json.dumps(diagnostics)
    for secret in (FOUR_K_WEBHOOK, ANIME_WEBHOOK, "Radarr 4K-key", "Sonarr-key"):
        assert secret not in text


async def test_only_the_instance_that_grabbed_a_download_polls_its_queue(
    hass: HomeAssistant,
    hass_client_no_auth: Any,
    radarr: FakeArr,
    radarr_4k: FakeArr,
    no_registration: None,
    radarr_entry: MockConfigEntry,
) -> None:
    entry = radarr_entry
    four_k = await _add_radarr_4k(hass, entry, radarr_4k, is_4k=True)
    client = await hass_client_no_auth()
    request = jellyseerr("jellyseerr_movie_auto_approved", request_id=FOUR_K_REQUEST)
    request["event"] = "4K Movie Request Automatically Approved"
    await client.post(f"/api/webhook/{WEBHOOK_IDS['jellyseerr']}", json=request)
    await client.post(
        f"/api/webhook/{four_k.data['webhook_id']}", json=payload("radarr_grab")
    )
    await hass.async_block_till_done(wait_background_tasks=True)

    assert _entity(hass, entry, FOUR_K_REQUEST).attributes["instance"] == "Radarr 4K"
    assert radarr_4k.queue.queue_calls == 1  # woken by the grab: one call
    assert radarr.queue.queue_calls == 0  # nothing of its own to follow
