"""Subentry flows that add and reconfigure a Radarr or Sonarr instance.

An instance is checked live as the set-up's ``arr`` step checks it (the URL
must answer as that app, with the key), and one whose URL another instance
already has is refused. Saving either adds or changes the subentry, and the
entry reloads (its update listener) to register the instance's webhook in it.
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
from homeassistant.helpers.selector import (
    BooleanSelector,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import voluptuous as vol

from .clients.http import safe_url
from .const import CONF_WEBHOOK_IDS
from .core.model import Source
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
# An API key left empty keeps the stored one.
RECONFIGURE_SCHEMA = _schema(key_required=False)


class _ArrInstanceFlow(ConfigSubentryFlow):
    """Add or reconfigure one instance of the app ``source``."""

    source_app: ClassVar[Source]

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Ask for a new instance and check it live."""
        errors: dict[str, str] = {}
        if user_input is not None:
            answers = _answers(user_input)
            if (error := await self._async_check(answers)) is not None:
                errors["base"] = error
            elif self._taken(answers[CONF_URL], None):
                return self.async_abort(reason="already_configured")
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
                ADD_SCHEMA, _without_key(user_input or {})
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
