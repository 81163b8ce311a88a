"""The Radarr/Sonarr notification client against a fake that answers as their API does.

Every test that reaches a fake runs against each claimed major of both apps.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from custom_components.media_request_tracker.clients.arr import (
    NOTIFICATION_PATH,
    ArrClient,
    ArrRejectedError,
)
from custom_components.media_request_tracker.clients.http import (
    ServiceAuthError,
    ServiceError,
    ServiceUnavailableError,
)
from tests.fakes.arr import FakeArr
from tests.fakes.receiver import Canned, Receiver


@pytest.fixture(params=["radarr", "sonarr"])
def arr(request: pytest.FixtureRequest, arr_majors: tuple[str, str]) -> FakeArr:
    """Radarr or Sonarr, of each claimed major (``arr_majors`` parametrises them)."""
    fake: FakeArr = request.getfixturevalue(request.param)
    return fake


class ArrClientWithTestCall(ArrClient):
    """The client plus ``POST /api/v3/notification/test``, which only these tests call."""

    async def async_test_notification(self, resource: Mapping[str, Any]) -> None:
        """Have the app send its ``Test`` event to a connection, saved or not."""
        await self._request("POST", f"{NOTIFICATION_PATH}/test", resource)


def arr_client(
    session, app: FakeArr, api_key: str | None = None
) -> ArrClientWithTestCall:
    return ArrClientWithTestCall(
        session, app.url, app.api_key if api_key is None else api_key, app=app.app
    )


def webhook(url: str, name: str = "Tracker") -> dict[str, object]:
    return {
        "name": name,
        "implementation": "Webhook",
        "implementationName": "Webhook",
        "configContract": "WebhookSettings",
        "onGrab": True,
        "tags": [],
        "fields": [{"name": "url", "value": url}, {"name": "method", "value": 1}],
    }


async def test_the_status_names_the_app_that_answers(arr: FakeArr, session) -> None:
    assert await arr_client(session, arr).async_get_app_name() == arr.app


async def test_a_wrong_api_key_is_an_auth_error(arr: FakeArr, session) -> None:
    with pytest.raises(ServiceAuthError):
        await arr_client(session, arr, "wrong").async_get_notifications()


async def test_a_new_webhook_is_tested_by_the_app_and_then_listed(
    arr: FakeArr, receiver: Receiver, session
) -> None:
    client = arr_client(session, arr)
    saved = await client.async_add_notification(webhook(f"{receiver.url}/hook"))
    assert [event["eventType"] for event in receiver.received] == ["Test"]
    listed = await client.async_get_notifications()
    assert [item["id"] for item in listed] == [saved["id"]]
    assert listed[0]["onGrab"] is True
    assert listed[0]["onDownload"] is False


async def test_a_refusal_keeps_the_apps_reasons_but_not_in_its_message(
    arr: FakeArr, receiver: Receiver, session
) -> None:
    receiver.status = 404
    secret_url = f"{receiver.url}/api/webhook/secret-id"
    with pytest.raises(ArrRejectedError) as raised:
        await arr_client(session, arr).async_add_notification(webhook(secret_url))
    assert raised.value.failures[0].property_name == "Url"
    assert "Unable to send test message" in raised.value.failures[0].message
    assert "secret-id" not in str(raised.value)
    assert arr.notifications == {}


async def test_an_update_and_a_delete_reach_only_that_connection(
    arr: FakeArr, receiver: Receiver, session
) -> None:
    client = arr_client(session, arr)
    other = arr.add_connection("Discord", implementation="Discord")
    saved = await client.async_add_notification(webhook(f"{receiver.url}/a"))
    saved["onDownload"] = True
    await client.async_update_notification(saved)
    assert arr.notifications[saved["id"]]["onDownload"] is True
    await client.async_delete_notification(saved["id"])
    assert list(arr.notifications) == [other["id"]]


async def test_a_test_call_sends_the_test_event(
    arr: FakeArr, receiver: Receiver, session
) -> None:
    await arr_client(session, arr).async_test_notification(webhook(f"{receiver.url}/a"))
    assert receiver.received[0]["eventType"] == "Test"
    assert arr.notifications == {}


async def test_an_app_that_is_down_is_a_connection_error(arr: FakeArr, session) -> None:
    url = arr.url
    await arr.stop()
    with pytest.raises(ServiceUnavailableError):
        await ArrClient(session, url, "key", app=arr.app).async_get_notifications()


async def test_a_server_error_is_a_connection_error(arr: FakeArr, session) -> None:
    arr.fail_with = 503
    with pytest.raises(ServiceUnavailableError):
        await arr_client(session, arr).async_get_notifications()


@pytest.mark.parametrize(
    ("status", "body"),
    [(200, b"<html>login</html>"), (200, b'{"not": "a list"}'), (200, b"")],
)
async def test_an_answer_that_is_not_a_connection_list_is_an_error(
    canned: Canned, session, status: int, body: bytes
) -> None:
    canned.status, canned.body = status, body
    with pytest.raises(ServiceError):
        await ArrClient(session, canned.url, "key").async_get_notifications()


async def test_a_save_that_returns_no_connection_is_an_error(
    canned: Canned, session
) -> None:
    canned.body = b"[]"
    with pytest.raises(ServiceError):
        await ArrClient(session, canned.url, "key").async_add_notification({})


async def test_a_400_without_a_failure_list_is_still_a_refusal(
    canned: Canned, session
) -> None:
    canned.status, canned.body = 400, b"Bad Request"
    with pytest.raises(ArrRejectedError) as raised:
        await ArrClientWithTestCall(session, canned.url, "key").async_test_notification(
            {}
        )
    assert raised.value.failures == ()
