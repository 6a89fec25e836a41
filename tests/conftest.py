"""Shared pytest configuration for the kltools tests."""

from hypothesis import settings

# Property tests check values, not speed: on a loaded machine (2 cores shared
# with other jobs) hypothesis' default 200 ms deadline fails correct code.
settings.register_profile("kltools", deadline=None)
settings.load_profile("kltools")
