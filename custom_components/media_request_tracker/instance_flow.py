"""Subentry flows that add and reconfigure a Radarr or Sonarr instance.

An instance is checked live as the set-up's ``arr`` step checks it (the URL
must answer as that app, with the key), and one whose URL another instance
already has is refused. Saving either adds or changes the subentry, and the
entry reloads (its update listener) to register the instance's webhook in it.

When the entry has Jellyseerr's API key, a new instance's 4K flag (and an
empty name) is suggested from Jellyseerr's own server settings: the form
comes back once with the suggestion filled in, for the user to confirm or
change, and the key already entered is kept. Without an answer from
Jellyseerr there is no suggestion, and nothing else changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from homeassistant.components import webhook
from homeassistant.config_entries import (
    ConfigSubentryData,
    ConfigSubentryFlow,
    SubentryFlowResult,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    BooleanSelector,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import voluptuous as vol

from .clients.http import ServiceError, safe_url
from .clients.jellyseerr import JellyseerrClient
from .const import (
    CONF_JELLYSEERR_API_KEY,
    CONF_JELLYSEERR_URL,
    CONF_WEBHOOK_IDS,
    LOGGER,
)
from .core.model import Source
from .core.parsers.jellyseerr_servers import server_at
from .forms import SERVICES
from .instances import (
    CONF_API_KEY,
    CONF_IS_4K,
    CONF_NAME,
    CONF_URL,
    CONF_WEBHOOK_ID,
    instance_subentry,
    instance_unique_id,
    unclaimed_apps,
)
from .validation import ValidationError, async_checked


def _schema(*, key_required: bool) -> vol.Schema:
    return vol.Schema(
        {
            vol.Required(CONF_URL): TextSelector(
                TextSelectorConfig(type=TextSelectorType.URL)
            ),
            (vol.Required if key_required else vol.Optional)(
                CONF_API_KEY
            ): TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD)),
            vol.Optional(CONF_NAME): TextSelector(),
            vol.Optional(CONF_IS_4K, default=False): BooleanSelector(),
        }
    )


ADD_SCHEMA = _schema(key_required=True)
# An API key left empty keeps the stored one (or, adding, the one just entered).
RECONFIGURE_SCHEMA = _schema(key_required=False)


class _ArrInstanceFlow(ConfigSubentryFlow):
    """Add or reconfigure one instance of the app ``source``."""

    source_app: ClassVar[Source]
    # The key checked before Jellyseerr's suggestion, and the URL suggested for.
    _entered_key: str | None = None
    _suggested_for: str | None = None

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Ask for a new instance, check it live, and offer Jellyseerr's view of it once."""
        errors: dict[str, str] = {}
        if user_input is not None:
            answers = _answers(user_input)
            if self._entered_key is not None:
                answers.setdefault(CONF_API_KEY, self._entered_key)
            if (error := await self._async_check(answers)) is not None:
                errors["base"] = error
            elif self._taken(answers[CONF_URL], None):
                return self.async_abort(reason="already_configured")
            elif (suggested := await self._async_suggest(answers)) is not None:
                self._entered_key = answers[CONF_API_KEY]
                user_input = suggested
            else:
                described = self._described(answers, self._new_webhook_id())
                return self.async_create_entry(
                    title=described["title"],
                    data=described["data"],
                    unique_id=described["unique_id"],
                )
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                ADD_SCHEMA if self._entered_key is None else RECONFIGURE_SCHEMA,
                _without_key(user_input or {}),
            ),
            description_placeholders={"app": self.source_app.title()},
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Change an instance's URL, key, name or 4K flag; its webhook stays."""
        entry = self._get_entry()
        subentry = self._get_reconfigure_subentry()
        errors: dict[str, str] = {}
        if user_input is not None:
            answers = _answers(user_input)
            answers.setdefault(CONF_API_KEY, subentry.data[CONF_API_KEY])
            if (error := await self._async_check(answers)) is not None:
                errors["base"] = error
            elif self._taken(answers[CONF_URL], subentry.subentry_id):
                return self.async_abort(reason="already_configured")
            else:
                described = self._described(answers, subentry.data[CONF_WEBHOOK_ID])
                return self.async_update_and_abort(
                    entry,
                    subentry,
                    title=described["title"],
                    data=described["data"],
                    unique_id=described["unique_id"],
                )
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                RECONFIGURE_SCHEMA,
                # The title, which Home Assistant lets the user rename by itself.
                _without_key(user_input or subentry.data | {CONF_NAME: subentry.title}),
            ),
            description_placeholders={
                "app": self.source_app.title(),
                "url": safe_url(subentry.data[CONF_URL]),
            },
            errors=errors,
        )

    async def _async_check(self, answers: Mapping[str, Any]) -> str | None:
        """Check the instance live; return the form's error, or None."""
        if CONF_URL not in answers:
            return "url_required"
        if CONF_API_KEY not in answers:
            return "api_key_required"
        try:
            await async_checked(
                self.source_app.title(),
                SERVICES[self.source_app.value].check(
                    self.hass, answers[CONF_URL], answers[CONF_API_KEY]
                ),
            )
        except ValidationError as err:
            return err.error_key
        return None

    def _described(
        self, answers: Mapping[str, Any], webhook_id: str
    ) -> ConfigSubentryData:
        return instance_subentry(
            self.source_app,
            url=answers[CONF_URL],
            api_key=answers[CONF_API_KEY],
            webhook_id=webhook_id,
            name=answers.get(CONF_NAME),
            is_4k=answers[CONF_IS_4K],
        )

    def _new_webhook_id(self) -> str:
        """Give the entry's webhook for the app while no instance has it, else a new one.

        So a connection the user pasted in the app by hand becomes this
        instance's, rather than a second one that sends everything twice.
        """
        entry = self._get_entry()
        if self.source_app in unclaimed_apps(entry):
            webhook_id: str = entry.data[CONF_WEBHOOK_IDS][self.source_app.value]
            return webhook_id
        return webhook.async_generate_id()

    async def _async_suggest(self, answers: Mapping[str, Any]) -> dict[str, Any] | None:
        """Apply Jellyseerr's suggestion to the answers, once per URL; None when it changes nothing."""
        url = answers[CONF_URL]
        if self._suggested_for == url:
            return None
        self._suggested_for = url
        server = await _async_seerr_server(
            self.hass, self._get_entry().data, self.source_app, url
        )
        if server is None:
            return None
        is_4k, name = server
        suggested = dict(answers)
        suggested[CONF_IS_4K] = is_4k
        if name and CONF_NAME not in answers:
            suggested[CONF_NAME] = name
        return suggested if suggested != answers else None

    def _taken(self, url: str, subentry_id: str | None) -> bool:
        """Whether another instance of the entry already has this URL."""
        return any(
            subentry.unique_id == instance_unique_id(self.source_app, url)
            for subentry in self._get_entry().subentries.values()
            if subentry.subentry_id != subentry_id
        )


class RadarrInstanceFlow(_ArrInstanceFlow):
    """Add or reconfigure a Radarr."""

    source_app = Source.RADARR


class SonarrInstanceFlow(_ArrInstanceFlow):
    """Add or reconfigure a Sonarr."""

    source_app = Source.SONARR


async def _async_seerr_server(
    hass: HomeAssistant, data: Mapping[str, Any], app: Source, url: str
) -> tuple[bool, str | None] | None:
    """Whether Jellyseerr sends 4K requests to the server at ``url``, and its name there.

    ``(False, None)`` when Jellyseerr does not know the URL; None when the
    entry has no Jellyseerr key or Jellyseerr gives no answer (down,
    refusing the key, a body we cannot read).
    """
    seerr_url, seerr_key = (
        data.get(CONF_JELLYSEERR_URL),
        data.get(CONF_JELLYSEERR_API_KEY),
    )
    if not (seerr_url and seerr_key):
        return None
    client = JellyseerrClient(async_get_clientsession(hass), seerr_url, seerr_key)
    try:
        servers = await client.async_get_servers(
            "radarr" if app is Source.RADARR else "sonarr"
        )
    except ServiceError as err:
        # The client's messages hold no key and no URL path or query.
        LOGGER.debug("No suggestion from Jellyseerr for a new %s: %s", app.title(), err)
        return None
    server = server_at(servers, url)
    return (False, None) if server is None else (server.is_4k, server.name)


def _answers(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Trim the answers, the URL without a trailing slash; drop empty texts."""
    answers: dict[str, Any] = {CONF_IS_4K: bool(user_input.get(CONF_IS_4K, False))}
    for key in (CONF_URL, CONF_API_KEY, CONF_NAME):
        value = str(user_input.get(key) or "").strip()
        if key == CONF_URL:
            value = value.rstrip("/")
        if value:
            answers[key] = value
    return answers


def _without_key(values: Mapping[str, Any]) -> dict[str, Any]:
    """Fill a form again, never with the API key or the webhook id."""
    return {
        key: value
        for key, value in values.items()
        if key not in (CONF_API_KEY, CONF_WEBHOOK_ID)
    }
