"""Approving and declining a request over Jellyseerr's API, as Seerr answers it."""

from __future__ import annotations

import aiohttp
import pytest

from custom_components.media_request_tracker.clients.http import (
    ServiceAuthError,
    ServiceUnavailableError,
)
from custom_components.media_request_tracker.clients.jellyseerr import (
    JellyseerrClient,
    JellyseerrUnknownRequestError,
)
from tests.fakes.jellyseerr import VERSIONS, FakeJellyseerr

each_version = pytest.mark.parametrize("jellyseerr_version", VERSIONS)
DUNE_PENDING = {"subject": "Dune (2021)", "request": {"id": 7}, "media": None}


def client(
    jellyseerr: FakeJellyseerr, session: aiohttp.ClientSession
) -> JellyseerrClient:
    return JellyseerrClient(session, jellyseerr.url, jellyseerr.api_key)


@each_version
@pytest.mark.parametrize(("status", "stored"), [("approve", 2), ("decline", 3)])
async def test_approve_and_decline_set_the_requests_status(
    jellyseerr: FakeJellyseerr, session, status: str, stored: int
) -> None:
    jellyseerr.add_request(DUNE_PENDING)
    await client(jellyseerr, session).async_set_request_status(7, status)  # type: ignore[arg-type]
    assert jellyseerr.writes() == [("POST", f"/api/v1/request/7/{status}")]
    assert jellyseerr.request_status[7] == stored


@each_version
async def test_an_unknown_request_is_its_own_error(
    jellyseerr: FakeJellyseerr, session
) -> None:
    with pytest.raises(JellyseerrUnknownRequestError):
        await client(jellyseerr, session).async_set_request_status(99, "approve")


@each_version
async def test_a_user_without_manage_requests_is_an_auth_error(
    jellyseerr: FakeJellyseerr, session
) -> None:
    jellyseerr.add_request(DUNE_PENDING)
    jellyseerr.manage_requests = False
    with pytest.raises(ServiceAuthError):
        await client(jellyseerr, session).async_set_request_status(7, "decline")
    assert jellyseerr.request_status[7] == 1


@each_version
async def test_pending_is_not_in_the_api_spec(
    jellyseerr: FakeJellyseerr, session
) -> None:
    """The handler knows ``pending``, but the validator allows only approve and decline."""
    jellyseerr.add_request(DUNE_PENDING)
    with pytest.raises(ServiceUnavailableError, match="400"):
        await client(jellyseerr, session).async_set_request_status(7, "pending")  # type: ignore[arg-type]
