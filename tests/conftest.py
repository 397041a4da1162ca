"""Shared test setup."""

import pytest


@pytest.fixture(autouse=True)
def _private_verdict_cache(tmp_path_factory, monkeypatch):
    """Tests never read or fill the user's verdict cache (~/.cache/symderiv)."""
    monkeypatch.setenv("SYMDERIV_CACHE_DIR", str(tmp_path_factory.mktemp("verdict-cache")))
