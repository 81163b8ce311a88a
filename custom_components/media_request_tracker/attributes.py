"""What a request shows: the attributes the public interface promises.

Shared by the request sensors and the ``get_requests`` action, which must
answer with the same words.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .core.model import MediaRequest, MediaType


def request_attributes(
    request: MediaRequest, instance_names: Mapping[str, str]
) -> dict[str, Any]:
    """Build the attributes the public interface promises, in its order.

    ``instance_names`` names the entry's *arr instances by their ids.
    """
    download = request.download
    return {
        "request_id": request.request_id,
        "title": request.title,
        "year": request.year,
        "media_type": request.media_type.value,
        "tmdb_id": request.ids.tmdb_id,
        "tvdb_id": request.ids.tvdb_id,
        "imdb_id": request.ids.imdb_id,
        "anidb_id": request.ids.anidb_id,
        "is_anime": request.is_anime,
        "is_4k": request.is_4k,
        "requested_by": request.requested_by,
        "requested_at": request.requested_at.isoformat(),
        "progress": download.progress,
        "download_speed": download.download_speed,
        "eta": download.eta,
        "size": download.size,
        "download_hash": request.download_hash,
        "instance": instance_names.get(request.arr.instance) if request.arr else None,
        "download_client": request.download_client,
        "import_status": request.import_status,
        "import_message": request.import_message,
        "jellyfin_id": request.jellyfin_id,
        "episodes_total": request.episodes_total,
        "episodes_available": request.episodes_available,
        "seasons": list(request.seasons)
        if request.media_type is MediaType.TV
        else None,
        "stalled": download.stalled,
        "timeline": [entry.as_dict() for entry in request.timeline],
    }
