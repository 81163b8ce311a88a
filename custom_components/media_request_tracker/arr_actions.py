"""Actions search and blocklist_and_search: a stuck request fixed in the *arr that grabbed it.

``search`` asks the app to search its indexers again (Radarr's
``MoviesSearch``; Sonarr's ``EpisodeSearch`` for the grabbed episodes, else
``SeasonSearch`` per requested season). ``blocklist_and_search`` removes the
request's download from the queue with ``blocklist=true``: the app marks the
release failed and, by itself, searches for another (it is not told
``skipRedownload``), so no second search is sent. Both only act on the
instance recorded at the grab, whose ids they use.
"""

from __future__ import annotations

from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util
import voluptuous as vol

from .clients.arr_queue import ArrNotInQueueError
from .clients.http import ServiceAuthError, ServiceError
from .const import DOMAIN
from .core.model import MediaRequest, MediaType
from .core.queue import ArrQueue
from .queue_coordinator import ArrQueueCoordinator
from .runtime_data import MediaRequestTrackerConfigEntry
from .services import refused, targets

SERVICE_SEARCH = "search"
SERVICE_BLOCKLIST_AND_SEARCH = "blocklist_and_search"

_SCHEMA = vol.Schema(
    {vol.Required(ATTR_ENTITY_ID): cv.entity_ids}, extra=vol.ALLOW_EXTRA
)

type _Target = tuple[MediaRequestTrackerConfigEntry, MediaRequest, ArrQueueCoordinator]


def async_setup_arr_actions(hass: HomeAssistant) -> None:
    """Register search and blocklist_and_search once, for every entry."""

    async def search(call: ServiceCall) -> None:
        for target, entity_id in _targets(hass, call):
            await async_search(target, entity_id)

    async def blocklist_and_search(call: ServiceCall) -> None:
        for target, entity_id in _targets(hass, call):
            await async_blocklist_and_search(target, entity_id)

    hass.services.async_register(DOMAIN, SERVICE_SEARCH, search, schema=_SCHEMA)
    hass.services.async_register(
        DOMAIN, SERVICE_BLOCKLIST_AND_SEARCH, blocklist_and_search, schema=_SCHEMA
    )


def _targets(hass: HomeAssistant, call: ServiceCall) -> list[tuple[_Target, str]]:
    """Check every target first, so that a bad one changes nothing."""
    entity_ids: list[str] = call.data[ATTR_ENTITY_ID]
    return [
        (arr_target(entry, request_id, entity_id), entity_id)
        for (entry, request_id), entity_id in zip(
            targets(hass, entity_ids), entity_ids, strict=True
        )
    ]


def arr_target(
    entry: MediaRequestTrackerConfigEntry, request_id: str, entity_id: str
) -> _Target:
    """Find the request and the instance that grabbed it; refuse it without an *arr item."""
    request = entry.runtime_data.hub.request(request_id)
    if request is None or request.arr is None or request.arr.item_id is None:
        raise refused("no_arr_item", entity_id)
    for queue in entry.runtime_data.queues:
        if queue.instance == request.arr.instance:
            return entry, request, queue
    raise refused("no_arr_item", entity_id)


async def async_search(target: _Target, entity_id: str) -> None:
    """Ask the instance to search again for what the request wants."""
    entry, request, queue = target
    arr = request.arr
    assert arr is not None and arr.item_id is not None  # checked by arr_target
    client = queue.client
    try:
        if request.media_type is MediaType.MOVIE:
            await client.async_search_movies([arr.item_id])
        elif arr.episode_ids:
            await client.async_search_episodes(arr.episode_ids)
        elif request.seasons:
            for season in request.seasons:
                await client.async_search_season(arr.item_id, season)
        else:
            raise refused("no_arr_item", entity_id)
    except ServiceError as err:
        raise _unreachable(queue, entity_id, err) from err
    await entry.runtime_data.hub.async_note(
        request.request_id, f"{queue.name} asked to search again"
    )


async def async_blocklist_and_search(target: _Target, entity_id: str) -> None:
    """Remove the request's download with a blocklist; the app then searches again."""
    entry, request, queue = target
    try:
        # A queue of its own: the poller's keeps the samples its speeds come from.
        current = ArrQueue()
        current.apply((await queue.client.async_get_queue()).records, dt_util.utcnow())
        downloads = current.downloads_of(request)
        if not downloads:
            raise refused("not_in_queue", entity_id)
        for download in downloads:
            await queue.client.async_remove_from_queue(
                download.queue_ids[0], blocklist=True
            )
    except ArrNotInQueueError as err:
        raise refused("not_in_queue", entity_id) from err
    except ServiceError as err:
        raise _unreachable(queue, entity_id, err) from err
    await entry.runtime_data.hub.async_note(
        request.request_id,
        f"release blocklisted in {queue.name}, which searches for another",
    )


def _unreachable(
    queue: ArrQueueCoordinator, entity_id: str, err: ServiceError
) -> ServiceValidationError:
    key = "arr_forbidden" if isinstance(err, ServiceAuthError) else "arr_refused"
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders={
            "entity_id": entity_id,
            "app": queue.name,
            "error": str(err),
        },
    )
