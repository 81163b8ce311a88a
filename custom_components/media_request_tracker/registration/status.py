"""Where our webhook is registered, per service: what diagnostics show."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Final

PENDING: Final = "pending"
REGISTERED: Final = "registered"


class RegistrationStatus(Mapping[str, str]):
    """Each service's registration: ``pending``, ``registered`` or ``not registered: <why>``.

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

    def set_not_registered(self, service: str, reason: str) -> None:
        """Record why the last attempt failed; the reason is free of secrets."""
        self._by_service[service] = f"not registered: {reason}"
