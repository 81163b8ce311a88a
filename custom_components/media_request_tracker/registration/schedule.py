"""When our webhooks are registered and removed, and what a failure leads to.

Registration never blocks or fails set-up. It starts once Home Assistant has
started (the apps test our URL before they save, so the HTTP server must
answer), as a background task. A service that cannot be reached logs one
warning and is tried again after 1, 5 and 15 minutes, then hourly, until it
works or the entry unloads. A refused API key is not retried: it starts one
reauth flow, which asks for the key and reloads the entry. Webhook URLs carry
the webhook id, a secret, so every message is scrubbed of the ids and API keys
before it is logged or kept in the status.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from homeassistant.core import CALLBACK_TYPE, HassJob, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.start import async_at_started

from custom_components.media_request_tracker.clients.http import (
    ServiceAuthError,
    ServiceError,
)
from custom_components.media_request_tracker.const import (
    DOMAIN,
    LOGGER,
    REAUTH_INSTANCE,
    REAUTH_SERVICE,
)
from custom_components.media_request_tracker.core.model import Source
from custom_components.media_request_tracker.runtime_data import (
    MediaRequestTrackerConfigEntry,
)

from .arr import ArrRegistrar
from .jellyseerr import JellyseerrRegistrar, async_forget_taken_slot
from .service import (
    NotRegistered,
    Registrar,
    UpstreamService,
    configured_services,
    scrub,
)
from .status import RegistrationStatus

# Seconds before each retry of a service that failed; the last repeats.
RETRY_DELAYS: Final = (60, 300, 900, 3600)
# One service's whole registration; an app's save includes its test call to us.
SERVICE_TIMEOUT: Final = 90

_REGISTRARS: Final[dict[Source, type[Registrar]]] = {
    Source.RADARR: ArrRegistrar,
    Source.SONARR: ArrRegistrar,
    Source.JELLYSEERR: JellyseerrRegistrar,
}


def _registrars(
    hass: HomeAssistant,
    entry: MediaRequestTrackerConfigEntry,
    services: list[UpstreamService],
) -> list[Registrar]:
    return [_REGISTRARS[service.source](hass, entry, service) for service in services]


# Set-up -----------------------------------------------------------------------


@callback
def async_schedule_register_upstream(
    hass: HomeAssistant,
    entry: MediaRequestTrackerConfigEntry,
    status: RegistrationStatus,
) -> None:
    """Register our webhooks in the background once Home Assistant has started."""

    @callback
    def start(hass: HomeAssistant) -> None:
        entry.async_create_background_task(
            hass,
            _async_register_upstream(hass, entry, status),
            f"{DOMAIN}_register_upstream",
        )

    entry.async_on_unload(async_at_started(hass, start))


async def _async_register_upstream(
    hass: HomeAssistant,
    entry: MediaRequestTrackerConfigEntry,
    status: RegistrationStatus,
) -> None:
    """Register in every service the entry has an API key for; never raises."""
    services = configured_services(entry)
    if not any(s.source is Source.JELLYSEERR for s in services):
        async_forget_taken_slot(hass, entry)
    await asyncio.gather(
        *(
            _RetryingRegistration(registrar, status).async_attempt()
            for registrar in _registrars(hass, entry, services)
        )
    )


def _retry_delay(failures: int) -> int:
    """Seconds before the next try after this many failures in a row."""
    return RETRY_DELAYS[min(failures, len(RETRY_DELAYS)) - 1]


class _RetryingRegistration:
    """One service's registration, tried again on the schedule while it fails."""

    def __init__(self, registrar: Registrar, status: RegistrationStatus) -> None:
        self._hass = registrar.hass
        self._entry = registrar.entry
        self._registrar = registrar
        self._service = registrar.service
        self._status = status
        self._failures = 0
        self._cancel_retry: CALLBACK_TYPE | None = None
        self._entry.async_on_unload(self._async_stop)
        status.set_pending(self._service.key)

    @callback
    def _async_stop(self) -> None:
        if self._cancel_retry is not None:
            self._cancel_retry()
            self._cancel_retry = None

    async def async_attempt(self) -> None:
        title = self._service.label
        try:
            async with asyncio.timeout(SERVICE_TIMEOUT):
                left_alone = await self._registrar.async_register()
        except ServiceAuthError:
            self._failed("the API key was refused", retry=False)
            # The reauth flow asks for this service's key and checks it live.
            self._entry.async_start_reauth(
                self._hass,
                data={
                    REAUTH_SERVICE: self._service.source.value,
                    REAUTH_INSTANCE: self._service.instance_id,
                },
            )
        except NotRegistered as err:
            self._failed(str(err), retry=err.retry)
        except ServiceError as err:
            self._failed(str(err), retry=True)
        except TimeoutError:
            self._failed(f"{title} did not answer in time", retry=True)
        except Exception as err:  # noqa: BLE001 - any answer we cannot read
            self._failed(
                f"{title} gave an answer we cannot use ({type(err).__name__})",
                retry=True,
            )
        else:
            if left_alone is not None:
                self._status.set_left_alone(self._service.key, left_alone)
                return
            self._status.set_registered(self._service.key)
            if self._failures:
                LOGGER.info("Registered the webhook in %s", title)
            else:
                LOGGER.debug("The webhook in %s is set", title)

    def _failed(self, reason: str, *, retry: bool) -> None:
        title = self._service.label
        reason = scrub(reason, self._entry)
        self._failures += 1
        self._status.set_not_registered(self._service.key, reason)
        if self._failures == 1:
            LOGGER.warning(
                "Could not register the webhook in %s: %s%s",
                title,
                reason,
                "; trying again in the background" if retry else "",
            )
        else:
            LOGGER.debug("Still cannot register the webhook in %s: %s", title, reason)
        if retry:
            self._cancel_retry = async_call_later(
                self._hass,
                _retry_delay(self._failures),
                HassJob(self._retry, cancel_on_shutdown=True),
            )

    @callback
    def _retry(self, _: datetime) -> None:
        self._cancel_retry = None
        self._entry.async_create_background_task(
            self._hass, self.async_attempt(), f"{DOMAIN}_register_upstream_retry"
        )


# Removal ----------------------------------------------------------------------


async def async_unregister_upstream(
    hass: HomeAssistant, entry: MediaRequestTrackerConfigEntry
) -> None:
    """Remove our webhook from every service, touching nothing else; never raises."""
    services = configured_services(entry)
    await asyncio.gather(
        *(_async_unregister(r) for r in _registrars(hass, entry, services))
    )


async def async_unregister_replaced(
    hass: HomeAssistant,
    entry: MediaRequestTrackerConfigEntry,
    new_data: Mapping[str, Any],
) -> None:
    """Remove our webhook from a service that a reconfigure drops or replaces.

    Afterwards the entry no longer holds that service's URL and key, so
    removing the entry later could not find it.
    """
    replaced = [s for s in configured_services(entry) if not s.kept_in(new_data)]
    await asyncio.gather(
        *(_async_unregister(r) for r in _registrars(hass, entry, replaced))
    )


async def async_unregister_upstream_services(
    hass: HomeAssistant,
    entry: MediaRequestTrackerConfigEntry,
    services: list[UpstreamService],
) -> None:
    """Remove our webhook from services the entry no longer holds; never raises.

    For an instance removed or moved since set-up: its subentry is gone or
    changed by now, so the caller names what it was.
    """
    await asyncio.gather(
        *(_async_unregister(r) for r in _registrars(hass, entry, services))
    )


async def _async_unregister(registrar: Registrar) -> None:
    try:
        async with asyncio.timeout(SERVICE_TIMEOUT):
            await registrar.async_unregister()
    except Exception as err:  # noqa: BLE001 - removal must never fail the caller
        LOGGER.warning(
            "Could not remove our webhook from %s (%s); remove it there by hand",
            registrar.service.label,
            scrub(str(err) or "no answer in time", registrar.entry, registrar.service)
            if isinstance(err, ServiceError | TimeoutError)
            else type(err).__name__,
        )
