"""Tests of the HA-free HTTP clients."""
