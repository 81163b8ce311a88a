"""Where our webhook is registered, per service: what diagnostics show."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Final

PENDING: Final = "pending"
REGISTERED: Final = "registered"
# Jellyseerr's slot holds a URL that is neither ours nor Home Assistant's Seerr integration's.
SLOT_TAKEN: Final = "not registered: the slot holds another URL"


def through_seerr_integration(entity_id: str) -> str:
    """Say that Jellyseerr is read from the event entity of Home Assistant's Seerr integration."""
    return f"through Home Assistant's Seerr integration: {entity_id}"


class RegistrationStatus(Mapping[str, str]):
    """Each service's registration: ``pending``, ``registered`` or ``not registered: <why>``.

    Jellyseerr may also be left to Home Assistant's Seerr integration
    (``through Home Assistant's Seerr integration: <event entity>``).

    Keyed by service (``radarr``). Only the registration package writes it;
    everyone else reads it as a mapping. A reason arrives here already free
    of secrets.
    """

    __slots__ = ("_by_service",)

    def __init__(self) -> None:
        """Start with no service tried."""
        self._by_service: dict[str, str] = {}

    def __getitem__(self, service: str) -> str:
        """Return one service's status."""
        return self._by_service[service]

    def __iter__(self) -> Iterator[str]:
        """Iterate over the services tried."""
        return iter(self._by_service)

    def __len__(self) -> int:
        """Count the services tried."""
        return len(self._by_service)

    def set_pending(self, service: str) -> None:
        """Record that registration in the service has started."""
        self._by_service[service] = PENDING

    def set_registered(self, service: str) -> None:
        """Record that the service sends to our webhook."""
        self._by_service[service] = REGISTERED

    def set_left_alone(self, service: str, status: str) -> None:
        """Record that the service was left as it is, on purpose (no failure)."""
        self._by_service[service] = status

    def set_not_registered(self, service: str, reason: str) -> None:
        """Record why the last attempt failed; the reason is free of secrets."""
        self._by_service[service] = f"not registered: {reason}"
