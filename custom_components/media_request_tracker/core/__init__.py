"""Pure tracking core: the request model, the rules of its stages, and the tracker.

Nothing in this package imports Home Assistant, so it can be tested, fuzzed and
benchmarked on its own; the HA layer around it only moves data in and out.
Events come from ``parsers``; ``tracker.RequestTracker`` hands each to the
module of its source (``*_events``), to ``downloads`` or to ``verification``,
which edit the ``book`` through one ``Change`` per event and report an
``outcome``.
"""
