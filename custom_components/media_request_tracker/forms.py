"""What the config flow's forms ask for: one table of services and the steps they make.

Each service has its fields, its live check (``validation``) and the rules for
what is stored; set-up, reconfigure and reauth all read them here, so each
rule is written once. The schemas' names and step ids are public (the
translations and the tests use them).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any, Final

from homeassistant.core import HomeAssistant
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

from .const import (
    CONF_JELLYFIN_API_KEY,
    CONF_JELLYFIN_URL,
    CONF_QBITTORRENT_PASSWORD,
    CONF_QBITTORRENT_URL,
    CONF_QBITTORRENT_USERNAME,
    CONF_SHOKO_API_KEY,
    CONF_SHOKO_PASSWORD,
    CONF_SHOKO_URL,
    CONF_SHOKO_USERNAME,
    OPTIONS,
    REGISTRATION_SERVICES,
    SECRET_KEYS,
    Option,
)
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

_URL = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))
_TEXT = TextSelector()
_SECRET = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))

# A ``validation.async_validate_<service>``: it takes Home Assistant and the
# service's fields, in the form's order.
type Check = Callable[..., Awaitable[object]]


def _schema(
    fields: Mapping[str, TextSelector], required: Collection[str] = ()
) -> vol.Schema:
    return vol.Schema(
        {
            (vol.Required if key in required else vol.Optional)(key): selector
            for key, selector in fields.items()
        }
    )


@dataclass(frozen=True, kw_only=True, slots=True)
class Service:
    """One service: its fields, its live check, and what of it is stored."""

    name: str  # as the user knows it, in log lines
    url: str  # the key of its URL: an entry uses the service when it holds one
    fields: Mapping[str, TextSelector]  # its fields in the set-up form
    check: Check
    reauth_step: str
    # The API key it cannot do without: required in its reauth form, and in
    # the arr step ``invalid_auth`` stands next to it.
    api_key: str | None = None
    # Shoko's username and password: a login that the check trades for a new
    # API key, never stored. With its username given the stored key is not kept.
    login: tuple[str, ...] = ()
    # The setting the check returns (Shoko's API key, checked or made).
    checked_key: str | None = None

    @property
    def stored(self) -> tuple[str, ...]:
        """Name the settings an entry keeps of this service."""
        return tuple(key for key in self.fields if key not in self.login)

    @property
    def secrets(self) -> tuple[str, ...]:
        """Name the stored secrets: reconfiguring keeps one left empty."""
        return tuple(key for key in self.stored if key in SECRET_KEYS)

    @property
    def reauth_schema(self) -> vol.Schema:
        """Ask for every field but the URL, which reauth keeps."""
        fields = {key: sel for key, sel in self.fields.items() if key != self.url}
        return _schema(fields, required=(self.api_key,) if self.api_key else ())

    def validate(
        self, hass: HomeAssistant, settings: Mapping[str, Any]
    ) -> Awaitable[object]:
        """Check the settings live (None for a field left empty)."""
        return self.check(hass, *(settings.get(key) for key in self.fields))

    def has_login(self, given: Mapping[str, Any]) -> bool:
        """Say whether the answers hold a login: its username (a password alone is none)."""
        return bool(self.login) and self.login[0] in given

    def missing(self, given: Mapping[str, Any]) -> dict[str, str]:
        """Name what the answers of a used service lack: its URL, or its API key."""
        if self.url not in given:
            return {self.url: "url_required"}
        if self.api_key is not None and self.api_key not in given:
            return {self.api_key: "api_key_required"}
        return {}


def _api_key_service(service: str, name: str, check: Check) -> Service:
    url, api_key = REGISTRATION_SERVICES[service]
    return Service(
        name=name,
        url=url,
        fields={url: _URL, api_key: _SECRET},
        check=check,
        reauth_step=f"reauth_{service}",
        api_key=api_key,
    )


JELLYFIN = Service(
    name="Jellyfin",
    url=CONF_JELLYFIN_URL,
    fields={CONF_JELLYFIN_URL: _URL, CONF_JELLYFIN_API_KEY: _SECRET},
    check=async_validate_jellyfin,
    reauth_step="reauth_jellyfin",
    api_key=CONF_JELLYFIN_API_KEY,
)
QBITTORRENT = Service(
    name="qBittorrent",
    url=CONF_QBITTORRENT_URL,
    fields={
        CONF_QBITTORRENT_URL: _URL,
        CONF_QBITTORRENT_USERNAME: _TEXT,
        CONF_QBITTORRENT_PASSWORD: _SECRET,
    },
    check=async_validate_qbittorrent,
    # Home Assistant's default id for a reauth form; public, so it stays.
    reauth_step="reauth_confirm",
)
SHOKO = Service(
    name="Shoko Server",
    url=CONF_SHOKO_URL,
    fields={
        CONF_SHOKO_URL: _URL,
        CONF_SHOKO_API_KEY: _SECRET,
        CONF_SHOKO_USERNAME: _TEXT,
        CONF_SHOKO_PASSWORD: _SECRET,
    },
    check=async_validate_shoko,
    reauth_step="reauth_shoko",
    login=(CONF_SHOKO_USERNAME, CONF_SHOKO_PASSWORD),
    checked_key=CONF_SHOKO_API_KEY,
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
CONNECTION_KEYS: Final = frozenset(
    key for service in SERVICES.values() for key in service.stored
)
URL_KEYS: Final = frozenset(service.url for service in SERVICES.values())
# Secrets typed only to make a key, never shown again in a form.
LOGIN_SECRETS: Final = frozenset(
    key for service in SERVICES.values() for key in service.login if key in SECRET_KEYS
)


@dataclass(frozen=True, slots=True)
class Form:
    """A set-up step after Jellyfin's; reconfiguring shows it as ``reconfigure_<id>``."""

    step_id: str
    services: tuple[Service, ...]

    @property
    def schema(self) -> vol.Schema:
        """Ask for every field of its services, each optional."""
        return _schema({k: v for s in self.services for k, v in s.fields.items()})

    def error_field(self, service: Service, err: ValidationError) -> str:
        """Place a failed check's error: by the field to fix where several services share the form."""
        if len(self.services) > 1:
            if isinstance(err, InvalidAuth) and service.api_key is not None:
                return service.api_key
            if isinstance(err, CannotConnect):
                return service.url
        return "base"


# The optional steps, in the order they come after Jellyfin's.
FORMS: Final = (
    Form("qbittorrent", (QBITTORRENT,)),
    Form("shoko", (SHOKO,)),
    Form("arr", (JELLYSEERR, RADARR, SONARR)),
)
# Reconfiguring leaves Radarr and Sonarr to their instances' own flows.
RECONFIGURE_FORMS: Final = (*FORMS[:2], Form("arr", (JELLYSEERR,)))
USER_SCHEMA: Final = _schema(JELLYFIN.fields, required=JELLYFIN.fields)
RECONFIGURE_SCHEMA: Final = _schema(JELLYFIN.fields, required=(JELLYFIN.url,))
QBITTORRENT_SCHEMA, SHOKO_SCHEMA, ARR_SCHEMA = (form.schema for form in FORMS)
REAUTH_JELLYFIN_SCHEMA: Final = JELLYFIN.reauth_schema
REAUTH_QBITTORRENT_SCHEMA: Final = QBITTORRENT.reauth_schema
REAUTH_SHOKO_SCHEMA: Final = SHOKO.reauth_schema
REAUTH_SCHEMAS: Final = {
    service: SERVICES[service].reauth_schema for service in REGISTRATION_SERVICES
}


def options_schema(options: Mapping[str, Any]) -> vol.Schema:
    """Ask for every option, filled in with the saved value or its default."""
    return vol.Schema(
        {
            vol.Required(key, default=options.get(key, option.default)): _selector(
                option
            )
            for key, option in OPTIONS.items()
        }
    )


def _selector(option: Option) -> BooleanSelector | NumberSelector:
    if option.maximum is None:
        return BooleanSelector()
    return NumberSelector(
        NumberSelectorConfig(
            min=1,
            max=option.maximum,
            unit_of_measurement=option.unit,
            mode=NumberSelectorMode.BOX,
        )
    )
