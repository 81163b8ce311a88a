"""Make real .torrent files for generated content (BEP 3, single file, no tracker)."""

from __future__ import annotations

from dataclasses import dataclass
import hashlib
import os
from pathlib import Path

PIECE_LENGTH = 64 * 1024


def bencode(value: object) -> bytes:
    """Encode ints, bytes, strings, lists and dicts as BitTorrent does."""
    if isinstance(value, int):
        return b"i%de" % value
    if isinstance(value, str):
        value = value.encode()
    if isinstance(value, bytes):
        return b"%d:%s" % (len(value), value)
    if isinstance(value, list):
        return b"l" + b"".join(bencode(item) for item in value) + b"e"
    if isinstance(value, dict):
        items = sorted(
            (key.encode() if isinstance(key, str) else key, item)
            for key, item in value.items()
        )
        return (
            b"d" + b"".join(bencode(key) + bencode(item) for key, item in items) + b"e"
        )
    raise TypeError(type(value))


@dataclass(frozen=True)
class Torrent:
    """A generated file and the torrent that describes it."""

    name: str
    content: Path
    metainfo: bytes
    info_hash: str
    size: int


def make_torrent(folder: Path, name: str, size: int) -> Torrent:
    """Write ``size`` random bytes to ``folder/name`` and describe them."""
    folder.mkdir(parents=True, exist_ok=True)
    content = folder / name
    data = os.urandom(size)
    content.write_bytes(data)
    pieces = b"".join(
        hashlib.sha1(
            data[offset : offset + PIECE_LENGTH], usedforsecurity=False
        ).digest()
        for offset in range(0, size, PIECE_LENGTH)
    )
    info = {
        "name": name,
        "length": size,
        "piece length": PIECE_LENGTH,
        "pieces": pieces,
    }
    info_hash = hashlib.sha1(bencode(info), usedforsecurity=False).hexdigest()
    return Torrent(
        name=name,
        content=content,
        metainfo=bencode({"info": info}),
        info_hash=info_hash,
        size=size,
    )
