"""Config, reauth, reconfigure and options flows.

The steps and keys are fixed by the public interface: ``user`` (Jellyfin,
checked live), then ``qbittorrent``, ``shoko`` and ``arr``, each skipped
when left empty and checked live when filled in.

Re-authentication asks again for one credential, the one a service refused.
Code that sees a refusal starts it with the service's name::

    entry.async_start_reauth(hass, data={"service": "radarr"})

``service`` (``REAUTH_SERVICE``) is one of ``jellyfin``, ``qbittorrent``,
``shoko``, ``jellyseerr``, ``radarr`` or ``sonarr``; the flow opens
``reauth_jellyfin``, ``reauth_confirm`` (qBittorrent's username and password),
``reauth_shoko``, ``reauth_jellyseerr``, ``reauth_radarr`` or
``reauth_sonarr``, checks the new credential live, stores it and reloads the
entry. Home Assistant runs one reauth flow per entry at a time: a second call
while one is open does nothing, and the service refuses again after the
reload if it still has a reason to. A reauth without a service (a coordinator
raising ``ConfigEntryAuthFailed``: the Jellyfin verifier or the qBittorrent
poller) asks Jellyfin, then qBittorrent, which one refuses now, and aborts
with ``reauth_not_needed`` when neither does.

Reconfiguring walks the same steps with what is stored filled in (secrets
left out: an empty secret keeps the stored one, and a step left entirely
empty stops using that service). The Jellyfin URL must still lead to the
same server. Webhook ids never change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final

from homeassistant import config_entries
from homeassistant.components import webhook
from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlow,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession
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

from .clients.arr import ArrAuthError, ArrClient, ArrError
from .clients.http import RedirectRefusedError, safe_url
from .clients.jellyfin import (
    JellyfinAuthError,
    JellyfinClient,
    JellyfinError,
    JellyfinServerInfo,
)
from .clients.jellyseerr import JellyseerrAuthError, JellyseerrClient, JellyseerrError
from .clients.qbittorrent import (
    QBittorrentAuthError,
    QBittorrentClient,
    QBittorrentError,
)
from .clients.shoko import ShokoAuthError, ShokoClient, ShokoError
from .const import (
    ARR_SERVICES,
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
    CONF_STUCK_ANIME_MATCHING_HOURS,
    CONF_STUCK_APPROVED_HOURS,
    CONF_STUCK_IMPORTING_HOURS,
    CONF_STUCK_INDEXED_HOURS,
    CONF_TRACK_UNREQUESTED,
    CONF_VERIFY_INTERVAL,
    CONF_WEBHOOK_IDS,
    DEFAULT_ALLOW_EXTERNAL_WEBHOOKS,
    DEFAULT_QBITTORRENT_INTERVAL,
    DEFAULT_RETENTION_DAYS,
    DEFAULT_STALL_MINUTES,
    DEFAULT_STUCK_ANIME_MATCHING_HOURS,
    DEFAULT_STUCK_APPROVED_HOURS,
    DEFAULT_STUCK_IMPORTING_HOURS,
    DEFAULT_STUCK_INDEXED_HOURS,
    DEFAULT_TRACK_UNREQUESTED,
    DEFAULT_VERIFY_INTERVAL,
    DOMAIN,
    LOGGER,
    REAUTH_SERVICE,
    SECRET_KEYS,
)
from .registration import async_unregister_replaced
from .webhook import WEBHOOK_SOURCES, webhook_urls

if TYPE_CHECKING:
    _ReloadingOptionsFlow = OptionsFlow
else:
    # Home Assistant 2025.8 added OptionsFlowWithReload, which reloads the entry
    # when its options change; before it, __init__ registers an update listener.
    _ReloadingOptionsFlow = getattr(
        config_entries, "OptionsFlowWithReload", OptionsFlow
    )

# Whether the options flow reloads the entry by itself (see __init__).
OPTIONS_FLOW_RELOADS: Final = _ReloadingOptionsFlow is not OptionsFlow

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
RECONFIGURE_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_JELLYFIN_URL): _URL,
        vol.Optional(CONF_JELLYFIN_API_KEY): _SECRET,
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
REAUTH_JELLYFIN_SCHEMA = vol.Schema({vol.Required(CONF_JELLYFIN_API_KEY): _SECRET})
REAUTH_QBITTORRENT_SCHEMA = _optional_schema(
    {CONF_QBITTORRENT_USERNAME: _TEXT, CONF_QBITTORRENT_PASSWORD: _SECRET}
)
REAUTH_SHOKO_SCHEMA = _optional_schema(
    {
        CONF_SHOKO_API_KEY: _SECRET,
        CONF_SHOKO_USERNAME: _TEXT,
        CONF_SHOKO_PASSWORD: _SECRET,
    }
)

REAUTH_SCHEMAS: Final = {
    service: vol.Schema({vol.Required(api_key): _SECRET})
    for service, (_, api_key) in ARR_SERVICES.items()
}

# The URL that tells whether an entry uses a service.
SERVICE_URLS: Final = {
    "jellyfin": CONF_JELLYFIN_URL,
    "qbittorrent": CONF_QBITTORRENT_URL,
    "shoko": CONF_SHOKO_URL,
    **{service: url for service, (url, _) in ARR_SERVICES.items()},
}
# Everything the set-up steps store; reconfiguring replaces all of it.
_CONNECTION_KEYS: Final = frozenset(
    {
        CONF_JELLYFIN_URL,
        CONF_JELLYFIN_API_KEY,
        CONF_QBITTORRENT_URL,
        CONF_QBITTORRENT_USERNAME,
        CONF_QBITTORRENT_PASSWORD,
        CONF_SHOKO_URL,
        CONF_SHOKO_API_KEY,
        *(key for keys in ARR_SERVICES.values() for key in keys),
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
    (CONF_STUCK_APPROVED_HOURS, DEFAULT_STUCK_APPROVED_HOURS, _number(720, "h")),
    (CONF_STUCK_INDEXED_HOURS, DEFAULT_STUCK_INDEXED_HOURS, _number(720, "h")),
    (CONF_STUCK_IMPORTING_HOURS, DEFAULT_STUCK_IMPORTING_HOURS, _number(720, "h")),
    (
        CONF_STUCK_ANIME_MATCHING_HOURS,
        DEFAULT_STUCK_ANIME_MATCHING_HOURS,
        _number(720, "h"),
    ),
    (CONF_RETENTION_DAYS, DEFAULT_RETENTION_DAYS, _number(3650, "d")),
)


def _filled(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Keep the answers given, trimmed; leave out empty fields."""
    trimmed = {
        key: value.strip() if isinstance(value, str) else value
        for key, value in user_input.items()
    }
    return {key: value for key, value in trimmed.items() if value not in (None, "")}


def _url(value: str) -> str:
    return value.strip().rstrip("/")


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

    # Set-up, and the same steps when reconfiguring.

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for Jellyfin and check it live."""
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {
                CONF_JELLYFIN_URL: _url(user_input[CONF_JELLYFIN_URL]),
                CONF_JELLYFIN_API_KEY: user_input[CONF_JELLYFIN_API_KEY].strip(),
            }
            info, error = await _jellyfin_info(self.hass, data)
            if info is None:
                errors["base"] = error
            else:
                await self.async_set_unique_id(info.server_id)
                self._abort_if_unique_id_configured()
                self._title = info.name
                self._data = data
                return await self.async_step_qbittorrent()
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(USER_SCHEMA, user_input),
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change Jellyfin's URL or API key; it must stay the same server."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            api_key = (user_input.get(CONF_JELLYFIN_API_KEY) or "").strip()
            data = {
                CONF_JELLYFIN_URL: _url(user_input[CONF_JELLYFIN_URL]),
                # Left empty: the stored key, say for a new address of the server.
                CONF_JELLYFIN_API_KEY: api_key or entry.data[CONF_JELLYFIN_API_KEY],
            }
            info, error = await _jellyfin_info(self.hass, data)
            if info is None:
                errors["base"] = error
            else:
                await self.async_set_unique_id(info.server_id, raise_on_progress=False)
                self._abort_if_unique_id_mismatch()
                self._data = data
                return await self.async_step_qbittorrent()
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                RECONFIGURE_SCHEMA,
                user_input or {CONF_JELLYFIN_URL: entry.data[CONF_JELLYFIN_URL]},
            ),
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
            filled = self._keep_stored(filled, (CONF_QBITTORRENT_PASSWORD,))
            if CONF_QBITTORRENT_URL not in filled:
                errors[CONF_QBITTORRENT_URL] = "url_required"
            elif error := await _check_qbittorrent(self.hass, filled):
                errors["base"] = error
            else:
                self._data.update(filled)
                return await self.async_step_shoko()
        return self.async_show_form(
            step_id=self._step_id("qbittorrent"),
            data_schema=self.add_suggested_values_to_schema(
                QBITTORRENT_SCHEMA, self._suggested(user_input)
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
            if CONF_SHOKO_USERNAME not in filled:
                filled = self._keep_stored(filled, (CONF_SHOKO_API_KEY,))
            if CONF_SHOKO_URL not in filled:
                errors[CONF_SHOKO_URL] = "url_required"
            else:
                api_key, error = await _check_shoko(self.hass, filled)
                if api_key is None:
                    errors["base"] = error
                else:
                    # The key is stored; a username and password never are.
                    self._data[CONF_SHOKO_URL] = filled[CONF_SHOKO_URL]
                    self._data[CONF_SHOKO_API_KEY] = api_key
                    return await self.async_step_arr()
        shown = None
        if user_input is not None:
            shown = {k: v for k, v in user_input.items() if k != CONF_SHOKO_PASSWORD}
        return self.async_show_form(
            step_id=self._step_id("shoko"),
            data_schema=self.add_suggested_values_to_schema(
                SHOKO_SCHEMA, self._suggested(shown)
            ),
            errors=errors,
        )

    async def async_step_arr(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for Jellyseerr, Radarr and Sonarr, check each filled in; then finish."""
        errors: dict[str, str] = {}
        if user_input is not None:
            filled = _filled(user_input)
            checked: dict[str, Any] = {}
            for service, (url_key, api_key_key) in ARR_SERVICES.items():
                if url_key not in filled and api_key_key not in filled:
                    continue
                given = self._keep_stored(
                    {
                        key: filled[key]
                        for key in (url_key, api_key_key)
                        if key in filled
                    },
                    (api_key_key,),
                )
                if url_key not in given:
                    errors[url_key] = "url_required"
                elif api_key_key not in given:
                    errors[api_key_key] = "api_key_required"
                elif error := await _check_arr(
                    self.hass, service, given[url_key], given[api_key_key]
                ):
                    # Each error next to the field to correct.
                    field = {"invalid_auth": api_key_key, "cannot_connect": url_key}
                    errors[field.get(error, "base")] = error
                else:
                    checked[url_key] = _url(given[url_key])
                    checked[api_key_key] = given[api_key_key]
            if not errors:
                self._data.update(checked)
                return await self._async_finish()
        return self.async_show_form(
            step_id=self._step_id("arr"),
            data_schema=self.add_suggested_values_to_schema(
                ARR_SCHEMA, self._suggested(user_input)
            ),
            errors=errors,
        )

    async def async_step_reconfigure_qbittorrent(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Reconfigure qBittorrent as set-up asks for it."""
        return await self.async_step_qbittorrent(user_input)

    async def async_step_reconfigure_shoko(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Reconfigure Shoko as set-up asks for it."""
        return await self.async_step_shoko(user_input)

    async def async_step_reconfigure_arr(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Reconfigure Jellyseerr, Radarr and Sonarr as set-up asks for them."""
        return await self.async_step_arr(user_input)

    async def _async_finish(self) -> ConfigFlowResult:
        """Create the entry, or update the reconfigured one keeping its webhooks."""
        if self.source == SOURCE_RECONFIGURE:
            entry = self._get_reconfigure_entry()
            kept = {k: v for k, v in entry.data.items() if k not in _CONNECTION_KEYS}
            await async_unregister_replaced(self.hass, entry, self._data)
            return self.async_update_reload_and_abort(entry, data=kept | self._data)
        webhook_ids = {
            source.value: webhook.async_generate_id() for source in WEBHOOK_SOURCES
        }
        self._data[CONF_WEBHOOK_IDS] = webhook_ids
        return self.async_create_entry(
            title=self._title,
            data=self._data,
            description_placeholders=webhook_urls(self.hass, webhook_ids),
        )

    def _step_id(self, step: str) -> str:
        """Reconfiguring shows the set-up steps under their own ids."""
        return f"reconfigure_{step}" if self.source == SOURCE_RECONFIGURE else step

    def _suggested(self, user_input: Mapping[str, Any] | None) -> Mapping[str, Any]:
        """Fill a form with the answer being corrected, or with what is stored."""
        if user_input is not None:
            return user_input
        if self.source == SOURCE_RECONFIGURE:
            stored = self._get_reconfigure_entry().data
            return {k: v for k, v in stored.items() if k not in SECRET_KEYS}
        return {}

    def _keep_stored(
        self, filled: dict[str, Any], secrets: Iterable[str]
    ) -> dict[str, Any]:
        """While reconfiguring, a secret left empty keeps the stored one."""
        if self.source != SOURCE_RECONFIGURE:
            return filled
        stored = self._get_reconfigure_entry().data
        return {key: stored[key] for key in secrets if key in stored} | filled

    # Re-authentication.

    async def async_step_reauth(
        self, entry_data: Mapping[str, Any]
    ) -> ConfigFlowResult:
        """Ask for the credential of the service that refused it.

        ``entry_data`` is the entry's data plus what the caller passed to
        ``entry.async_start_reauth(hass, data={"service": <service>})``.
        """
        service = entry_data.get(REAUTH_SERVICE)
        if service not in SERVICE_URLS or not entry_data.get(SERVICE_URLS[service]):
            service = await self._async_refusing_service(entry_data)
            if service is None:
                return self.async_abort(reason="reauth_not_needed")
        steps = {
            "jellyfin": self.async_step_reauth_jellyfin,
            "qbittorrent": self.async_step_reauth_confirm,
            "shoko": self.async_step_reauth_shoko,
            "jellyseerr": self.async_step_reauth_jellyseerr,
            "radarr": self.async_step_reauth_radarr,
            "sonarr": self.async_step_reauth_sonarr,
        }
        return await steps[service]()

    async def _async_refusing_service(self, data: Mapping[str, Any]) -> str | None:
        """Find which of the polled services refuses the stored credentials now."""
        if (await _jellyfin_info(self.hass, data))[1] == "invalid_auth":
            return "jellyfin"
        if (
            data.get(CONF_QBITTORRENT_URL)
            and await _check_qbittorrent(self.hass, data) == "invalid_auth"
        ):
            return "qbittorrent"
        return None

    async def async_step_reauth_jellyfin(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for a new Jellyfin API key and check it."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            api_key = user_input[CONF_JELLYFIN_API_KEY].strip()
            info, error = await _jellyfin_info(
                self.hass, {**entry.data, CONF_JELLYFIN_API_KEY: api_key}
            )
            if info is not None:
                return self.async_update_reload_and_abort(
                    entry, data_updates={CONF_JELLYFIN_API_KEY: api_key}
                )
            errors["base"] = error
        return self.async_show_form(
            step_id="reauth_jellyfin",
            data_schema=REAUTH_JELLYFIN_SCHEMA,
            description_placeholders={"url": safe_url(entry.data[CONF_JELLYFIN_URL])},
            errors=errors,
        )

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the qBittorrent username and password again and log in."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            updates = _filled(user_input)
            if not (
                error := await _check_qbittorrent(self.hass, {**entry.data, **updates})
            ):
                return self.async_update_reload_and_abort(entry, data_updates=updates)
            errors["base"] = error
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=self.add_suggested_values_to_schema(
                REAUTH_QBITTORRENT_SCHEMA,
                {CONF_QBITTORRENT_USERNAME: entry.data.get(CONF_QBITTORRENT_USERNAME)},
            ),
            description_placeholders={
                "url": safe_url(entry.data[CONF_QBITTORRENT_URL])
            },
            errors=errors,
        )

    async def async_step_reauth_shoko(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for a new Shoko API key, or a username and password that make one."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            api_key, error = await _check_shoko(
                self.hass,
                {**_filled(user_input), CONF_SHOKO_URL: entry.data[CONF_SHOKO_URL]},
            )
            if api_key is not None:
                return self.async_update_reload_and_abort(
                    entry, data_updates={CONF_SHOKO_API_KEY: api_key}
                )
            errors["base"] = error
        return self.async_show_form(
            step_id="reauth_shoko",
            data_schema=self.add_suggested_values_to_schema(
                REAUTH_SHOKO_SCHEMA,
                {CONF_SHOKO_USERNAME: (user_input or {}).get(CONF_SHOKO_USERNAME)},
            ),
            description_placeholders={"url": safe_url(entry.data[CONF_SHOKO_URL])},
            errors=errors,
        )

    async def async_step_reauth_jellyseerr(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for a new Jellyseerr API key and check it."""
        return await self._async_reauth_arr("jellyseerr", user_input)

    async def async_step_reauth_radarr(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for a new Radarr API key and check it."""
        return await self._async_reauth_arr("radarr", user_input)

    async def async_step_reauth_sonarr(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for a new Sonarr API key and check it."""
        return await self._async_reauth_arr("sonarr", user_input)

    async def _async_reauth_arr(
        self, service: str, user_input: dict[str, Any] | None
    ) -> ConfigFlowResult:
        entry = self._get_reauth_entry()
        url_key, api_key_key = ARR_SERVICES[service]
        errors: dict[str, str] = {}
        if user_input is not None:
            api_key = user_input[api_key_key].strip()
            if not (
                error := await _check_arr(
                    self.hass, service, entry.data[url_key], api_key
                )
            ):
                return self.async_update_reload_and_abort(
                    entry, data_updates={api_key_key: api_key}
                )
            errors["base"] = error
        return self.async_show_form(
            step_id=f"reauth_{service}",
            data_schema=REAUTH_SCHEMAS[service],
            description_placeholders={"url": safe_url(entry.data[url_key])},
            errors=errors,
        )


_AUTH_ERRORS = (
    JellyfinAuthError,
    QBittorrentAuthError,
    ShokoAuthError,
    ArrAuthError,
    JellyseerrAuthError,
)
_CONNECTION_ERRORS = (
    JellyfinError,
    QBittorrentError,
    ShokoError,
    ArrError,
    JellyseerrError,
)


def _error_key(err: Exception, service: str) -> str:
    """Name the form error for a failed live check."""
    if isinstance(err, _AUTH_ERRORS):
        return "invalid_auth"
    if isinstance(err, RedirectRefusedError):
        # The form can only say "cannot connect"; the log says why.
        LOGGER.warning("Cannot use %s: %s", service, err)
    if isinstance(err, _CONNECTION_ERRORS):
        return "cannot_connect"
    LOGGER.error("Unexpected error while checking %s", service, exc_info=err)
    return "unknown"


async def _jellyfin_info(
    hass: HomeAssistant, data: Mapping[str, Any]
) -> tuple[JellyfinServerInfo | None, str]:
    """Make the live Jellyfin call; return the server info, or None and the error key."""
    client = JellyfinClient(
        async_get_clientsession(hass),
        data[CONF_JELLYFIN_URL],
        data[CONF_JELLYFIN_API_KEY],
    )
    try:
        return await client.async_get_server_info(), ""
    except Exception as err:  # noqa: BLE001
        return None, _error_key(err, "Jellyfin")


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
    except Exception as err:  # noqa: BLE001
        return _error_key(err, "qBittorrent")
    return None


async def _check_shoko(
    hass: HomeAssistant, data: Mapping[str, Any]
) -> tuple[str | None, str]:
    """Check Shoko is up and the credentials work; return the API key or the error key."""
    client = ShokoClient(
        async_get_clientsession(hass),
        data[CONF_SHOKO_URL],
        data.get(CONF_SHOKO_API_KEY),
    )
    if not client.api_key and not data.get(CONF_SHOKO_USERNAME):
        return None, "shoko_credentials_required"
    try:
        major_version = await client.async_get_major_version()
        await client.async_check_started()
        if client.api_key:
            await client.async_check_key(major_version)
        else:
            await client.async_create_key(
                data[CONF_SHOKO_USERNAME], data.get(CONF_SHOKO_PASSWORD, "")
            )
    except Exception as err:  # noqa: BLE001
        return None, _error_key(err, "Shoko Server")
    return client.api_key, ""


async def _check_arr(
    hass: HomeAssistant, service: str, url: str, api_key: str
) -> str | None:
    """Make one authenticated call to Jellyseerr, Radarr or Sonarr.

    Return the error key, or None when the key works. A server that answers
    but is not that service (say, Sonarr's URL in Radarr's field) is
    ``cannot_connect``.
    """
    try:
        await _arr_identify(hass, service, _url(url), api_key)
    except Exception as err:  # noqa: BLE001
        return _error_key(err, service)
    return None


async def _arr_identify(
    hass: HomeAssistant, service: str, url: str, api_key: str
) -> None:
    """Make an authenticated call; raise unless ``service`` answers it."""
    session = async_get_clientsession(hass)
    if service == "jellyseerr":
        # The call webhook registration makes, so the key has the rights it needs.
        await JellyseerrClient(session, url, api_key).async_get_webhook()
        return
    app = ArrClient(session, url, api_key, app=service.title())
    if (await app.async_get_app_name()).lower() != service:
        raise ArrError(f"{safe_url(url)} did not answer as {service}")


class MediaRequestTrackerOptionsFlow(_ReloadingOptionsFlow):
    """Behaviour options; the webhook URLs are shown again here.

    Saving changed options reloads the entry once: by OptionsFlowWithReload
    where Home Assistant has it, or else by the update listener in __init__.
    """

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
