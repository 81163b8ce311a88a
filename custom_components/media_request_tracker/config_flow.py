"""Config and options flows.

The steps and keys are fixed by the public interface: ``user`` (Jellyfin,
checked live), then ``qbittorrent``, ``shoko`` and ``arr``, each skipped
when left empty.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.components import webhook
from homeassistant.config_entries import ConfigFlow, ConfigFlowResult, OptionsFlow
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.network import NoURLAvailableError
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import voluptuous as vol

from .clients.jellyfin import (
    JellyfinAuthError,
    JellyfinClient,
    JellyfinError,
    JellyfinServerInfo,
)
from .clients.qbittorrent import (
    QBittorrentAuthError,
    QBittorrentClient,
    QBittorrentError,
)
from .clients.shoko import ShokoAuthError, ShokoClient, ShokoError
from .const import (
    CONF_ALLOW_EXTERNAL_WEBHOOKS,
    CONF_JELLYFIN_API_KEY,
    CONF_JELLYFIN_URL,
    CONF_JELLYSEERR_API_KEY,
    CONF_JELLYSEERR_URL,
    CONF_QBITTORRENT_INTERVAL,
    CONF_QBITTORRENT_PASSWORD,
    CONF_QBITTORRENT_URL,
    CONF_QBITTORRENT_USERNAME,
    CONF_RADARR_API_KEY,
    CONF_RADARR_URL,
    CONF_RETENTION_DAYS,
    CONF_SHOKO_API_KEY,
    CONF_SHOKO_PASSWORD,
    CONF_SHOKO_URL,
    CONF_SHOKO_USERNAME,
    CONF_SONARR_API_KEY,
    CONF_SONARR_URL,
    CONF_STALL_MINUTES,
    CONF_TRACK_UNREQUESTED,
    CONF_UNRESOLVED_HOURS,
    CONF_VERIFY_INTERVAL,
    CONF_WEBHOOK_IDS,
    DEFAULT_ALLOW_EXTERNAL_WEBHOOKS,
    DEFAULT_QBITTORRENT_INTERVAL,
    DEFAULT_RETENTION_DAYS,
    DEFAULT_STALL_MINUTES,
    DEFAULT_TRACK_UNREQUESTED,
    DEFAULT_UNRESOLVED_HOURS,
    DEFAULT_VERIFY_INTERVAL,
    DOMAIN,
    LOGGER,
)
from .webhook import WebhookSource

_URL = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))
_TEXT = TextSelector()
_SECRET = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))


def _optional_schema(fields: dict[str, TextSelector]) -> vol.Schema:
    return vol.Schema({vol.Optional(key): selector for key, selector in fields.items()})


USER_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_JELLYFIN_URL): _URL,
        vol.Required(CONF_JELLYFIN_API_KEY): _SECRET,
    }
)
QBITTORRENT_SCHEMA = _optional_schema(
    {
        CONF_QBITTORRENT_URL: _URL,
        CONF_QBITTORRENT_USERNAME: _TEXT,
        CONF_QBITTORRENT_PASSWORD: _SECRET,
    }
)
SHOKO_SCHEMA = _optional_schema(
    {
        CONF_SHOKO_URL: _URL,
        CONF_SHOKO_API_KEY: _SECRET,
        CONF_SHOKO_USERNAME: _TEXT,
        CONF_SHOKO_PASSWORD: _SECRET,
    }
)
REAUTH_QBITTORRENT_SCHEMA = vol.Schema(
    {
        vol.Optional(CONF_QBITTORRENT_USERNAME): _TEXT,
        vol.Optional(CONF_QBITTORRENT_PASSWORD): _SECRET,
    }
)
ARR_SCHEMA = _optional_schema(
    {
        CONF_JELLYSEERR_URL: _URL,
        CONF_JELLYSEERR_API_KEY: _SECRET,
        CONF_RADARR_URL: _URL,
        CONF_RADARR_API_KEY: _SECRET,
        CONF_SONARR_URL: _URL,
        CONF_SONARR_API_KEY: _SECRET,
    }
)


def _number(maximum: int, unit: str) -> NumberSelector:
    return NumberSelector(
        NumberSelectorConfig(
            min=1, max=maximum, unit_of_measurement=unit, mode=NumberSelectorMode.BOX
        )
    )


# Each option with its default and its selector, in the order the form shows them.
OPTION_FIELDS: tuple[tuple[str, object, Any], ...] = (
    (CONF_TRACK_UNREQUESTED, DEFAULT_TRACK_UNREQUESTED, BooleanSelector()),
    (CONF_ALLOW_EXTERNAL_WEBHOOKS, DEFAULT_ALLOW_EXTERNAL_WEBHOOKS, BooleanSelector()),
    (CONF_QBITTORRENT_INTERVAL, DEFAULT_QBITTORRENT_INTERVAL, _number(3600, "s")),
    (CONF_STALL_MINUTES, DEFAULT_STALL_MINUTES, _number(10080, "min")),
    (CONF_VERIFY_INTERVAL, DEFAULT_VERIFY_INTERVAL, _number(86400, "s")),
    (CONF_UNRESOLVED_HOURS, DEFAULT_UNRESOLVED_HOURS, _number(720, "h")),
    (CONF_RETENTION_DAYS, DEFAULT_RETENTION_DAYS, _number(3650, "d")),
)


def webhook_urls(hass: HomeAssistant, webhook_ids: dict[str, str]) -> dict[str, str]:
    """Full URLs to paste into each service, keyed as the placeholders are."""
    urls: dict[str, str] = {}
    for source, webhook_id in webhook_ids.items():
        try:
            url = webhook.async_generate_url(
                hass, webhook_id, allow_ip=True, prefer_external=False
            )
        except NoURLAvailableError:
            url = webhook.async_generate_path(webhook_id)
        urls[f"{source}_webhook_url"] = url
    return urls


def _filled(user_input: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value.strip() if isinstance(value, str) else value
        for key, value in user_input.items()
        if value not in (None, "")
    }


class MediaRequestTrackerConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up one media stack, keyed by its Jellyfin server."""

    VERSION = 1
    MINOR_VERSION = 1

    def __init__(self) -> None:
        """Collect the steps' answers."""
        self._data: dict[str, Any] = {}
        self._title = "Jellyfin"

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: Any) -> MediaRequestTrackerOptionsFlow:
        """Return the options flow."""
        return MediaRequestTrackerOptionsFlow()

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for Jellyfin and check it live."""
        errors: dict[str, str] = {}
        if user_input is not None:
            url = user_input[CONF_JELLYFIN_URL].strip().rstrip("/")
            api_key = user_input[CONF_JELLYFIN_API_KEY]
            info, error = await _jellyfin_info(
                self.hass, {CONF_JELLYFIN_URL: url, CONF_JELLYFIN_API_KEY: api_key}
            )
            if error is not None:
                errors["base"] = error
            else:
                assert info is not None
                await self.async_set_unique_id(info.server_id)
                self._abort_if_unique_id_configured()
                self._title = info.name
                self._data = {CONF_JELLYFIN_URL: url, CONF_JELLYFIN_API_KEY: api_key}
                return await self.async_step_qbittorrent()
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(USER_SCHEMA, user_input),
            errors=errors,
        )

    async def async_step_qbittorrent(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for qBittorrent and log in live; empty skips it."""
        errors: dict[str, str] = {}
        if user_input is not None:
            filled = _filled(user_input)
            if not filled:
                return await self.async_step_shoko()
            if CONF_QBITTORRENT_URL not in filled:
                errors[CONF_QBITTORRENT_URL] = "url_required"
            elif error := await _check_qbittorrent(self.hass, filled):
                errors["base"] = error
            else:
                self._data.update(filled)
                return await self.async_step_shoko()
        return self.async_show_form(
            step_id="qbittorrent",
            data_schema=self.add_suggested_values_to_schema(
                QBITTORRENT_SCHEMA, user_input
            ),
            errors=errors,
        )

    async def async_step_shoko(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for Shoko and check it live; empty skips it."""
        errors: dict[str, str] = {}
        if user_input is not None:
            filled = _filled(user_input)
            if not filled:
                return await self.async_step_arr()
            if CONF_SHOKO_URL not in filled:
                errors[CONF_SHOKO_URL] = "url_required"
            else:
                api_key, error = await _check_shoko(self.hass, filled)
                if error is not None:
                    errors["base"] = error
                else:
                    # The key is stored; a username and password never are.
                    self._data[CONF_SHOKO_URL] = filled[CONF_SHOKO_URL]
                    self._data[CONF_SHOKO_API_KEY] = api_key
                    return await self.async_step_arr()
        return self.async_show_form(
            step_id="shoko",
            data_schema=self.add_suggested_values_to_schema(
                SHOKO_SCHEMA,
                {
                    key: value
                    for key, value in (user_input or {}).items()
                    if key != CONF_SHOKO_PASSWORD
                },
            ),
            errors=errors,
        )

    async def async_step_arr(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for Jellyseerr, Radarr and Sonarr; then create the entry."""
        if user_input is None:
            return self.async_show_form(step_id="arr", data_schema=ARR_SCHEMA)
        self._data.update(_filled(user_input))
        webhook_ids = {
            source.value: webhook.async_generate_id() for source in WebhookSource
        }
        self._data[CONF_WEBHOOK_IDS] = webhook_ids
        return self.async_create_entry(
            title=self._title,
            data=self._data,
            description_placeholders=webhook_urls(self.hass, webhook_ids),
        )

    async def async_step_reauth(
        self, entry_data: Mapping[str, Any]
    ) -> ConfigFlowResult:
        """Find which service refused our credentials, then ask for those."""
        if await _check_jellyfin(self.hass, entry_data) == "invalid_auth":
            return await self.async_step_reauth_jellyfin()
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_jellyfin(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for a new Jellyfin API key and check it."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            updated = {
                **entry.data,
                CONF_JELLYFIN_API_KEY: user_input[CONF_JELLYFIN_API_KEY],
            }
            if not (error := await _check_jellyfin(self.hass, updated)):
                return self.async_update_reload_and_abort(entry, data=updated)
            errors["base"] = error
        return self.async_show_form(
            step_id="reauth_jellyfin",
            data_schema=vol.Schema({vol.Required(CONF_JELLYFIN_API_KEY): _SECRET}),
            description_placeholders={"url": entry.data[CONF_JELLYFIN_URL]},
            errors=errors,
        )

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the qBittorrent credentials again and check them."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            updated = {**entry.data, **_filled(user_input)}
            if not (error := await _check_qbittorrent(self.hass, updated)):
                return self.async_update_reload_and_abort(entry, data=updated)
            errors["base"] = error
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=self.add_suggested_values_to_schema(
                REAUTH_QBITTORRENT_SCHEMA,
                {CONF_QBITTORRENT_USERNAME: entry.data.get(CONF_QBITTORRENT_USERNAME)},
            ),
            description_placeholders={"url": entry.data.get(CONF_QBITTORRENT_URL, "")},
            errors=errors,
        )


async def _jellyfin_info(
    hass: HomeAssistant, data: Mapping[str, Any]
) -> tuple[JellyfinServerInfo | None, str | None]:
    """Make the live Jellyfin call; return (server info, error key)."""
    client = JellyfinClient(
        async_get_clientsession(hass),
        data[CONF_JELLYFIN_URL],
        data[CONF_JELLYFIN_API_KEY],
    )
    try:
        return await client.async_get_server_info(), None
    except JellyfinAuthError:
        return None, "invalid_auth"
    except JellyfinError:
        return None, "cannot_connect"
    except Exception:  # noqa: BLE001
        LOGGER.exception("Unexpected error while checking Jellyfin")
        return None, "unknown"


async def _check_jellyfin(hass: HomeAssistant, data: Mapping[str, Any]) -> str | None:
    """Return the error key of the live Jellyfin call, or None when it worked."""
    return (await _jellyfin_info(hass, data))[1]


async def _check_shoko(
    hass: HomeAssistant, data: Mapping[str, Any]
) -> tuple[str | None, str | None]:
    """Check Shoko is up and the credentials work; return (API key, error key)."""
    client = ShokoClient(
        async_get_clientsession(hass),
        data[CONF_SHOKO_URL],
        data.get(CONF_SHOKO_API_KEY),
    )
    try:
        await client.async_check_started()
        if client.api_key:
            await client.async_check_key()
        elif data.get(CONF_SHOKO_USERNAME):
            await client.async_create_key(
                data[CONF_SHOKO_USERNAME], data.get(CONF_SHOKO_PASSWORD, "")
            )
        else:
            return None, "shoko_credentials_required"
    except ShokoAuthError:
        return None, "invalid_auth"
    except ShokoError:
        return None, "cannot_connect"
    return client.api_key, None


async def _check_qbittorrent(
    hass: HomeAssistant, data: Mapping[str, Any]
) -> str | None:
    """Log in once; return the error key, or None when it worked."""
    client = QBittorrentClient(
        async_get_clientsession(hass),
        data[CONF_QBITTORRENT_URL],
        data.get(CONF_QBITTORRENT_USERNAME),
        data.get(CONF_QBITTORRENT_PASSWORD),
    )
    try:
        # The login answer is the check; a follow-up call would need the
        # session cookie, which the shared session drops for IP-address hosts.
        await client.async_login()
    except QBittorrentAuthError:
        return "invalid_auth"
    except QBittorrentError:
        return "cannot_connect"
    return None


class MediaRequestTrackerOptionsFlow(OptionsFlow):
    """Behaviour options; the webhook URLs are shown again here."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show and save the options."""
        if user_input is not None:
            # Number selectors hand back floats; every option here is whole.
            return self.async_create_entry(
                data={
                    key: int(value) if isinstance(value, float) else value
                    for key, value in user_input.items()
                }
            )
        options = self.config_entry.options
        schema = vol.Schema(
            {
                vol.Required(key, default=options.get(key, default)): selector
                for key, default, selector in OPTION_FIELDS
            }
        )
        return self.async_show_form(
            step_id="init",
            data_schema=schema,
            description_placeholders=webhook_urls(
                self.hass, self.config_entry.data[CONF_WEBHOOK_IDS]
            ),
        )
