"""Bad input gets a clear status, never a 500, never a traceback, and changes nothing."""

from __future__ import annotations

from http import HTTPStatus
import json
import logging

from homeassistant.core import HomeAssistant
import pytest

from tests.payloads import payload

from .conftest import WEBHOOK_IDS, stored_requests

ENTITY_ID = "sensor.jellyfin_home_dune_part_two_2024"
SOURCES = list(WEBHOOK_IDS)
VALID = {
    "jellyseerr": "jellyseerr_movie_auto_approved",
    "radarr": "radarr_grab",
    "sonarr": "sonarr_grab_season_pack",
    "jellyfin": "jellyfin_item_added_movie",
}
OTHER_SOURCE = {
    "jellyseerr": "radarr_grab",
    "radarr": "sonarr_grab_season_pack",
    "sonarr": "radarr_grab",
    "jellyfin": "jellyseerr_tv_pending",
}


@pytest.fixture
async def client(hass_client_no_auth, setup_integration, hass: HomeAssistant):
    client = await hass_client_no_auth()
    # One tracked request, so we can see that nothing touches it.
    await client.post(
        f"/api/webhook/{WEBHOOK_IDS['jellyseerr']}",
        json=payload("jellyseerr_movie_auto_approved"),
    )
    return client


async def _snapshot(hass: HomeAssistant) -> tuple:
    state = hass.states.get(ENTITY_ID)
    return (
        state.state,
        state.attributes,
        json.dumps(await stored_requests(hass), sort_keys=True),
    )


def _cases(source: str) -> list[tuple[str, bytes, int]]:
    other = json.dumps(payload(OTHER_SOURCE[source])).encode()
    return [
        ("not JSON", b"{this is not json", HTTPStatus.BAD_REQUEST),
        ("empty body", b"", HTTPStatus.BAD_REQUEST),
        ("invalid UTF-8", b'{"a": "\xff"}', HTTPStatus.BAD_REQUEST),
        ("deeply nested", b"[" * 5000 + b"]" * 5000, HTTPStatus.BAD_REQUEST),
        ("a JSON list", b"[1, 2, 3]", HTTPStatus.UNPROCESSABLE_ENTITY),
        ("a JSON string", b'"hello"', HTTPStatus.UNPROCESSABLE_ENTITY),
        ("an empty object", b"{}", HTTPStatus.UNPROCESSABLE_ENTITY),
        ("another source's payload", other, HTTPStatus.UNPROCESSABLE_ENTITY),
        (
            "over 1 MiB",
            b'{"pad": "' + b"x" * (1024 * 1024) + b'"}',
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
        ),
    ]


@pytest.mark.parametrize("source", SOURCES)
async def test_rejected_bodies_get_their_status_and_change_nothing(
    hass: HomeAssistant, client, caplog, source: str
) -> None:
    before = await _snapshot(hass)
    caplog.clear()
    for name, body, status in _cases(source):
        response = await client.post(f"/api/webhook/{WEBHOOK_IDS[source]}", data=body)
        assert response.status == status, name
        assert (await response.json())["result"] == "error", name
    assert await _snapshot(hass) == before
    assert "Traceback" not in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    ours = [
        r
        for r in caplog.records
        if r.name.startswith("custom_components.media_request_tracker")
    ]
    assert ours
    assert not [r for r in ours if WEBHOOK_IDS[source] in r.getMessage()]


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("method", ["GET", "PUT", "HEAD"])
async def test_only_post_is_accepted(
    hass: HomeAssistant, client, caplog, source: str, method: str
) -> None:
    before = await _snapshot(hass)
    response = await client.request(
        method, f"/api/webhook/{WEBHOOK_IDS[source]}", json=payload(VALID[source])
    )
    assert response.status == HTTPStatus.METHOD_NOT_ALLOWED
    assert await _snapshot(hass) == before
    # Home Assistant itself names the webhook when it refuses a method; we never let it.
    assert not [
        r
        for r in caplog.records
        if r.levelno >= logging.WARNING and WEBHOOK_IDS[source] in r.getMessage()
    ]


@pytest.mark.parametrize(
    ("source", "fixture"),
    [
        ("jellyseerr", "jellyseerr_test"),
        ("radarr", "radarr_test"),
        ("sonarr", "sonarr_test"),
        ("jellyfin", "jellyfin_playback_start"),
    ],
)
async def test_test_events_and_untracked_types_are_accepted_and_ignored(
    hass: HomeAssistant, client, source: str, fixture: str
) -> None:
    before = await _snapshot(hass)
    response = await client.post(
        f"/api/webhook/{WEBHOOK_IDS[source]}", json=payload(fixture)
    )
    assert response.status == HTTPStatus.OK
    assert (await response.json())["result"] == "ignored"
    assert await _snapshot(hass) == before


async def test_jellyfin_sends_json_as_text_plain(hass: HomeAssistant, client) -> None:
    response = await client.post(
        f"/api/webhook/{WEBHOOK_IDS['jellyfin']}",
        data=json.dumps(payload("jellyfin_item_added_movie")),
        headers={"Content-Type": "text/plain; charset=utf-8"},
    )
    assert response.status == HTTPStatus.OK
    assert hass.states.get(ENTITY_ID).state == "available"


async def test_item_from_another_jellyfin_server_is_ignored(
    hass: HomeAssistant, client
) -> None:
    item = payload("jellyfin_item_added_movie")
    item["ServerId"] = "0" * 32
    response = await client.post(f"/api/webhook/{WEBHOOK_IDS['jellyfin']}", json=item)
    assert (await response.json())["result"] == "ignored"
    assert hass.states.get(ENTITY_ID).state == "approved"


async def test_chunked_body_over_the_limit_is_refused(
    hass: HomeAssistant, client
) -> None:
    async def chunks():
        for _ in range(20):
            yield b"x" * (64 * 1024)

    response = await client.post(f"/api/webhook/{WEBHOOK_IDS['radarr']}", data=chunks())
    assert response.status == HTTPStatus.REQUEST_ENTITY_TOO_LARGE


async def test_an_internal_failure_answers_503_and_never_names_the_webhook(
    hass: HomeAssistant, client, setup_integration, caplog
) -> None:
    hub = setup_integration.runtime_data.hub

    async def broken(*args, **kwargs):
        # Fault injection: stands for any bug behind the webhook.
        raise RuntimeError("a bug")

    hub.async_handle = broken
    response = await client.post(
        f"/api/webhook/{WEBHOOK_IDS['radarr']}", json=payload("radarr_grab")
    )
    assert response.status == HTTPStatus.SERVICE_UNAVAILABLE
    assert "Failed to handle a radarr webhook" in caplog.text
    assert not [
        r
        for r in caplog.records
        if r.levelno >= logging.WARNING and WEBHOOK_IDS["radarr"] in r.getMessage()
    ]
