"""The config flow's live checks: one per service, each with the same two errors.

Each ``async_validate_<service>`` takes the service's settings (URL, API key,
...), makes the fewest calls that prove they work, and returns what the flow
needs from the answer. Otherwise it raises ``CannotConnect`` (no
answer, a failure, or a server that is not that service) or ``InvalidAuth``
(the service refused the credential); Shoko also raises
``ShokoCredentialsRequired``. Each error's ``error_key`` is the form's error in
``translations/en.json``.

The clients raise one error tree (``clients/http.py``): ``ServiceAuthError``
for a refusal, and ``ServiceError`` for everything else they report.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import ClassVar

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from .clients.arr import ArrClient
from .clients.http import RedirectRefusedError, ServiceAuthError, ServiceError, safe_url
from .clients.jellyfin import JellyfinClient, JellyfinServerInfo
from .clients.jellyseerr import JellyseerrClient
from .clients.qbittorrent import QBittorrentClient
from .clients.shoko import ShokoClient
from .const import LOGGER


class ValidationError(HomeAssistantError):
    """A live check failed, for the reason its ``error_key`` names."""

    error_key: ClassVar[str]


class UnexpectedError(ValidationError):
    """A check failed in a way no client error names; logged where it is caught."""

    error_key = "unknown"


async def async_checked[T](name: str, check: Awaitable[T]) -> T:
    """Await a live check; an error no client names is logged, and is ``unknown``."""
    try:
        return await check
    except ValidationError:
        raise
    except Exception as err:
        LOGGER.exception("Unexpected error while checking %s", name)
        raise UnexpectedError from err


class CannotConnect(ValidationError):
    """The service did not answer, failed, or is not the service it should be."""

    error_key = "cannot_connect"


class InvalidAuth(ValidationError):
    """The service refused the credential."""

    error_key = "invalid_auth"


class ShokoCredentialsRequired(ValidationError):
    """Shoko needs an API key, or a username and password that make one."""

    error_key = "shoko_credentials_required"


async def async_validate_jellyfin(
    hass: HomeAssistant, url: str, api_key: str
) -> JellyfinServerInfo:
    """Read the server's id and name: the entry's unique id and its title."""
    client = JellyfinClient(async_get_clientsession(hass), url, api_key)
    return await _answer("Jellyfin", client.async_get_server_info())


async def async_validate_qbittorrent(
    hass: HomeAssistant, url: str, username: str | None, password: str | None
) -> None:
    """Log in once.

    The login answer is the check; a follow-up call would need the session
    cookie, which the shared session drops for IP-address hosts.
    """
    client = QBittorrentClient(async_get_clientsession(hass), url, username, password)
    await _answer("qBittorrent", client.async_login())


async def async_validate_shoko(
    hass: HomeAssistant,
    url: str,
    api_key: str | None,
    username: str | None,
    password: str | None,
) -> str:
    """Check Shoko has started and the credential works; return the API key to store.

    An API key given is checked; without one, the username and password are
    traded for a new key, and neither is kept.
    """
    client = ShokoClient(async_get_clientsession(hass), url, api_key)
    if not api_key and not username:
        raise ShokoCredentialsRequired
    return await _answer(
        "Shoko Server", _async_shoko_key(client, username or "", password or "")
    )


async def _async_shoko_key(client: ShokoClient, username: str, password: str) -> str:
    """Check the client's API key, or make one from the login when it has none."""
    major_version = await client.async_get_major_version()
    await client.async_check_started()
    if client.api_key:
        await client.async_check_key(major_version)
        return client.api_key
    return await client.async_create_key(username, password)


async def async_validate_jellyseerr(
    hass: HomeAssistant, url: str, api_key: str
) -> None:
    """Read the webhook settings: the call registration makes, so the key has its rights."""
    client = JellyseerrClient(async_get_clientsession(hass), url, api_key)
    await _answer("Jellyseerr", client.async_get_webhook())


async def async_validate_radarr(hass: HomeAssistant, url: str, api_key: str) -> None:
    """Check the URL leads to Radarr and that it accepts the key."""
    await _async_validate_arr(hass, "Radarr", url, api_key)


async def async_validate_sonarr(hass: HomeAssistant, url: str, api_key: str) -> None:
    """Check the URL leads to Sonarr and that it accepts the key."""
    await _async_validate_arr(hass, "Sonarr", url, api_key)


async def _async_validate_arr(
    hass: HomeAssistant, app: str, url: str, api_key: str
) -> None:
    """Ask the app its name: Sonarr's URL in Radarr's field must not pass."""
    client = ArrClient(async_get_clientsession(hass), url, api_key, app=app)
    name = await _answer(app, client.async_get_app_name())
    if name.lower() != app.lower():
        raise CannotConnect(f"{safe_url(url)} did not answer as {app}")


async def _answer[T](service: str, call: Awaitable[T]) -> T:
    """Await a client call, turning the client's errors into the flow's."""
    try:
        return await call
    except ServiceAuthError as err:
        raise InvalidAuth(str(err)) from err
    except RedirectRefusedError as err:
        # The form can only say "cannot connect"; the log says where it pointed.
        LOGGER.warning("Cannot use %s: %s", service, err)
        raise CannotConnect(str(err)) from err
    except ServiceError as err:
        raise CannotConnect(str(err)) from err
