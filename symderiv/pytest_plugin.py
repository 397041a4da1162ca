"""pytest plugin: the obligations of proof files as test items, one per (obligation, size).

Off unless asked for, as pytest-mypy is: `pytest --symderiv`, or `symderiv = true` in the
pytest ini file (this repository sets it in pyproject.toml), so that installing symderiv
imports nothing of another project.  When on, a proof file is any `.py` file that pytest
walks or is given, wherever it is, whose source builds a `Derivation(` or registers a claim
with `@....claim(` (read before importing it), or whose name matches a `symderiv_files`
pattern; test modules (pytest's `python_files`), `conftest.py` and `_`-prefixed helpers
are not proof files (a package's `__init__.py` is).  It is imported through symderiv's loader
(a package's modules share its derivation), and each obligation is an item of the file that
defines its builder: `N11:q_eq_soft_value_plus_log_ratio[1x2]` per size, one item for a
size-free claim, so that `pytest -n auto` spreads the sizes of a slow obligation.

An obligation's verdict is the worst of its sizes', so an item passes when its size's verdict
is at least as strong as the expected one (expected proved: proved; argued: proved or argued;
numeric: proved, argued or numeric; refuted, an erratum that may hold at one size: anything
but error); an obligation with a single size must get exactly the expected verdict.  That
some size reaches the expected verdict (one refutation at least, for an erratum) is judged
when every size has run: if none does, the run fails and its `symderiv` summary names the
obligation, as `symderiv check` would.  A failing item reports the verdict, the expected one,
the counterexample and the `symderiv check` command that reproduces it.

The `symderiv` summary also says when a file named on the command line holds no derivation,
when one holds a derivation while the plugin is off, and which obligations keep their own
sizes under --symderiv-sizes (size-free ones and those declared at extent 1 of an axis only, as at
one state, as for `symderiv check`).
Options: --symderiv-seed, --symderiv-samples, --symderiv-time-limit, --symderiv-sizes,
--symderiv-cache; a bad value is a usage error.
"""

from __future__ import annotations

import argparse
import dataclasses
import fnmatch
import inspect
import math
import re
import shlex
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import pytest

from . import report
from .allocation import collect_less_often, keep_freed_memory
from .cache import VerdictCache
from .checker import (
    EVERY_SIZE,
    OwnSizes,
    Settings,
    axis_at_one,
    check_every_size,
    check_size,
    fixed_size,
    keeps_own_sizes,
    one_extent,
    sizes_for,
    verdict_of,
)
from .indexed import IndexLevel
from .loader import derivations_in, load_module
from .obligation import Obligation, Size
from .verdict import SizeEvidence, Status, Verdict, worst

if TYPE_CHECKING:
    from _pytest._code.code import TerminalRepr, TracebackStyle

#: What marks a proof file's source, read before importing it.
_PROOF_SOURCE = re.compile(r"\bDerivation\(|^\s*@[\w.]+\.claim\(", re.M)

T = TypeVar("T")


def _option_type(parse: Callable[[str], T], requirement: str) -> Callable[[str], T]:
    """An argparse type whose error names the valid values; pytest makes it a usage error."""

    def convert(text: str) -> T:
        try:
            return parse(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {requirement}, got {text!r}") from None

    return convert


def _seed(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError(text)
    return value


def _samples(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


def _seconds(text: str) -> float:
    value = float(text)
    if not (value > 0 and math.isfinite(value)):
        raise ValueError(text)
    return value


def _sizes(text: str) -> tuple[Size, ...]:
    return tuple(Size.parse(t) for t in text.split(","))


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("symderiv", "symderiv proof obligations")
    defaults = Settings()
    group.addoption(
        "--symderiv",
        action="store_true",
        help="check the obligations of every file holding a symderiv Derivation, one test item per size",
    )
    group.addoption(
        "--symderiv-seed",
        type=_option_type(_seed, "an integer >= 0"),
        default=defaults.seed,
        help=f"random seed for numeric checks (default {defaults.seed})",
    )
    group.addoption(
        "--symderiv-samples",
        type=_option_type(_samples, "an integer >= 1"),
        default=defaults.samples,
        help=f"instances per obligation and size, at least 1 (default {defaults.samples})",
    )
    group.addoption(
        "--symderiv-time-limit",
        type=_option_type(_seconds, "a number of CPU seconds > 0"),
        default=defaults.time_limit,
        metavar="SECONDS",
        help=f"CPU seconds for each symbolic rewrite attempt and each phase (default {defaults.time_limit:g})",
    )
    group.addoption(
        "--symderiv-sizes",
        type=_option_type(
            _sizes, "sizes written as extents joined by x, each at least 1, separated by commas, e.g. 2x2,3x3"
        ),
        default=None,
        metavar="SIZE[,SIZE...]",
        help="model sizes for the obligations with sizes, as `symderiv check --sizes` (default: each obligation's own)",
    )
    group.addoption(
        "--symderiv-cache",
        action="store_true",
        help="reuse verdicts stored for the same claim, settings and versions (the cache of "
        "`symderiv check`); off by default, so that a test run checks every obligation",
    )
    parser.addini("symderiv", "check proof obligations as with --symderiv", type="bool", default=False)
    parser.addini(
        "symderiv_files",
        "glob patterns of file names checked as proof files whatever their source mentions",
        type="linelist",
        default=[],
    )


_SETTINGS = pytest.StashKey[Settings]()
_SUMMARY = pytest.StashKey["RunSummary"]()
#: The evidence for every size of each index-level obligation checked in this process, by the
#: obligation's identity: its fixed sizes are checked as instances of it.
_EVERY_SIZE = pytest.StashKey[dict[int, tuple[Obligation, SizeEvidence]]]()

#: Hint kinds, of a file named on the command line: it holds a derivation while the plugin is off;
#: it holds none; its name starts with `_`, so it is no proof file.  The values of `OwnSizes` (an
#: `AT_ONE`'s followed by a space and the axis) are the kinds of an obligation that
#: --symderiv-sizes does not apply to.
_OFF, _EMPTY, _PRIVATE = "off", "empty", "private"

#: Why an obligation keeps its own sizes under --symderiv-sizes (`one`: extent 1 of the axis, as
#: "one state").
_OWN_SIZES = {
    OwnSizes.SIZE_FREE: "size-free: it builds no model, so there is no size to replace",
    OwnSizes.AT_ONE: "declared at {one} only, as a claim that may hold only there",
}


def _own_kind(own: OwnSizes, ob: Obligation) -> str:
    """The hint kind of an obligation that keeps its own sizes: why, and for `AT_ONE`, on which axis."""
    return f"{own.value} {axis_at_one(ob)}" if own is OwnSizes.AT_ONE else own.value


def _enabled(config: pytest.Config) -> bool:
    return bool(config.getoption("symderiv") or config.getini("symderiv"))


def pytest_configure(config: pytest.Config) -> None:
    opt = config.getoption
    config.stash[_SETTINGS] = Settings(
        seed=opt("symderiv_seed"),
        samples=opt("symderiv_samples"),
        time_limit=opt("symderiv_time_limit"),
        sizes=opt("symderiv_sizes"),
    )
    config.stash[_SUMMARY] = summary = RunSummary(config)
    config.pluginmanager.register(summary, "symderiv-summary")
    if _enabled(config):  # a run that checks proofs, as the command line does
        keep_freed_memory()
        collect_less_often()


def pytest_report_header(config: pytest.Config) -> str | None:
    if not _enabled(config):
        return None
    s = config.stash[_SETTINGS]
    sizes = ",".join(map(str, s.sizes)) if s.sizes else "as declared"
    cache = "on" if config.getoption("symderiv_cache") else "off"
    return (
        f"symderiv: seed {s.seed}, {s.samples} samples, time limit {s.time_limit:g}s, sizes {sizes}, "
        f"verdict cache {cache}"
    )


def _is_test_module(path: Path, config: pytest.Config) -> bool:
    return path.name == "conftest.py" or any(fnmatch.fnmatch(path.name, p) for p in config.getini("python_files"))


def _is_private(path: Path) -> bool:
    """A `_`-prefixed module is a helper; a package's `__init__.py` may define a derivation."""
    return path.name.startswith("_") and path.name != "__init__.py"


def _is_proof_file(path: Path, config: pytest.Config) -> bool:
    """A proof file, judged by its name and source text without importing it."""
    if path.suffix != ".py" or _is_private(path) or _is_test_module(path, config):
        return False
    if any(fnmatch.fnmatch(path.name, p) for p in config.getini("symderiv_files")):
        return True
    try:
        return _PROOF_SOURCE.search(path.read_text(encoding="utf-8", errors="replace")) is not None
    except OSError:
        return False


def _arg_paths(config: pytest.Config) -> list[Path]:
    """The paths this run collects from: those named on the command line, else testpaths or here."""
    return [(config.invocation_params.dir / arg.split("::")[0]).resolve() for arg in config.args]


def _within(path: Path, roots: Sequence[Path]) -> bool:
    path = path.resolve()
    return any(root == path or root in path.parents for root in roots)


def _named(path: Path, config: pytest.Config) -> bool:
    """Whether the user named this file, or a folder holding it, on the command line."""
    return config.args_source is pytest.Config.ArgsSource.ARGS and _within(path, _arg_paths(config))


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> ProofFile | None:
    config = parent.config
    if file_path.suffix != ".py":
        return None
    if not _enabled(config):
        if _named(file_path, config) and _is_proof_file(file_path, config):
            config.stash[_SUMMARY].hints.add((_OFF, _shown(file_path, config)))
        return None
    if parent.session.isinitpath(file_path):
        # Named on the command line: pytest's Python plugin collects it, through the hook below.
        if not _is_test_module(file_path, config) and not _is_proof_file(file_path, config):
            private = _is_private(file_path) and _PROOF_SOURCE.search(file_path.read_text(errors="replace")) is not None
            config.stash[_SUMMARY].hints.add((_PRIVATE if private else _EMPTY, _shown(file_path, config)))
        return None
    return ProofFile.from_parent(parent, path=file_path) if _is_proof_file(file_path, config) else None


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makemodule(module_path: Path, parent: pytest.Collector) -> ProofFile | None:
    """A proof file named on the command line is a proof file only, not also a module of tests."""
    if _enabled(parent.config) and _is_proof_file(module_path, parent.config):
        return ProofFile.from_parent(parent, path=module_path)
    return None


def _builder_file(ob: Obligation) -> Path | None:
    code = getattr(inspect.unwrap(ob.build), "__code__", None)
    return Path(code.co_filename).resolve() if code is not None else None


class ProofFile(pytest.File):
    """A proof file: one item per size of each obligation whose builder it defines."""

    def collect(self) -> Iterator[ObligationItem]:
        module = load_module(self.path)
        derivations = derivations_in(module)
        if not derivations and self.session.isinitpath(self.path):
            self.config.stash[_SUMMARY].hints.add((_EMPTY, _shown(self.path, self.config)))
        settings, collected = self.config.stash[_SETTINGS], self.config.stash[_SUMMARY].collected
        for derivation in derivations:
            for ob in derivation:
                builder = _builder_file(ob)
                key = (ob.id, builder, getattr(ob.build, "__qualname__", ""))
                if key in collected or self._collected_elsewhere(builder):
                    continue
                collected.add(key)
                own = keeps_own_sizes(ob, settings)
                if own is not None:
                    self.config.stash[_SUMMARY].hints.add((_own_kind(own, ob), ob.id))
                try:
                    sizes = sizes_for(ob, settings)
                except ValueError as exc:
                    given = ",".join(map(str, settings.sizes or ()))
                    raise self.CollectError(f"--symderiv-sizes {given}: {exc}") from None
                every = ob.model is IndexLevel
                count = len(sizes) + every
                if every:  # first: its fixed sizes are checked as its instances
                    name = f"{ob.id}:{ob.name}[{EVERY_SIZE}]"
                    yield ObligationItem.from_parent(
                        self, name=name, obligation=ob, size=None, size_count=count, every_size=True
                    )
                for size in sizes:
                    name = f"{ob.id}:{ob.name}" + (f"[{size}]" if size is not None else "")
                    yield ObligationItem.from_parent(self, name=name, obligation=ob, size=size, size_count=count)

    def _collected_elsewhere(self, builder: Path | None) -> bool:
        """Whether the builder's own file is a proof file this run collects: a package's
        `__init__.py` holds its whole derivation, and an obligation belongs where it is written."""
        if builder is None or builder == self.path.resolve():
            return False
        return _is_proof_file(builder, self.config) and _within(builder, _arg_paths(self.config))


def consistent(status: Status, expected: Status, size_count: int) -> bool:
    """Whether one size's verdict agrees with the obligation's expected verdict (see the module
    docstring): exactly it for a single size, else at least as strong."""
    if size_count == 1:
        return status is expected
    return worst((status, expected)) is expected


class ObligationFailed(Exception):
    def __init__(self, verdict: Verdict) -> None:
        super().__init__(verdict.obligation_id)
        self.verdict = verdict


class ObligationItem(pytest.Item):
    """One obligation at one size (or a size-free obligation, or an index-level one for every size)."""

    def __init__(
        self, *, obligation: Obligation, size: Size | None, size_count: int, every_size: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.obligation = obligation
        self.size = size
        self.size_count = size_count
        self.every_size = every_size

    def runtest(self) -> None:
        settings = self.config.stash[_SETTINGS]
        cache = VerdictCache() if self.config.getoption("symderiv_cache") else None
        t0 = time.perf_counter()
        if self.every_size:
            evidence = self._for_every_size(settings, cache)
        elif self.obligation.model is IndexLevel:
            every = self._for_every_size(settings, cache)
            sizes = sizes_for(self.obligation, settings)
            evidence = fixed_size(self.obligation, self.size, sizes, every, settings, cache)
        else:
            evidence = check_size(self.obligation, self.size, settings, cache)
        verdict = verdict_of(self.obligation, [evidence], settings, time.perf_counter() - t0)
        self.user_properties += [
            ("verdict", str(verdict.status)),
            ("expected", str(verdict.expected)),
            ("size", EVERY_SIZE if self.every_size else str(self.size or "")),
            ("sizes", self.size_count),
            ("reproduce", _command(self.config, self.path, self.obligation, settings.sizes)),
        ]
        if not consistent(verdict.status, verdict.expected, self.size_count):
            raise ObligationFailed(verdict)

    def _for_every_size(self, settings: Settings, cache: VerdictCache | None) -> SizeEvidence:
        """The obligation's evidence for every size, checked once per process (under xdist, once
        per worker that runs one of its items)."""
        known = self.config.stash.setdefault(_EVERY_SIZE, {})
        if id(self.obligation) not in known:
            known[id(self.obligation)] = (self.obligation, check_every_size(self.obligation, settings, cache))
        return known[id(self.obligation)][1]

    def repr_failure(
        self, excinfo: pytest.ExceptionInfo[BaseException], style: TracebackStyle | None = None
    ) -> str | TerminalRepr:
        if not isinstance(excinfo.value, ObligationFailed):
            return super().repr_failure(excinfo, style)
        v = excinfo.value.verdict
        at = f" at {self.size}" if self.size is not None else f" for {EVERY_SIZE}" if self.every_size else ""
        lines = [f"{v.obligation_id} {v.name}: verdict {v.status}{at}, expected {v.expected}"]
        if self.size_count > 1:
            allowed = [str(s) for s in Status if consistent(s, v.expected, self.size_count)]
            either = " or ".join(filter(None, (", ".join(allowed[:-1]), allowed[-1])))
            one = f", and one of them {v.expected}" if len(allowed) > 1 else ""
            lines.append(f"  (each of its {self.size_count} sizes must give {either}{one})")
        lines.append(f"claim: {self.obligation.latex}")
        lines += report.details(v, verbose=True, vocabularies=self.obligation.vocabularies)
        size = (self.size,) if self.size is not None else None
        lines.append(f"reproduce: {_command(self.config, self.path, self.obligation, size)}")
        return "\n".join(lines)

    def reportinfo(self) -> tuple[Path, None, str]:
        return self.path, None, self.name


def _shown(path: Path, config: pytest.Config) -> str:
    """The path as the user would type it: relative to where pytest runs, if inside it."""
    path, here = path.resolve(), config.invocation_params.dir.resolve()
    return str(path.relative_to(here)) if here in path.parents else str(path)


def _command(config: pytest.Config, path: Path, ob: Obligation, sizes: Sequence[Size] | None) -> str:
    """The `symderiv check` command that checks `ob` at `sizes` with this run's settings."""
    settings, defaults = config.stash[_SETTINGS], Settings()
    words = ["symderiv", "check", _shown(path, config), "-k", ob.id]
    checked = sizes_for(ob, dataclasses.replace(settings, sizes=tuple(sizes))) if sizes else []
    if sizes and list(map(str, checked)) == list(map(str, sizes)):
        words += ["--sizes", ",".join(map(str, sizes))]
    words += ["--seed", str(settings.seed)]
    if settings.samples != defaults.samples:
        words += ["--samples", str(settings.samples)]
    if settings.time_limit != defaults.time_limit:
        words += ["--time-limit", f"{settings.time_limit:g}"]
    return shlex.join(words)


@dataclasses.dataclass(frozen=True)
class _SizeResult:
    """What an item's report says of its size, read where the run's reports arrive (under
    pytest-xdist, in the controller)."""

    size: str
    status: Status
    expected: Status
    size_count: int
    passed: bool
    reproduce: str


class RunSummary:
    """Per run: the hints on skipped files, and the expectations judged over every size."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        #: (kind, the path shown to the user or an obligation's id); under pytest-xdist each
        #: worker sends its own.
        self.hints: set[tuple[str, str]] = set()
        #: Obligations already made items, by id, builder file and builder name.
        self.collected: set[tuple[str, Path | None, str]] = set()
        self.sizes: dict[str, list[_SizeResult]] = {}
        self.unmet: list[str] = []
        self.partial: list[str] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        props = dict(report.user_properties)
        if report.when != "call" or "sizes" not in props or "verdict" not in props:
            return
        result = _SizeResult(
            size=str(props["size"]),
            status=Status(props["verdict"]),
            expected=Status(props["expected"]),
            size_count=int(cast(int, props["sizes"])),
            passed=report.passed,
            reproduce=str(props["reproduce"]),
        )
        self.sizes.setdefault(re.sub(r"\[[^\[\]]*\]$", "", report.nodeid), []).append(result)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtestloop(self, session: pytest.Session) -> Generator[None, object, object]:
        result = yield
        if not hasattr(self.config, "workerinput"):
            self._judge()
            session.testsfailed += len(self.unmet)
        return result

    def _judge(self) -> None:
        """Obligations whose every size ran and agreed with the expectation, yet none reached it."""
        for obligation, results in self.sizes.items():
            expected, count = results[0].expected, results[0].size_count
            statuses = {r.size: r.status for r in results}
            if count < 2 or not all(r.passed for r in results) or expected in statuses.values():
                continue
            got = ", ".join(f"{size} {statuses[size]}" for size in sorted(statuses, key=Size.parse))
            if len(statuses) < count:
                self.partial.append(
                    f"{obligation}: expects {expected} at one of its {count} sizes; the {len(statuses)} that ran "
                    f"gave {got}; run them all to judge it"
                )
            else:
                self.unmet.append(
                    f"{obligation}: expected {expected} at one size at least, got {got}; "
                    f"reproduce: {results[0].reproduce}"
                )

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        workeroutput = getattr(self.config, "workeroutput", None)
        if workeroutput is not None:
            workeroutput["symderiv_hints"] = sorted(self.hints)

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: object, error: object) -> None:
        self.hints.update(tuple(h) for h in getattr(node, "workeroutput", {}).get("symderiv_hints", ()))

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        lines = self._hint_lines() + self.partial
        if self.unmet:
            terminalreporter.write_sep("=", "symderiv: obligations not as expected", red=True)
            for line in self.unmet:
                terminalreporter.write_line(f"FAILED {line}")
        if lines:
            terminalreporter.write_sep("-", "symderiv")
            for line in lines:
                terminalreporter.write_line(line)

    def _hint_lines(self) -> list[str]:
        off = sorted(path for kind, path in self.hints if kind == _OFF)
        empty = sorted(path for kind, path in self.hints if kind == _EMPTY)
        private = sorted(path for kind, path in self.hints if kind == _PRIVATE)
        lines = [f"{path} holds no symderiv Derivation: nothing in it is checked" for path in empty]
        lines += [f"{path} is not checked: a file whose name starts with _ is no proof file" for path in private]
        given = ",".join(map(str, self.config.stash[_SETTINGS].sizes or ()))
        for own, why in _OWN_SIZES.items():
            kinds = sorted({kind for kind, _ in self.hints if kind.split(" ")[0] == own.value})
            for kind in kinds:
                ids = sorted(subject for k, subject in self.hints if k == kind)
                axis = kind.partition(" ")[2]
                reason = why.format(one=one_extent(axis) if axis else "")
                lines.append(f"--symderiv-sizes {given} does not apply to {', '.join(ids)} ({reason})")
        if off:
            shown = ", ".join(off[:5]) + (f" and {len(off) - 5} more" if len(off) > 5 else "")
            lines.append(
                f"{shown} {'holds a Derivation' if len(off) == 1 else 'hold Derivations'}, not checked: pass "
                "--symderiv, or set `symderiv = true` in the pytest ini file, to check the obligations"
            )
        return lines
