"""The Jellyseerr webhook-agent client, and the double encoding of its template."""

from __future__ import annotations

import pytest

from custom_components.media_request_tracker.clients.http import (
    ServiceAuthError,
    ServiceError,
    ServiceUnavailableError,
)
from custom_components.media_request_tracker.clients.jellyseerr import (
    JellyseerrClient,
    JellyseerrRejectedError,
    JellyseerrTestFailedError,
    WebhookAgentSettings,
)
from custom_components.media_request_tracker.registration.jellyseerr_template import (
    JELLYSEERR_TEMPLATE,
    JELLYSEERR_TEMPLATE_TEXT,
)
from tests.fakes.jellyseerr import VERSIONS, FakeJellyseerr
from tests.fakes.receiver import Canned, Receiver
from tests.payloads import payload

# Every test that talks to the fake runs on Jellyseerr 2.x and Seerr 3.x.
each_version = pytest.mark.parametrize("jellyseerr_version", VERSIONS)


def settings(url: str) -> WebhookAgentSettings:
    return WebhookAgentSettings(
        enabled=True,
        types=222,
        webhook_url=url,
        payload_template=JELLYSEERR_TEMPLATE_TEXT,
    )


@each_version
async def test_our_template_is_jellyseerrs_shipped_default(
    jellyseerr: FakeJellyseerr,
) -> None:
    assert jellyseerr.template() == JELLYSEERR_TEMPLATE


@each_version
async def test_a_wrong_api_key_is_an_auth_error(
    jellyseerr: FakeJellyseerr, session
) -> None:
    with pytest.raises(ServiceAuthError):
        await JellyseerrClient(session, jellyseerr.url, "wrong").async_get_webhook()


@each_version
async def test_no_api_key_is_an_auth_error(jellyseerr: FakeJellyseerr, session) -> None:
    """The API validator answers 401 before the route's own 403."""
    with pytest.raises(ServiceAuthError):
        await JellyseerrClient(session, jellyseerr.url, "").async_get_webhook()


@pytest.mark.parametrize(
    ("jellyseerr_version", "embed_poster"), [("2.7.3", None), ("3.1.0", True)]
)
async def test_the_shipped_slot_reads_as_each_version_sends_it(
    jellyseerr: FakeJellyseerr, session, embed_poster: bool | None
) -> None:
    """Seerr 3 added embedPoster and supportVariables; Jellyseerr 2 has neither."""
    read = await JellyseerrClient(
        session, jellyseerr.url, jellyseerr.api_key
    ).async_get_webhook()
    assert (read.enabled, read.types, read.webhook_url, read.auth_header) == (
        False,
        0,
        "",
        "",
    )
    assert read.template() == JELLYSEERR_TEMPLATE
    assert read.embed_poster is embed_poster
    assert read.support_variables is False


@pytest.mark.parametrize(
    ("jellyseerr_version", "stored_options"),
    [
        ("2.7.3", {"webhookUrl", "authHeader", "jsonPayload"}),
        ("3.1.0", {"webhookUrl", "authHeader", "jsonPayload", "supportVariables"}),
    ],
)
async def test_a_save_is_stored_as_each_version_stores_it(
    jellyseerr: FakeJellyseerr, session, stored_options: set[str]
) -> None:
    """Jellyseerr 2 drops the supportVariables we send; Seerr 3 keeps it off."""
    client = JellyseerrClient(session, jellyseerr.url, jellyseerr.api_key)
    current = await client.async_get_webhook()
    await client.async_save_webhook(
        WebhookAgentSettings(
            enabled=True,
            types=222,
            webhook_url="http://ha.local/api/webhook/x",
            payload_template=JELLYSEERR_TEMPLATE_TEXT,
            embed_poster=current.embed_poster,
        )
    )
    assert set(jellyseerr.webhook["options"]) == stored_options
    read = await client.async_get_webhook()
    assert (read.enabled, read.support_variables, read.embed_poster) == (
        True,
        False,
        current.embed_poster,
    )


@each_version
async def test_the_saved_template_is_double_encoded_and_read_back_as_text(
    jellyseerr: FakeJellyseerr, session
) -> None:
    client = JellyseerrClient(session, jellyseerr.url, jellyseerr.api_key)
    await client.async_save_webhook(settings("http://ha.local/api/webhook/x"))
    # Jellyseerr's send path parses the stored payload twice.
    assert jellyseerr.template() == JELLYSEERR_TEMPLATE
    read = await client.async_get_webhook()
    assert read.payload_template == JELLYSEERR_TEMPLATE_TEXT
    assert (read.enabled, read.types, read.webhook_url) == (
        True,
        222,
        "http://ha.local/api/webhook/x",
    )


@each_version
async def test_the_test_notification_is_the_payload_jellyseerr_sends(
    jellyseerr: FakeJellyseerr, receiver: Receiver, session
) -> None:
    client = JellyseerrClient(session, jellyseerr.url, jellyseerr.api_key)
    await client.async_test_webhook(settings(receiver.url))
    assert receiver.received == [payload("jellyseerr_test")]
    assert jellyseerr.writes() == [
        ("POST", "/api/v1/settings/notifications/webhook/test")
    ]


@each_version
async def test_a_test_that_cannot_be_delivered_fails(
    jellyseerr: FakeJellyseerr, receiver: Receiver, session
) -> None:
    receiver.status = 404
    with pytest.raises(JellyseerrTestFailedError):
        await JellyseerrClient(
            session, jellyseerr.url, jellyseerr.api_key
        ).async_test_webhook(settings(receiver.url))


@each_version
async def test_a_once_encoded_template_is_stored_but_never_delivered(
    jellyseerr: FakeJellyseerr, receiver: Receiver, session
) -> None:
    """What an API client that skips the double encoding gets: a silent failure."""
    body = {
        "enabled": True,
        "types": 222,
        "options": {
            "webhookUrl": receiver.url,
            "jsonPayload": JELLYSEERR_TEMPLATE_TEXT,
        },
    }
    headers = {"X-Api-Key": jellyseerr.api_key}
    url = f"{jellyseerr.url}/api/v1/settings/notifications/webhook"
    async with session.post(url, json=body, headers=headers) as response:
        assert response.status == 200
    async with session.post(f"{url}/test", json=body, headers=headers) as response:
        assert response.status == 500
    await jellyseerr.notify("MEDIA_PENDING", {"subject": "Dune (2021)"})
    assert receiver.received == []
    assert len(jellyseerr.send_errors) == 2
    read = await JellyseerrClient(
        session, jellyseerr.url, jellyseerr.api_key
    ).async_get_webhook()
    assert read.payload_template is None


@each_version
async def test_a_template_that_is_not_a_string_is_refused(
    jellyseerr: FakeJellyseerr, receiver: Receiver, session
) -> None:
    body = {
        "enabled": True,
        "types": 222,
        "options": {"webhookUrl": receiver.url, "jsonPayload": JELLYSEERR_TEMPLATE},
    }
    async with session.post(
        f"{jellyseerr.url}/api/v1/settings/notifications/webhook",
        json=body,
        headers={"X-Api-Key": jellyseerr.api_key},
    ) as response:
        assert response.status == 400
        assert "jsonPayload must be string" in (await response.json())["message"]
    assert jellyseerr.webhook["enabled"] is False


@each_version
async def test_jellyseerr_down_is_a_connection_error(
    jellyseerr: FakeJellyseerr, session
) -> None:
    url = jellyseerr.url
    await jellyseerr.stop()
    with pytest.raises(ServiceUnavailableError):
        await JellyseerrClient(session, url, "key").async_get_webhook()


@pytest.mark.parametrize(
    ("status", "body"), [(200, b"<html>login</html>"), (200, b"[]"), (404, b"")]
)
async def test_an_answer_that_is_not_webhook_settings_is_an_error(
    canned: Canned, session, status: int, body: bytes
) -> None:
    canned.status, canned.body = status, body
    with pytest.raises(ServiceError):
        await JellyseerrClient(session, canned.url, "key").async_get_webhook()


async def test_settings_without_options_read_as_an_empty_slot(
    canned: Canned, session
) -> None:
    canned.body = b'{"enabled": false, "types": 0}'
    read = await JellyseerrClient(session, canned.url, "key").async_get_webhook()
    assert (read.enabled, read.webhook_url, read.payload_template) == (False, "", None)
    assert read.template() is None


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (
            400,
            b'{"message": "request/body/types must be number"}',
            JellyseerrRejectedError,
        ),
        (400, b"oops", JellyseerrRejectedError),
        (502, b"Bad Gateway", ServiceUnavailableError),
        (404, b"", ServiceUnavailableError),
    ],
)
async def test_a_save_or_test_that_fails_says_how(
    canned: Canned, session, status: int, body: bytes, error: type[Exception]
) -> None:
    canned.status, canned.body = status, body
    client = JellyseerrClient(session, canned.url, "key")
    with pytest.raises(error):
        await client.async_save_webhook(settings("http://ha.local/api/webhook/x"))
    with pytest.raises(error):
        await client.async_test_webhook(settings("http://ha.local/api/webhook/x"))
