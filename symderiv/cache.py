"""A verdict cache: an obligation whose claim, settings and tools are unchanged is not checked again.

An entry holds the evidence for one obligation at one model size, under a SHA-256
key of everything that evidence depends on:

* the obligation's id (its random instances are seeded from it) and the size, and whether that
  size is checked as an instance of a proof for every size (numbers only) and of which sizes;
* the canonical form of the built claim: every expression as a digest of its tree
  (`sympy.srepr` of each leaf, with its assumptions, and the kind of each node; a Dummy,
  such as a sampler's coefficient, by its name and the order it is met in, not by its
  index, which differs from one process to the next), the domains (kind, bounds,
  symbols with their assumptions), and, for a Python function
  inside the claim (a NumPy reference), its byte code, constants, closure and the
  code of the user-level functions it calls;
* every setting except the list of sizes: seed, samples, time limit, tolerance,
  reference samples and the rewrite strategies;
* the versions of Python, SymPy, NumPy, mpmath and python-flint (as their installed metadata gives
  them), symderiv's version and a digest of its source files (an editable install keeps its
  version number while its code changes), leaving out those that only present verdicts
  (exporters, reports, the command line); `cache_files` computes these without importing SymPy.

Building a claim (a gradient through a solved system) can cost more than reading its
evidence, so a second, smaller index maps what a build depends on to the claim's key:
the obligation's id and builder (its code and what it reads, as for a reference above), the
size, the settings, the tools' versions, and a digest of every module of user code that is loaded (the proof modules and the helpers they import).  A
build is a deterministic function of those, so a rerun with nothing changed reads its
evidence without building; a change to any of them misses the index, builds the claim
and looks its key up as before.  (Data that a proof reads from other files at build time
is not covered: check such proofs with `--no-cache`.)

A claim with a part that has no canonical form (an object of unknown kind) is not
cached at all, so that a stale entry is never reused.  Evidence that depends on the
machine rather than on the key is not stored (`SizeEvidence.reproducible`): an error, and
evidence marked machine-dependent (an attempt stopped by the time limit, a killed worker, a
worker out of memory).  Every other verdict is, `numeric` included: work budgets decide it.

Beside the evidence, `timings/` keeps how long each obligation and size took when it was last
checked, whatever the settings: the scheduler starts the slowest first (`schedule`); and `runs/`
keeps the record of the last run of `symderiv check` with each list of arguments, from which a rerun
with nothing changed prints its report before SymPy is imported (`replay`).

The cache lives in `$SYMDERIV_CACHE_DIR`, else `$XDG_CACHE_HOME/symderiv`, else
`~/.cache/symderiv`.  Entries are written atomically, so parallel workers can share it.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import functools
import hashlib
import os
import sys
import sysconfig
import types
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import numpy as np
import sympy as sp
from sympy.core.function import AppliedUndef

from .cache_files import (
    FORMAT,
    default_directory,
    entry_path,
    file_digest,
    library_versions,
    read_entry,
    source_digest,
    write_entry,
)
from .verdict import SizeEvidence, SizeRange, Status

#: Settings fields that choose what to check rather than how a verdict comes out.
_NOT_IN_KEY = frozenset({"sizes"})


class Uncacheable(Exception):
    """A claim contains something without a canonical form; it is checked every time."""


#: symderiv's files that only present verdicts, and cannot change one.
_PRESENTATION = ("export/", "report.py", "cli.py", "commands.py", "replay.py", "provenance.py", "values.py")


@lru_cache(maxsize=1)
def tool_versions() -> str:
    """The versions a verdict depends on, with a digest of symderiv's own source files."""
    from ._version import __version__

    return f"symderiv {__version__} ({source_digest(_PRESENTATION)}); {library_versions()}"


@lru_cache(maxsize=1)
def _library_paths() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    return tuple({os.path.realpath(paths[k]) for k in ("stdlib", "platstdlib", "purelib", "platlib") if k in paths})


def _is_user_code(module_name: str | None) -> bool:
    """Code outside the standard library and installed packages (proof modules, their helpers)."""
    if not module_name or module_name == "symderiv" or module_name.startswith("symderiv."):
        return False  # symderiv's own code is covered by the source digest in tool_versions()
    module = sys.modules.get(module_name)
    path = getattr(module, "__file__", None)
    if path is None:
        return module_name not in sys.builtin_module_names
    return not _in_libraries(path)


@functools.cache
def _in_libraries(path: str) -> bool:
    """Whether a module file lies in the standard library or installed packages: resolved once per
    path (a cached run asks for every loaded module at every size, 350,000 `lstat` calls)."""
    return os.path.realpath(path).startswith(_library_paths())


class _Canonical:
    """Writes an object as text that changes whenever the object's meaning can."""

    def __init__(self):
        self.active: set[int] = set()
        self.functions_seen: set[int] = set()
        self.expressions: dict = {}
        self.dummies: dict[str, dict[sp.Dummy, int]] = {}

    def __call__(self, obj) -> str:
        if obj is None or isinstance(obj, (bool, int, float, complex, str, bytes)):
            return repr(obj)
        if isinstance(obj, sp.Basic):
            return f"expr {self._expression(obj)}"
        if isinstance(obj, sp.MatrixBase):
            return f"matrix {obj.shape} " + ",".join(self._expression(e) for e in obj)
        if isinstance(obj, np.ndarray):
            return f"ndarray({obj.dtype},{obj.shape},{hashlib.sha256(obj.tobytes()).hexdigest()})"
        if isinstance(obj, (np.generic,)):
            return repr(obj.item())
        if isinstance(obj, types.FunctionType):
            # A function met again (a recursive one, or one whose name its own code reads, as
            # `m.soft_value` in `def soft_value(m)`) is named by its label: its code is in the text.
            return self._function(obj)
        if id(obj) in self.active:
            raise Uncacheable(f"a cycle through {type(obj).__qualname__}")
        self.active.add(id(obj))
        try:
            return self._compound(obj)
        finally:
            self.active.discard(id(obj))

    def _expression(self, e: sp.Basic) -> str:
        """A digest of the tree of `e`.  Each distinct sub-expression is digested once: `srepr`
        prints a tree node by node, and a claim's tree (a gradient through a solved system) is
        far larger than its graph of distinct sub-expressions."""
        found = self.expressions.get(e)
        if found is None:
            if isinstance(e, sp.Dummy):
                text = self._dummy(e)
            elif not e.args:
                text = sp.srepr(e)
            else:
                # An unknown function's class carries its name and assumptions; others their kind.
                head = sp.srepr(e.func) if isinstance(e, AppliedUndef) else type(e).__name__
                text = head + "(" + ",".join(self._expression(a) for a in e.args) + ")"
            found = self.expressions[e] = hashlib.sha256(text.encode()).hexdigest()[:32]
        return found

    def _dummy(self, d: sp.Dummy) -> str:
        """A Dummy by its name, assumptions and rank among the claim's dummies of that name and
        assumptions, in the order this walk meets them: its `dummy_index` differs from one process
        (or one build) to the next, and equal texts still mean the same claim up to renaming dummies."""
        kind = f"Dummy({d.name!r}, {sorted(d._assumptions_orig.items())})"
        rank = self.dummies.setdefault(kind, {}).setdefault(d, len(self.dummies[kind]))
        return f"{kind} #{rank}"

    def _compound(self, obj) -> str:
        name = f"{type(obj).__module__}.{type(obj).__qualname__}"
        if isinstance(obj, (list, tuple)):
            return f"{type(obj).__name__}[" + ",".join(map(self, obj)) + "]"
        if isinstance(obj, (set, frozenset)):
            return "set{" + ",".join(sorted(map(self, obj))) + "}"
        if isinstance(obj, dict):
            return "{" + ",".join(sorted(f"{self(k)}:{self(v)}" for k, v in obj.items())) + "}"
        if isinstance(obj, Status):
            return repr(obj.value)
        if isinstance(obj, (types.FunctionType, types.MethodType)):
            return self._function(obj)
        if isinstance(obj, types.ModuleType):
            return f"module {obj.__name__}" + (f" {_file_digest(obj)}" if _is_user_code(obj.__name__) else "")
        if isinstance(obj, type):
            return _class_text(obj)
        if isinstance(obj, (types.BuiltinFunctionType, np.ufunc)):
            return f"builtin {getattr(obj, '__module__', None)}.{obj.__name__}"
        if isinstance(obj, functools.partial):
            return f"partial({self(obj.func)},{self(obj.args)},{self(obj.keywords)})"
        if getattr(type(obj), "__getstate__", None) not in (None, getattr(object, "__getstate__", None)):
            # A class that says which state defines it (as for pickling) is keyed by that state
            # alone: a model's caches of what it has built are not part of what it means.
            return name + self(obj.__getstate__())
        if dataclasses.is_dataclass(obj):
            return (
                name + "(" + ",".join(f"{f.name}={self(getattr(obj, f.name))}" for f in dataclasses.fields(obj)) + ")"
            )
        module = type(obj).__module__
        if (
            hasattr(obj, "__dict__")
            and not hasattr(type(obj), "__slots__")
            and (_is_user_code(module) or module.startswith("symderiv"))
        ):
            # Plain Python objects of symderiv or of the user keep their state in __dict__.
            return name + self(vars(obj))
        raise Uncacheable(f"no canonical form for a {name}")

    def _function(self, fn) -> str:
        if isinstance(fn, types.MethodType):
            return f"method {self(fn.__self__)}.{self._function(fn.__func__)}"
        label = f"function {fn.__module__}.{fn.__qualname__}"
        if id(fn) in self.functions_seen:
            return label
        self.functions_seen.add(id(fn))
        parts = [label, _code_text(fn.__code__)]
        parts += [self(cell.cell_contents) for cell in fn.__closure__ or ()]
        parts += [self(d) for d in fn.__defaults__ or ()]
        if _is_user_code(fn.__module__):
            # The user-level functions, modules and constants it reads can change without it changing.
            for name in sorted(_global_names(fn.__code__)):
                if name in fn.__globals__:
                    parts.append(f"{name}={self(fn.__globals__[name])}")
        return "(" + ";".join(parts) + ")"


def _code_text(code: types.CodeType) -> str:
    consts = [(_code_text(c) if isinstance(c, types.CodeType) else repr(c)) for c in code.co_consts]
    return f"code({code.co_code.hex()},{consts},{code.co_names})"


def _global_names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            names |= _global_names(c)
    return names


def _file_digest(module) -> str:
    path = getattr(module, "__file__", None)
    return file_digest(path) if path and Path(path).is_file() else ""


def _class_text(cls: type) -> str:
    module = sys.modules.get(cls.__module__)
    digest = _file_digest(module) if _is_user_code(cls.__module__) else ""
    return f"class {cls.__module__}.{cls.__qualname__} {digest}".rstrip()


def canonical_form(claim) -> str:
    """The claim as text: equal texts mean equal claims, to the last symbol assumption."""
    return _Canonical()(claim)


#: The settings' texts written in the run under way (`keys_of_one_run`), by the id of the settings
#: object, which each entry keeps alive; None outside a run.
_RUN_SETTINGS: contextvars.ContextVar[dict[int, tuple[object, str]] | None] = contextvars.ContextVar(
    "symderiv_run_settings", default=None
)


@contextlib.contextmanager
def keys_of_one_run() -> Iterator[None]:
    """Inside the block, a settings object's text is written once, not at each of every size's two
    keys (their strategies' code is most of a key's text): neither the settings nor what their
    strategies read change while a run checks.  Outside it, every key writes the text anew, so a
    strategy whose globals change between two checks (in a notebook) changes the key."""
    token = _RUN_SETTINGS.set({})
    try:
        yield
    finally:
        _RUN_SETTINGS.reset(token)


def _settings_text(settings) -> str:
    written = _RUN_SETTINGS.get()
    if written is None:
        return _written_settings(settings)
    found = written.get(id(settings))
    if found is None or found[0] is not settings:
        found = written[id(settings)] = (settings, _written_settings(settings))
    return found[1]


def _written_settings(settings) -> str:
    canonical = _Canonical()
    return ",".join(
        f"{f.name}={canonical(getattr(settings, f.name))}"
        for f in dataclasses.fields(settings)
        if f.name not in _NOT_IN_KEY
    )


def cache_key(obligation_id: str, size, claim, settings, instance_of: SizeRange | None = None) -> str:
    """SHA-256 of what the evidence for one obligation and size depends on; `instance_of`, the
    sizes a proof for every size covers when this size is checked as its instance.

    Raises Uncacheable if part of the claim or settings has no canonical form."""
    canonical = _Canonical()
    text = "\n".join(
        [
            f"format {FORMAT}",
            tool_versions(),
            f"obligation {obligation_id}",
            f"size {size}",
            f"instance of {instance_of!r}",
            f"settings {_settings_text(settings)}",
            f"claim {canonical(claim)}",
        ]
    )
    return hashlib.sha256(text.encode()).hexdigest()


#: The loaded modules last seen, as (name, module) pairs, and which of them are user code.
_user_modules_of: tuple[tuple, list[tuple[str, types.ModuleType]]] = ((), [])


def _loaded_user_modules() -> list[tuple[str, types.ModuleType, str]]:
    """Every loaded module of user code that has a source file: (name, module, digest), by name.
    Which modules are user code is found again only when the loaded modules change (a run asks at
    every size, and a process holds some 900 modules); each file's digest is read every time."""
    global _user_modules_of
    loaded = tuple(sys.modules.items())
    if loaded != _user_modules_of[0]:
        user = [(name, module) for name, module in sorted(loaded, key=lambda item: item[0]) if _is_user_code(name)]
        _user_modules_of = (loaded, user)
    return [(name, module, contents) for name, module in _user_modules_of[1] if (contents := _file_digest(module))]


def user_code_digest() -> str:
    """A digest of every loaded module of user code that has a source file (name and contents)."""
    digest = hashlib.sha256()
    for name, _, contents in _loaded_user_modules():
        digest.update(f"{name} {contents}\n".encode())
    return digest.hexdigest()


def loaded_user_files() -> dict[str, str]:
    """The source file of every loaded module of user code, by absolute path, with its digest."""
    return {os.path.abspath(str(module.__file__)): contents for _, module, contents in _loaded_user_modules()}


def build_key(obligation, size, settings, instance_of: SizeRange | None = None) -> str:
    """SHA-256 of what building the claim for one obligation and size depends on (its builder's
    code and what the builder reads, every loaded module of user code, the tools), with the settings.

    Raises Uncacheable if part of the builder or the settings has no canonical form."""
    canonical = _Canonical()
    text = "\n".join(
        [
            f"format {FORMAT}",
            "build",
            tool_versions(),
            f"user code {user_code_digest()}",
            f"obligation {obligation.id}",
            f"builder {canonical(obligation.build)}",
            f"model {canonical(obligation.model)}",
            f"size {size}",
            f"instance of {instance_of!r}",
            f"settings {_settings_text(settings)}",
        ]
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _timing_key(obligation_id: str, name: str, size: object) -> str:
    return hashlib.sha256(f"{obligation_id}\0{name}\0{size}".encode()).hexdigest()


class VerdictCache:
    """Evidence per obligation and size, stored as one JSON file per key."""

    def __init__(self, directory: Path | str | None = None):
        self.directory = Path(directory) if directory is not None else default_directory()

    def key(self, obligation_id: str, size, claim, settings, instance_of: SizeRange | None = None) -> str | None:
        """The entry's key, or None for a claim that cannot be cached."""
        try:
            return cache_key(obligation_id, size, claim, settings, instance_of)
        except Uncacheable:
            return None

    def build_key(self, obligation, size, settings, instance_of: SizeRange | None = None) -> str | None:
        """The key of the index entry that names this build's claim key, or None if uncacheable."""
        try:
            return build_key(obligation, size, settings, instance_of)
        except Uncacheable:
            return None

    def claim_key(self, build_key: str) -> str | None:
        """The claim key that the build under `build_key` gave last time, if recorded."""
        data = read_entry(self._path(build_key, "builds"))
        return data.get("claim") if data is not None and data.get("build") == build_key else None

    def put_claim_key(self, build_key: str, claim_key: str) -> None:
        write_entry(self._path(build_key, "builds"), {"build": build_key, "claim": claim_key})

    def last_seconds(self, obligation_id: str, name: str, size: object) -> float | None:
        """How long checking this obligation at this size took when it was last checked (not read
        from the cache), whatever the settings or code were then: an estimate for scheduling only."""
        data = read_entry(self._path(_timing_key(obligation_id, name, size), "timings"))
        try:
            return float(data["seconds"]) if data is not None else None
        except (KeyError, TypeError, ValueError):
            return None

    def record_seconds(self, obligation_id: str, name: str, size: object, seconds: float) -> None:
        write_entry(self._path(_timing_key(obligation_id, name, size), "timings"), {"seconds": seconds})

    def _path(self, key: str, kind: str = "") -> Path:
        return entry_path(self.directory, key, kind)

    def get(self, key: str) -> SizeEvidence | None:
        data = read_entry(self._path(key))
        if data is None or data.get("key") != key:
            return None
        try:
            return dataclasses.replace(SizeEvidence.from_dict(data["evidence"]), cached=True)
        except (KeyError, TypeError, ValueError):
            return None  # an entry from another layout: check again

    def put(self, key: str, evidence: SizeEvidence) -> bool:
        """Store `evidence` if it is reproducible from its key; True if stored."""
        if not evidence.reproducible:
            return False
        record = evidence.to_dict()
        record.pop("cached", None)
        return write_entry(self._path(key), {"key": key, "evidence": record})
