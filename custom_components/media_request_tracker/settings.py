"""What an entry's options mean for the parts it sets up, read once at set-up.

The options flow stores numbers in the unit the user typed; here they become
durations and the tracker's behaviour. Options never saved take the
defaults of ``const.OPTIONS``.
"""

from __future__ import annotations

from datetime import timedelta

from homeassistant.config_entries import ConfigEntry

from .const import (
    CONF_JELLYSEERR_POLL_MINUTES,
    CONF_QBITTORRENT_INTERVAL,
    CONF_QBITTORRENT_URL,
    CONF_RETENTION_DAYS,
    CONF_STALL_MINUTES,
    CONF_STUCK_ANIME_MATCHING_HOURS,
    CONF_STUCK_APPROVED_HOURS,
    CONF_STUCK_IMPORTING_HOURS,
    CONF_STUCK_INDEXED_HOURS,
    CONF_TRACK_UNREQUESTED,
    CONF_VERIFY_INTERVAL,
    OPTIONS,
    REQUEST_LIMIT,
)
from .core.options import TrackerOptions
from .core.stuck import StuckThresholds
from .instances import arr_instances


def _number(entry: ConfigEntry, key: str) -> float:
    return float(entry.options.get(key, OPTIONS[key].default))


def tracker_options(entry: ConfigEntry) -> TrackerOptions:
    """Return the tracker's behaviour, as the options set it."""
    return TrackerOptions(
        track_unrequested=bool(
            entry.options.get(
                CONF_TRACK_UNREQUESTED, OPTIONS[CONF_TRACK_UNREQUESTED].default
            )
        ),
        request_limit=REQUEST_LIMIT,
        # With a 4K instance, 4K and standard requests take only their own kind's events.
        separate_4k=any(instance.is_4k for instance in arr_instances(entry)),
        stall_after=timedelta(minutes=_number(entry, CONF_STALL_MINUTES)),
        stuck_after=StuckThresholds(
            approved=timedelta(hours=_number(entry, CONF_STUCK_APPROVED_HOURS)),
            # Without qBittorrent or an *arr queue nothing moves a request on from indexed.
            indexed=timedelta(hours=_number(entry, CONF_STUCK_INDEXED_HOURS))
            if entry.data.get(CONF_QBITTORRENT_URL) or arr_instances(entry)
            else None,
            importing=timedelta(hours=_number(entry, CONF_STUCK_IMPORTING_HOURS)),
            anime_matching=timedelta(
                hours=_number(entry, CONF_STUCK_ANIME_MATCHING_HOURS)
            ),
        ),
    )


def verify_interval(entry: ConfigEntry) -> timedelta:
    """Return how often the library is looked at when nothing asks sooner."""
    return timedelta(seconds=_number(entry, CONF_VERIFY_INTERVAL))


def qbittorrent_interval(entry: ConfigEntry) -> timedelta:
    """Return how often qBittorrent is asked while something downloads."""
    return timedelta(seconds=_number(entry, CONF_QBITTORRENT_INTERVAL))


def retention(entry: ConfigEntry) -> timedelta:
    """Return how long finished requests are kept."""
    return timedelta(days=int(_number(entry, CONF_RETENTION_DAYS)))


def jellyseerr_poll_interval(entry: ConfigEntry) -> timedelta:
    """Return how often Jellyseerr's requests are read for lost webhooks."""
    return timedelta(minutes=_number(entry, CONF_JELLYSEERR_POLL_MINUTES))
