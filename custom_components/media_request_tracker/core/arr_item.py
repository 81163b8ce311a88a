"""Where a request lives in the Radarr or Sonarr that grabbed it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Self


@dataclass(frozen=True, kw_only=True, slots=True)
class ArrItem:
    """Where a request lives in the *arr that grabbed it.

    A search or a blocklist must name the instance and its own ids: another
    instance (a 4K Radarr) has other ids for the same film.
    """

    instance: str  # the instance's id: its config subentry
    item_id: int | None = None  # Radarr's movie id, Sonarr's series id
    episode_ids: tuple[int, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """Serialise for storage."""
        return {
            "instance": self.instance,
            "item_id": self.item_id,
            "episode_ids": list(self.episode_ids),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Read a stored item."""
        return cls(
            instance=data["instance"],
            item_id=data.get("item_id"),
            episode_ids=tuple(data.get("episode_ids", ())),
        )
