"""Durable storage of tracked requests: a snapshot and an append-only journal.

A webhook may only answer 2xx once its effect is on disk. A save appends only
the requests that changed, one JSON line each, to a journal beside the
snapshot, so its cost follows the change, not the number of requests. When
the journal outgrows the snapshot, it is folded into the snapshot in the
background and starts afresh, so the bytes written stay proportional to the
changes.

The snapshot keeps the key and format HA's ``Store`` reads
(``media_request_tracker.<entry_id>``, version 1); the journal is
``<key>.journal`` in the same folder. A version of this integration that
reads only the snapshot would miss what only the journal holds, so the
journal is also folded in whenever the entry unloads or Home Assistant stops.

A stored request this version cannot read is set aside, not dropped: a fold
writes it back as it is, so that the version that wrote it still finds it.

- ``request_store``: the ``RequestStore`` the hub writes through (group commit, folds)
- ``pending``: changes not yet on disk, and whose flush waits for them
- ``journal``: the journal file and its lines; ``snapshot``: the snapshot file
- ``records``: both read together, undecoded; the fold
- ``encoding``: one record to JSON; ``errors``: what callers catch
"""

from .errors import StorageError, StorageVersionError
from .request_store import RequestStore, StoreStats

__all__ = ["RequestStore", "StorageError", "StorageVersionError", "StoreStats"]
