"""Test-wide set-up: nothing but loopback traffic, ever."""

from __future__ import annotations

from tests.loopback import install_loopback_guard

install_loopback_guard()
