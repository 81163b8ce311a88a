"""Config, reauth, reconfigure and options flows.

The steps and keys are public: ``user`` (Jellyfin), then ``qbittorrent``,
``shoko`` and ``arr`` (Jellyseerr, Radarr and Sonarr). A service left empty is
skipped; one filled in is checked live (``validation``). One table of services
(``forms``) says each one's fields, check, and what is stored; set-up,
reconfigure and reauth all read it.

Reauth asks again for the credential a service refused. Code that sees a
refusal names the service (a key of ``forms.SERVICES``)::

    entry.async_start_reauth(hass, data={"service": "radarr"})

and the flow opens that service's form, checks the new credential, stores it
and reloads the entry. Home Assistant runs one reauth flow per entry at a
time. A reauth without a service (a coordinator raising
``ConfigEntryAuthFailed``: the Jellyfin verifier or the qBittorrent poller)
asks Jellyfin, then qBittorrent, which one refuses now, and aborts with
``reauth_not_needed`` when neither does.

Reconfiguring walks the set-up steps with what is stored filled in, secrets
left out: an empty secret keeps the stored one, and a service left empty is no
longer used. The Jellyfin URL must still lead to the same server. Webhook ids
never change.

Radarr and Sonarr are instance subentries (``instances``): the ``arr`` step
makes one of each, more are added, reconfigured and removed with the subentry
flows of ``instance_flow``, and reconfiguring the entry leaves them alone. A
refused instance key is asked for by the same reauth forms, naming the
instance: ``data={"service": "radarr", "instance": <subentry id>}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partialmethod
from typing import Any

from homeassistant.components import webhook
from homeassistant.config_entries import (
    SOURCE_REAUTH,
    SOURCE_RECONFIGURE,
    ConfigEntry,
    ConfigEntryState,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentryFlow,
)
from homeassistant.core import callback
import voluptuous as vol

from .clients.http import safe_url
from .clients.jellyfin import JellyfinServerInfo
from .const import (
    CONF_JELLYFIN_API_KEY,
    CONF_JELLYFIN_URL,
    CONF_WEBHOOK_IDS,
    DOMAIN,
    REAUTH_INSTANCE,
    REAUTH_SERVICE,
    REGISTRATION_SERVICES,
    SECRET_KEYS,
)
from .core.model import Source
from .forms import (
    CONNECTION_KEYS,
    FORMS,
    JELLYFIN,
    JELLYSEERR,
    LOGIN_SECRETS,
    QBITTORRENT,
    RADARR,
    RECONFIGURE_FORMS,
    RECONFIGURE_SCHEMA,
    SERVICES,
    SHOKO,
    SONARR,
    URL_KEYS,
    USER_SCHEMA,
    Form,
    Service,
)
from .instance_flow import RadarrInstanceFlow, SonarrInstanceFlow
from .instances import (
    CONF_API_KEY,
    INSTANCE_APPS,
    ArrInstance,
    arr_instances,
    instance_subentry,
)
from .migration import MINOR_VERSION, VERSION
from .options_flow import MediaRequestTrackerOptionsFlow
from .registration import async_unregister_replaced
from .validation import (
    InvalidAuth,
    ValidationError,
    async_checked,
    async_validate_jellyfin,
)
from .webhook import WEBHOOK_SOURCES, webhook_urls


def _answers(user_input: Mapping[str, str]) -> dict[str, str]:
    """Keep the answers given, trimmed, URLs without a trailing slash; drop empty ones."""
    trimmed = {
        key: value.strip().rstrip("/") if key in URL_KEYS else value.strip()
        for key, value in user_input.items()
    }
    return {key: value for key, value in trimmed.items() if value}


class MediaRequestTrackerConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up one media stack, keyed by its Jellyfin server."""

    VERSION = VERSION
    MINOR_VERSION = MINOR_VERSION

    def __init__(self) -> None:
        """Collect the steps' answers."""
        self._data: dict[str, Any] = {}
        self._title = "Jellyfin"
        # The instance whose key a reauth asks for.
        self._instance: ArrInstance | None = None

    @classmethod
    @callback
    def async_get_supported_subentry_types(
        cls, config_entry: ConfigEntry
    ) -> dict[str, type[ConfigSubentryFlow]]:
        """Radarr and Sonarr instances are added as subentries."""
        return {
            Source.RADARR.value: RadarrInstanceFlow,
            Source.SONARR.value: SonarrInstanceFlow,
        }

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
                server = await async_checked(
                    JELLYFIN.name,
                    async_validate_jellyfin(
                        self.hass,
                        settings[CONF_JELLYFIN_URL],
                        settings[CONF_JELLYFIN_API_KEY],
                    ),
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
                if missing := service.missing(given):
                    errors |= missing
                    continue
                try:
                    settings |= await self._async_settings(service, given)
                except ValidationError as err:
                    errors[form.error_field(service, err)] = err.error_key
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
        forms = RECONFIGURE_FORMS if self.source == SOURCE_RECONFIGURE else FORMS
        if form is not forms[-1]:
            return await self._async_form_step(forms[forms.index(form) + 1])
        return await self._async_finish()

    async_step_qbittorrent = partialmethod(_async_form_step, FORMS[0])
    async_step_shoko = partialmethod(_async_form_step, FORMS[1])
    async_step_arr = partialmethod(_async_form_step, FORMS[2])
    # Reconfiguring shows the same forms under ids of their own; its last asks
    # for Jellyseerr alone, as the instances are reconfigured one by one.
    async_step_reconfigure_qbittorrent = async_step_qbittorrent
    async_step_reconfigure_shoko = async_step_shoko
    async_step_reconfigure_arr = partialmethod(_async_form_step, RECONFIGURE_FORMS[2])

    async def _async_finish(self) -> ConfigFlowResult:
        """Create the entry, or update the reconfigured one keeping its webhooks."""
        if self.source == SOURCE_RECONFIGURE:
            entry = self._get_reconfigure_entry()
            kept = {k: v for k, v in entry.data.items() if k not in CONNECTION_KEYS}
            await async_unregister_replaced(self.hass, entry, self._data)
            return self._async_store_and_abort(
                entry, kept | self._data, "reconfigure_successful"
            )
        webhook_ids = {
            source.value: webhook.async_generate_id() for source in WEBHOOK_SOURCES
        }
        self._data[CONF_WEBHOOK_IDS] = webhook_ids
        # The Radarr and Sonarr given become instances sharing the entry's webhook.
        subentries = [
            instance_subentry(
                source,
                url=self._data.pop(url_key),
                api_key=self._data.pop(key_key),
                webhook_id=webhook_ids[source.value],
            )
            for source in INSTANCE_APPS
            for url_key, key_key in (REGISTRATION_SERVICES[source.value],)
            if url_key in self._data
        ]
        return self.async_create_entry(
            title=self._title,
            data=self._data,
            description_placeholders=webhook_urls(self.hass, webhook_ids),
            subentries=subentries,
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
            return {k: v for k, v in user_input.items() if k not in LOGIN_SECRETS}
        if (entry := self._stored_entry()) is not None:
            return {k: v for k, v in entry.data.items() if k not in SECRET_KEYS}
        return {}

    def _with_stored_secrets(
        self, service: Service, given: dict[str, Any]
    ) -> dict[str, Any]:
        """While reconfiguring, a secret left empty keeps the stored one."""
        if self.source != SOURCE_RECONFIGURE or service.has_login(given):
            return given
        stored = self._get_reconfigure_entry().data
        return {key: stored[key] for key in service.secrets if key in stored} | given

    async def _async_settings(
        self, service: Service, given: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Check a service live; return what of it to store."""
        checked = await async_checked(service.name, service.validate(self.hass, given))
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
        if (instance := self._reauth_instance(entry_data)) is not None:
            self._instance = instance
            return await self._async_reauth_step(SERVICES[instance.source.value])
        if entry_data.get(REAUTH_INSTANCE):
            return self.async_abort(reason="instance_removed")
        service = SERVICES.get(entry_data.get(REAUTH_SERVICE) or "")
        if service is None or not entry_data.get(service.url):
            service = await self._async_refusing_service(entry_data)
            if service is None:
                return self.async_abort(reason="reauth_not_needed")
        return await self._async_reauth_step(service)

    def _reauth_instance(self, data: Mapping[str, Any]) -> ArrInstance | None:
        """Find the instance a reauth names; by its app alone, the app's first.

        An instance named but gone is none: its key must never go to another.
        """
        instances = arr_instances(self._get_reauth_entry())
        if instance_id := data.get(REAUTH_INSTANCE):
            return next((i for i in instances if i.instance_id == instance_id), None)
        app = data.get(REAUTH_SERVICE)
        return next((i for i in instances if i.source.value == app), None)

    async def _async_refusing_service(self, data: Mapping[str, Any]) -> Service | None:
        """Find which of the polled services refuses the stored credentials now."""
        for service in (JELLYFIN, QBITTORRENT):
            if data.get(service.url) and await self._async_refuses(service, data):
                return service
        return None

    async def _async_refuses(self, service: Service, data: Mapping[str, Any]) -> bool:
        try:
            await async_checked(service.name, service.validate(self.hass, data))
        except ValidationError as err:
            # Only a refusal: for anything else a new credential would not help.
            return isinstance(err, InvalidAuth)
        return False

    async def _async_reauth_step(
        self, service: Service, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the service's credential again, check it and store it."""
        entry = self._get_reauth_entry()
        stored = self._reauth_stored(entry, service)
        errors: dict[str, str] = {}
        if user_input is not None:
            # What is stored, but the key that was refused when the check makes one.
            kept = {
                key: stored[key]
                for key in service.stored
                if key in stored and key != service.checked_key
            }
            try:
                settings = await self._async_settings(
                    service, kept | _answers(user_input)
                )
            except ValidationError as err:
                errors["base"] = err.error_key
            else:
                return self._async_store_reauth(entry, service, settings)
        return self.async_show_form(
            step_id=service.reauth_step,
            data_schema=self.add_suggested_values_to_schema(
                service.reauth_schema, self._suggested(user_input)
            ),
            description_placeholders={
                "url": safe_url(stored[service.url]),
                "name": self._instance.name if self._instance else service.name,
            },
            errors=errors,
        )

    def _reauth_stored(self, entry: ConfigEntry, service: Service) -> Mapping[str, Any]:
        """Return what is stored of the service, keyed as its form is (an instance: its own)."""
        if (instance := self._instance) is None:
            return entry.data
        assert service.api_key is not None  # Radarr and Sonarr have one
        return {service.url: instance.url, service.api_key: instance.api_key}

    def _async_store_reauth(
        self, entry: ConfigEntry, service: Service, settings: Mapping[str, Any]
    ) -> ConfigFlowResult:
        if (instance := self._instance) is None:
            return self._async_store_and_abort(
                entry, entry.data | settings, "reauth_successful"
            )
        assert service.api_key is not None
        if (subentry := entry.subentries.get(instance.instance_id)) is None:
            return self.async_abort(reason="instance_removed")
        listened = entry.state is ConfigEntryState.LOADED
        updated = self.hass.config_entries.async_update_subentry(
            entry,
            subentry,
            data=subentry.data | {CONF_API_KEY: settings[service.api_key]},
        )
        self._async_reload_unless_listened(entry, listened=listened and updated)
        return self.async_abort(reason="reauth_successful")

    def _async_store_and_abort(
        self, entry: ConfigEntry, data: Mapping[str, Any], reason: str
    ) -> ConfigFlowResult:
        """Store the entry's new data; its update listener reloads it once."""
        listened = entry.state is ConfigEntryState.LOADED
        updated = self.hass.config_entries.async_update_entry(entry, data=data)
        self._async_reload_unless_listened(entry, listened=listened and updated)
        return self.async_abort(reason=reason)

    def _async_reload_unless_listened(
        self, entry: ConfigEntry, *, listened: bool
    ) -> None:
        """Reload where the update listener did not: nothing changed, or not loaded.

        What the user confirmed is then tried again (a refused key, a
        service that was down).
        """
        if not listened:
            self.hass.config_entries.async_schedule_reload(entry.entry_id)

    async_step_reauth_jellyfin = partialmethod(_async_reauth_step, JELLYFIN)
    async_step_reauth_confirm = partialmethod(_async_reauth_step, QBITTORRENT)
    async_step_reauth_shoko = partialmethod(_async_reauth_step, SHOKO)
    async_step_reauth_jellyseerr = partialmethod(_async_reauth_step, JELLYSEERR)
    async_step_reauth_radarr = partialmethod(_async_reauth_step, RADARR)
    async_step_reauth_sonarr = partialmethod(_async_reauth_step, SONARR)
