"""Pure tracking core: request model, state machine, correlation and parsers.

Nothing in this package imports Home Assistant, so it can be tested, fuzzed and
benchmarked on its own; the HA layer around it only moves data in and out.
"""
