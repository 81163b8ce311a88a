"""Our webhooks in Radarr, Sonarr and Jellyseerr: registered, kept, and removed again.

For each of the three whose URL and API key the entry holds, one registrar per
protocol puts our webhook in and takes it out: ``arr.py`` (Radarr and Sonarr,
``/api/v3/notification``) and ``jellyseerr.py`` (its single webhook slot, with
the template of ``jellyseerr_template.py``). ``schedule.py`` decides when:
after start-up, retried while a service fails, removed with the entry or a
reconfigure. ``status.py`` holds what diagnostics show.
"""

from .schedule import (
    async_schedule_register_upstream,
    async_unregister_replaced,
    async_unregister_upstream,
    async_unregister_upstream_services,
)
from .service import instance_service
from .status import RegistrationStatus

__all__ = [
    "RegistrationStatus",
    "async_schedule_register_upstream",
    "instance_service",
    "async_unregister_replaced",
    "async_unregister_upstream",
    "async_unregister_upstream_services",
]
