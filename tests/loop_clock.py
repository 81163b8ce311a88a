"""A clock for the running event loop that moves only when the loop has nothing to do.

Timeouts, keepalives and backoffs measured on the loop's clock (``asyncio.sleep``,
``asyncio.timeout``, ``call_later``, aiohttp's timeouts) then depend on what the
code under test does, not on how busy the machine is: a loop starved of CPU does
not see its timers fire early, and a second of backoff takes no real second.

The loop's clock is replaced, and so is its selector's ``select``: when no
callback is ready, the selector is asked for I/O, with a short real grace for
loopback data and other threads to land; only when none came does the clock
jump to the next timer. Client and fake servers run in the same loop on
loopback, so everything they wait for is either I/O or a timer. asyncio's
debug-mode "Executing ... took 0.1 seconds" warnings, timed on the same clock,
no longer come from a starved CPU either.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import selectors

# Real seconds an idle loop waits for I/O before its clock jumps to the next timer.
GRACE = 0.005


class LoopClock:
    """Virtual time for one selector event loop, from the moment it is installed."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        selector: selectors.BaseSelector = loop._selector  # type: ignore[attr-defined]
        self._select: Callable[
            [float | None], list[tuple[selectors.SelectorKey, int]]
        ] = selector.select
        self.now = loop.time()
        loop.time = self.time  # type: ignore[method-assign]
        selector.select = self._select_or_advance  # type: ignore[method-assign]

    def time(self) -> float:
        return self.now

    def _select_or_advance(
        self, timeout: float | None = None
    ) -> list[tuple[selectors.SelectorKey, int]]:
        if timeout is None:  # no timer: only I/O or another thread can wake the loop
            return self._select(None)
        events = self._select(0 if timeout == 0 else min(timeout, GRACE))
        if not events and timeout > 0:
            # Idle until the next timer: it is due now, to the digit.
            scheduled: list[asyncio.TimerHandle] = self._loop._scheduled  # type: ignore[attr-defined]
            self.now = max(self.now, scheduled[0].when())
        return events
