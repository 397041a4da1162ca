"""Shared test setup."""

import os

import pytest


@pytest.fixture(autouse=True)
def _private_verdict_cache(tmp_path_factory, monkeypatch):
    """Tests never read or fill the user's verdict cache (~/.cache/symderiv)."""
    monkeypatch.setenv("SYMDERIV_CACHE_DIR", str(tmp_path_factory.mktemp("verdict-cache")))


# In CI, property tests draw the same examples every run: a failure there is reproducible,
# and new examples are explored in local runs.
from hypothesis import settings  # noqa: E402

settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI") == "true":
    settings.load_profile("ci")
