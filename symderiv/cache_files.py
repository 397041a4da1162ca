"""The cache directory's files and the digests of tools and files that its keys are made of.

Importing this module imports neither SymPy nor NumPy: a rerun with nothing changed is answered
from a record in the cache (`replay`) before they are imported, with these same digests.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import tempfile
import warnings
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

#: Bump when the layout of an entry changes (3: attempts as typed records; 4: the sizes a proof for
#: every size covers).
FORMAT = 4
#: The libraries a verdict depends on, by their distribution names.
LIBRARIES = ("sympy", "numpy", "mpmath", "python-flint")


def default_directory() -> Path:
    if os.environ.get("SYMDERIV_CACHE_DIR"):
        return Path(os.environ["SYMDERIV_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "symderiv"


def entry_path(directory: Path, key: str, kind: str = "") -> Path:
    """Where the entry of `key` lives: one folder per kind of entry and per first two hex digits."""
    return directory / f"v{FORMAT}" / kind / key[:2] / f"{key}.json"


def read_entry(path: Path) -> dict | None:
    """An entry's JSON object, or None when it is missing or unreadable."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_entry(path: Path, data: dict) -> bool:
    """Write an entry atomically (parallel workers share the cache); False, with a warning, if it
    could not be written."""
    text = json.dumps(data)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp") as tmp:
            tmp.write(text)
        os.replace(tmp.name, path)  # readers see the old entry or the new one, never half of one
    except OSError as exc:
        warnings.warn(f"symderiv: could not write the verdict cache in {path.parent}: {exc}", stacklevel=3)
        return False
    return True


def file_digest(path: str | Path) -> str:
    """The file's digest, read again only when its size or modification time changes."""
    stat = os.stat(path)
    return _digest_of_version(str(path), stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=4096)
def _digest_of_version(path: str, size: int, mtime_ns: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


def source_files() -> dict[str, Path]:
    """symderiv's own source files, by their path in the package."""
    package = Path(__file__).resolve().parent
    return {f.relative_to(package).as_posix(): f for f in sorted(package.rglob("*.py"))}


@lru_cache(maxsize=4)
def source_digest(leaving_out: tuple[str, ...] = ()) -> str:
    """A digest of symderiv's own source files (an editable install keeps its version number while
    its code changes), leaving out those whose path in the package starts with one of `leaving_out`."""
    digest = hashlib.sha256()
    for name, f in source_files().items():
        if not name.startswith(leaving_out):
            digest.update(name.encode() + b"\0" + f.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


@lru_cache(maxsize=1)
def library_versions() -> str:
    """The versions of the libraries and of Python, read from the installed distributions' metadata
    rather than by importing the libraries."""
    return "; ".join([*(f"{name} {version(name)}" for name in LIBRARIES), f"python {platform.python_version()}"])
