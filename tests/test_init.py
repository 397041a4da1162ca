"""The package's import-time settings."""

import os
import subprocess
import sys

import symderiv

_READ = "import symderiv, sympy.core.cache as c; print(c.SYMPY_CACHE_SIZE)"


def _cache_size(env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "-c", _READ], env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_sympy_caches_are_sized_for_claims_when_symderiv_is_imported_first():
    env = {k: v for k, v in os.environ.items() if k != "SYMPY_CACHE_SIZE"}
    assert _cache_size(env) == str(symderiv.SYMPY_CACHE_SIZE)


def test_a_cache_size_the_user_sets_is_kept():
    env = {**os.environ, "SYMPY_CACHE_SIZE": "2000"}
    assert _cache_size(env) == "2000"
