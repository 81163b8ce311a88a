"""Config, reauth, reconfigure and options flows.

The steps and keys are fixed by the public interface: ``user`` (Jellyfin,
checked live), then ``qbittorrent``, ``shoko`` and ``arr`` (Jellyseerr, Radarr
and Sonarr), each service skipped when left empty and checked live
(``validation``) when filled in. One table says, for each service, its fields,
its check, what is stored and which secrets may be left empty; set-up,
reconfigure and reauth all read it.

Re-authentication asks again for one credential, the one a service refused.
Code that sees a refusal starts it with the service's name::

    entry.async_start_reauth(hass, data={"service": "radarr"})

``service`` (``REAUTH_SERVICE``) is a key of ``SERVICES``; the flow opens that
service's reauth form (qBittorrent's has Home Assistant's default id,
``reauth_confirm``), checks the new credential live, stores it and reloads the
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

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from functools import partialmethod
from typing import Any, Final

from homeassistant.components import webhook
from homeassistant.config_entries import (
    SOURCE_REAUTH,
    SOURCE_RECONFIGURE,
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
)
from homeassistant.core import HomeAssistant, callback
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

from .clients.http import safe_url
from .clients.jellyfin import JellyfinServerInfo
from .compat import ReloadingOptionsFlow
from .const import (
    CONF_ALLOW_EXTERNAL_WEBHOOKS,
    CONF_JELLYFIN_API_KEY,
    CONF_JELLYFIN_URL,
    CONF_QBITTORRENT_INTERVAL,
    CONF_QBITTORRENT_PASSWORD,
    CONF_QBITTORRENT_URL,
    CONF_QBITTORRENT_USERNAME,
    CONF_RETENTION_DAYS,
    CONF_SHOKO_API_KEY,
    CONF_SHOKO_PASSWORD,
    CONF_SHOKO_URL,
    CONF_SHOKO_USERNAME,
    CONF_STALL_MINUTES,
    CONF_STUCK_ANIME_MATCHING_HOURS,
    CONF_STUCK_APPROVED_HOURS,
    CONF_STUCK_IMPORTING_HOURS,
    CONF_STUCK_INDEXED_HOURS,
    CONF_TRACK_UNREQUESTED,
    CONF_VERIFY_INTERVAL,
    CONF_WEBHOOK_IDS,
    DOMAIN,
    LOGGER,
    OPTION_DEFAULTS,
    REAUTH_SERVICE,
    REGISTRATION_SERVICES,
    SECRET_KEYS,
)
from .registration import async_unregister_replaced
from .validation import (
    CannotConnect,
    InvalidAuth,
    ValidationError,
    async_validate_jellyfin,
    async_validate_jellyseerr,
    async_validate_qbittorrent,
    async_validate_radarr,
    async_validate_shoko,
    async_validate_sonarr,
)
from .webhook import WebhookSource, webhook_urls

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
# The ``arr`` step: Jellyseerr, Radarr and Sonarr.
ARR_SCHEMA = _optional_schema(
    {
        key: _SECRET if key == api_key else _URL
        for url, api_key in REGISTRATION_SERVICES.values()
        for key in (url, api_key)
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
# Jellyseerr's, Radarr's and Sonarr's reauth forms.
REAUTH_SCHEMAS: Final = {
    service: vol.Schema({vol.Required(api_key): _SECRET})
    for service, (_, api_key) in REGISTRATION_SERVICES.items()
}


@dataclass(frozen=True, kw_only=True, slots=True)
class Service:
    """One service: how the forms ask for it, check it and store it."""

    name: str  # as the user knows it, in log lines
    url: str  # the key of its URL: an entry uses the service when it holds one
    fields: tuple[str, ...]  # its fields in the set-up form
    stored: tuple[str, ...]  # what of them is stored
    secrets: tuple[str, ...]  # reconfiguring, left empty: the stored value is kept
    validate: Callable[[HomeAssistant, Mapping[str, Any]], Awaitable[object]]
    reauth_step: str
    reauth_schema: vol.Schema
    # A used service must have it (the API keys of the arr step's services);
    # in the arr step, ``invalid_auth`` stands next to it.
    api_key: str | None = None
    # Shoko: the check returns the API key to store, checked or made from the
    # login (username and password) when one is given. A login given means a
    # new key, so the stored one is not kept; reauth never reuses it either.
    checked_key: str | None = None
    login: str | None = None


def _api_key_service(
    service: str,
    name: str,
    validate: Callable[[HomeAssistant, Mapping[str, Any]], Awaitable[None]],
) -> Service:
    url, api_key = REGISTRATION_SERVICES[service]
    return Service(
        name=name,
        url=url,
        fields=(url, api_key),
        stored=(url, api_key),
        secrets=(api_key,),
        validate=validate,
        reauth_step=f"reauth_{service}",
        reauth_schema=REAUTH_SCHEMAS[service],
        api_key=api_key,
    )


JELLYFIN = Service(
    name="Jellyfin",
    url=CONF_JELLYFIN_URL,
    fields=(CONF_JELLYFIN_URL, CONF_JELLYFIN_API_KEY),
    stored=(CONF_JELLYFIN_URL, CONF_JELLYFIN_API_KEY),
    secrets=(CONF_JELLYFIN_API_KEY,),
    validate=async_validate_jellyfin,
    reauth_step="reauth_jellyfin",
    reauth_schema=REAUTH_JELLYFIN_SCHEMA,
)
QBITTORRENT = Service(
    name="qBittorrent",
    url=CONF_QBITTORRENT_URL,
    fields=(CONF_QBITTORRENT_URL, CONF_QBITTORRENT_USERNAME, CONF_QBITTORRENT_PASSWORD),
    stored=(CONF_QBITTORRENT_URL, CONF_QBITTORRENT_USERNAME, CONF_QBITTORRENT_PASSWORD),
    secrets=(CONF_QBITTORRENT_PASSWORD,),
    validate=async_validate_qbittorrent,
    # Home Assistant's default id for a reauth form; public, so it stays.
    reauth_step="reauth_confirm",
    reauth_schema=REAUTH_QBITTORRENT_SCHEMA,
)
SHOKO = Service(
    name="Shoko Server",
    url=CONF_SHOKO_URL,
    fields=(
        CONF_SHOKO_URL,
        CONF_SHOKO_API_KEY,
        CONF_SHOKO_USERNAME,
        CONF_SHOKO_PASSWORD,
    ),
    stored=(CONF_SHOKO_URL, CONF_SHOKO_API_KEY),
    secrets=(CONF_SHOKO_API_KEY,),
    validate=async_validate_shoko,
    reauth_step="reauth_shoko",
    reauth_schema=REAUTH_SHOKO_SCHEMA,
    checked_key=CONF_SHOKO_API_KEY,
    login=CONF_SHOKO_USERNAME,
)
JELLYSEERR = _api_key_service("jellyseerr", "Jellyseerr", async_validate_jellyseerr)
RADARR = _api_key_service("radarr", "Radarr", async_validate_radarr)
SONARR = _api_key_service("sonarr", "Sonarr", async_validate_sonarr)
# By the name a reauth's ``service`` gives.
SERVICES: Final = {
    "jellyfin": JELLYFIN,
    "qbittorrent": QBITTORRENT,
    "shoko": SHOKO,
    "jellyseerr": JELLYSEERR,
    "radarr": RADARR,
    "sonarr": SONARR,
}
# Everything the set-up steps store; reconfiguring replaces all of it.
_CONNECTION_KEYS: Final = frozenset(
    key for service in SERVICES.values() for key in service.stored
)
_URL_KEYS: Final = frozenset(service.url for service in SERVICES.values())


@dataclass(frozen=True, kw_only=True, slots=True)
class Form:
    """A set-up step after Jellyfin's; reconfiguring shows it as ``reconfigure_<id>``."""

    step_id: str
    schema: vol.Schema
    services: tuple[Service, ...]


# The optional steps, in the order they come after Jellyfin's.
FORMS: Final = (
    Form(step_id="qbittorrent", schema=QBITTORRENT_SCHEMA, services=(QBITTORRENT,)),
    Form(step_id="shoko", schema=SHOKO_SCHEMA, services=(SHOKO,)),
    Form(step_id="arr", schema=ARR_SCHEMA, services=(JELLYSEERR, RADARR, SONARR)),
)


def _number(maximum: int, unit: str) -> NumberSelector:
    return NumberSelector(
        NumberSelectorConfig(
            min=1, max=maximum, unit_of_measurement=unit, mode=NumberSelectorMode.BOX
        )
    )


# Each option's selector, in the order the form shows them.
OPTION_SELECTORS: Final[Mapping[str, Any]] = {
    CONF_TRACK_UNREQUESTED: BooleanSelector(),
    CONF_ALLOW_EXTERNAL_WEBHOOKS: BooleanSelector(),
    CONF_QBITTORRENT_INTERVAL: _number(3600, "s"),
    CONF_STALL_MINUTES: _number(10080, "min"),
    CONF_VERIFY_INTERVAL: _number(86400, "s"),
    CONF_STUCK_APPROVED_HOURS: _number(720, "h"),
    CONF_STUCK_INDEXED_HOURS: _number(720, "h"),
    CONF_STUCK_IMPORTING_HOURS: _number(720, "h"),
    CONF_STUCK_ANIME_MATCHING_HOURS: _number(720, "h"),
    CONF_RETENTION_DAYS: _number(3650, "d"),
}


class _UnexpectedError(ValidationError):
    """A check failed in a way no client error names; logged where it is caught."""

    error_key = "unknown"


def _answers(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Keep the answers given, trimmed, URLs without a trailing slash; drop empty ones."""
    answers: dict[str, Any] = {}
    for key, value in user_input.items():
        if isinstance(value, str):
            value = value.strip().rstrip("/") if key in _URL_KEYS else value.strip()
        if value not in (None, ""):
            answers[key] = value
    return answers


def _required_errors(service: Service, given: Mapping[str, Any]) -> dict[str, str]:
    """Name what a used service lacks: its URL, or the API key its form asks for."""
    if service.url not in given:
        return {service.url: "url_required"}
    if service.api_key is not None and service.api_key not in given:
        return {service.api_key: "api_key_required"}
    return {}


def _error_field(form: Form, service: Service, err: ValidationError) -> str:
    """Where a failed check's error stands: in a form of several services, next to the field to correct."""
    if len(form.services) > 1:
        if isinstance(err, InvalidAuth) and service.api_key is not None:
            return service.api_key
        if isinstance(err, CannotConnect):
            return service.url
    return "base"


async def _async_checked[T](name: str, check: Awaitable[T]) -> T:
    """Await a live check; an error no client names is logged, and is ``unknown``."""
    try:
        return await check
    except ValidationError:
        raise
    except Exception as err:
        LOGGER.exception("Unexpected error while checking %s", name)
        raise _UnexpectedError from err


def _shown(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Show an answer again in its form, but for Shoko's password (a login, never stored)."""
    return {
        key: value for key, value in user_input.items() if key != CONF_SHOKO_PASSWORD
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

    # Set-up, and the same steps when reconfiguring.

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for Jellyfin and check it live."""
        return await self._async_jellyfin_step("user", USER_SCHEMA, user_input)

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change Jellyfin's URL or API key; it must stay the same server."""
        return await self._async_jellyfin_step(
            "reconfigure", RECONFIGURE_SCHEMA, user_input
        )

    async def _async_jellyfin_step(
        self, step_id: str, schema: vol.Schema, user_input: dict[str, Any] | None
    ) -> ConfigFlowResult:
        """Check Jellyfin live; its server id is the entry's unique id."""
        errors: dict[str, str] = {}
        if user_input is not None:
            settings = self._with_stored_secrets(JELLYFIN, _answers(user_input))
            try:
                server = await _async_checked(
                    JELLYFIN.name, async_validate_jellyfin(self.hass, settings)
                )
            except ValidationError as err:
                errors["base"] = err.error_key
            else:
                await self._async_claim(server)
                self._data = settings
                return await self._async_form_step(FORMS[0])
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(
                schema, self._suggested(user_input)
            ),
            errors=errors,
        )

    async def _async_claim(self, server: JellyfinServerInfo) -> None:
        """Key the entry by the server; reconfiguring must reach the same one."""
        if self.source == SOURCE_RECONFIGURE:
            await self.async_set_unique_id(server.server_id, raise_on_progress=False)
            self._abort_if_unique_id_mismatch()
        else:
            await self.async_set_unique_id(server.server_id)
            self._abort_if_unique_id_configured()
            self._title = server.name

    async def _async_form_step(
        self, form: Form, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the form's services, check each one filled in, then go on."""
        errors: dict[str, str] = {}
        if user_input is not None:
            answers = _answers(user_input)
            settings: dict[str, Any] = {}
            for service in form.services:
                given = {key: answers[key] for key in service.fields if key in answers}
                if not given:
                    continue  # left empty: not used
                given = self._with_stored_secrets(service, given)
                if missing := _required_errors(service, given):
                    errors |= missing
                    continue
                try:
                    settings |= await self._async_settings(service, given)
                except ValidationError as err:
                    errors[_error_field(form, service, err)] = err.error_key
            if not errors:
                self._data |= settings
                return await self._async_next(form)
        return self.async_show_form(
            step_id=self._step_id(form.step_id),
            data_schema=self.add_suggested_values_to_schema(
                form.schema, self._suggested(user_input)
            ),
            errors=errors,
        )

    async def _async_next(self, form: Form) -> ConfigFlowResult:
        if form is not FORMS[-1]:
            return await self._async_form_step(FORMS[FORMS.index(form) + 1])
        return await self._async_finish()

    async_step_qbittorrent = partialmethod(_async_form_step, FORMS[0])
    async_step_shoko = partialmethod(_async_form_step, FORMS[1])
    async_step_arr = partialmethod(_async_form_step, FORMS[2])
    # Reconfiguring shows the same forms under ids of their own.
    async_step_reconfigure_qbittorrent = async_step_qbittorrent
    async_step_reconfigure_shoko = async_step_shoko
    async_step_reconfigure_arr = async_step_arr

    async def _async_finish(self) -> ConfigFlowResult:
        """Create the entry, or update the reconfigured one keeping its webhooks."""
        if self.source == SOURCE_RECONFIGURE:
            entry = self._get_reconfigure_entry()
            kept = {k: v for k, v in entry.data.items() if k not in _CONNECTION_KEYS}
            await async_unregister_replaced(self.hass, entry, self._data)
            return self.async_update_reload_and_abort(entry, data=kept | self._data)
        webhook_ids = {
            source.value: webhook.async_generate_id() for source in WebhookSource
        }
        self._data[CONF_WEBHOOK_IDS] = webhook_ids
        return self.async_create_entry(
            title=self._title,
            data=self._data,
            description_placeholders=webhook_urls(self.hass, webhook_ids),
        )

    def _step_id(self, step_id: str) -> str:
        """Reconfiguring shows the set-up steps under their own ids."""
        if self.source == SOURCE_RECONFIGURE:
            return f"reconfigure_{step_id}"
        return step_id

    def _stored_entry(self) -> ConfigEntry | None:
        """Return the entry reconfigured or re-authenticated; None while setting up."""
        if self.source == SOURCE_RECONFIGURE:
            return self._get_reconfigure_entry()
        if self.source == SOURCE_REAUTH:
            return self._get_reauth_entry()
        return None

    def _suggested(self, user_input: Mapping[str, Any] | None) -> Mapping[str, Any]:
        """Fill a form with the answer being corrected, or with what is stored."""
        if user_input is not None:
            return _shown(user_input)
        if (entry := self._stored_entry()) is not None:
            return {k: v for k, v in entry.data.items() if k not in SECRET_KEYS}
        return {}

    def _with_stored_secrets(
        self, service: Service, given: dict[str, Any]
    ) -> dict[str, Any]:
        """While reconfiguring, a secret left empty keeps the stored one."""
        if self.source != SOURCE_RECONFIGURE or service.login in given:
            return given
        stored = self._get_reconfigure_entry().data
        return {key: stored[key] for key in service.secrets if key in stored} | given

    async def _async_settings(
        self, service: Service, given: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Check a service live; return what of it to store."""
        checked = await _async_checked(service.name, service.validate(self.hass, given))
        settings = {key: given[key] for key in service.stored if key in given}
        if service.checked_key is not None:
            settings[service.checked_key] = checked
        return settings

    # Re-authentication.

    async def async_step_reauth(
        self, entry_data: Mapping[str, Any]
    ) -> ConfigFlowResult:
        """Ask for the credential of the service that refused it.

        ``entry_data`` is the entry's data plus what the caller passed to
        ``entry.async_start_reauth(hass, data={"service": <service>})``.
        """
        service = SERVICES.get(entry_data.get(REAUTH_SERVICE) or "")
        if service is None or not entry_data.get(service.url):
            service = await self._async_refusing_service(entry_data)
            if service is None:
                return self.async_abort(reason="reauth_not_needed")
        return await self._async_reauth_step(service)

    async def _async_refusing_service(self, data: Mapping[str, Any]) -> Service | None:
        """Find which of the polled services refuses the stored credentials now."""
        for service in (JELLYFIN, QBITTORRENT):
            if not data.get(service.url):
                continue
            try:
                await _async_checked(service.name, service.validate(self.hass, data))
            except InvalidAuth:
                return service
            except ValidationError:
                pass  # not a refusal: a new credential would not help
        return None

    async def _async_reauth_step(
        self, service: Service, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the service's credential again, check it and store it."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            # What is stored, but the key that was refused when the check makes one.
            stored = {
                key: entry.data[key]
                for key in service.stored
                if key in entry.data and key != service.checked_key
            }
            try:
                settings = await self._async_settings(
                    service, stored | _answers(user_input)
                )
            except ValidationError as err:
                errors["base"] = err.error_key
            else:
                return self.async_update_reload_and_abort(entry, data_updates=settings)
        return self.async_show_form(
            step_id=service.reauth_step,
            data_schema=self.add_suggested_values_to_schema(
                service.reauth_schema, self._suggested(user_input)
            ),
            description_placeholders={"url": safe_url(entry.data[service.url])},
            errors=errors,
        )

    async_step_reauth_jellyfin = partialmethod(_async_reauth_step, JELLYFIN)
    async_step_reauth_confirm = partialmethod(_async_reauth_step, QBITTORRENT)
    async_step_reauth_shoko = partialmethod(_async_reauth_step, SHOKO)
    async_step_reauth_jellyseerr = partialmethod(_async_reauth_step, JELLYSEERR)
    async_step_reauth_radarr = partialmethod(_async_reauth_step, RADARR)
    async_step_reauth_sonarr = partialmethod(_async_reauth_step, SONARR)


class MediaRequestTrackerOptionsFlow(ReloadingOptionsFlow):
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
                vol.Required(
                    key, default=options.get(key, OPTION_DEFAULTS[key])
                ): selector
                for key, selector in OPTION_SELECTORS.items()
            }
        )
        return self.async_show_form(
            step_id="init",
            data_schema=schema,
            description_placeholders=webhook_urls(
                self.hass, self.config_entry.data[CONF_WEBHOOK_IDS]
            ),
        )
