"""How much of what upstream sends is kept.

Text from upstream is cut to these lengths: a title names an entity and a
detail is one line of a timeline, and a 900 kB title or note from a broken or
hostile sender would otherwise sit in every state write and save.
"""

from __future__ import annotations

# A timeline longer than this keeps its first entry and drops the oldest others,
# so a misbehaving sender cannot grow a request without bound.
TIMELINE_LIMIT = 100
TITLE_LIMIT = 200
NAME_LIMIT = 100
DETAIL_LIMIT = 500
# A longer poster URL or file path is dropped: cut short, it names nothing.
URL_LIMIT = 2048
PATH_LIMIT = 4096


def shorten(text: str, limit: int) -> str:
    """Cut text past ``limit`` characters, marking the cut with ``...``."""
    return text if len(text) <= limit else f"{text[: limit - 3]}..."
