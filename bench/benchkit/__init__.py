"""Shared helpers of the benchmarks (not benchmarks themselves)."""
