"""A rerun of `symderiv check` with nothing changed, answered from the record of the last run.

Loading the proofs and importing SymPy cost more than a second before the verdict cache is read, so
after a run of `symderiv check` a record of it is kept in the cache (`runs/`), under a key of what
is known before anything heavy is imported: the command's arguments and working directory,
symderiv's version and a digest of all its source files (the command line's too: it gives the
arguments their meaning), and the versions of Python and of the libraries, read from their
installed metadata.  The record names every file the verdicts depend on, each with its digest: the
proof files found under the paths, every other module of user code the run had loaded (the
helpers), and the Python files in each of their folders (a new module there may be imported in
place of another).  The next run with the same key reads the record first; if every file is as
recorded, it prints the report from the stored verdicts and exits with the stored status, without
importing SymPy or NumPy.  Anything else (another argument, setting or version, a file edited,
added or removed) checks as before, through the verdict cache.

A run is recorded only if every verdict in it is one the cache keeps (`SizeEvidence.reproducible`:
no error, nothing decided by a limit of this machine), no proof module failed to load, the cache
was not bypassed (`--no-cache`), and none of its files, nor symderiv's, changed while it ran.  As for the cache's build index, data that a proof reads from other
files, and modules that a builder imports only while building in a worker process, are not covered.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError
from pathlib import Path

from . import report
from ._version import __version__
from .cache_files import (
    FORMAT,
    default_directory,
    entry_path,
    file_digest,
    library_versions,
    read_entry,
    source_digest,
    source_files,
    write_entry,
)
from .loader import proof_files
from .verdict import Status, Verdict
from .vocabulary import Vocabulary

#: The kind of cache entry a run's record is.
RUNS = "runs"


@dataclass(frozen=True)
class ReportedVerdict:
    """A verdict with what its report lines need of its obligation."""

    verdict: Verdict
    #: The proof file that defines the obligation, for the line that reproduces a counterexample.
    path: Path | None
    vocabularies: tuple[Vocabulary, ...]

    def to_dict(self) -> dict:
        return {
            "verdict": self.verdict.to_dict(),
            "path": str(self.path) if self.path is not None else None,
            "vocabularies": [
                {"name": v.name, "notation": dict(v.notation), "reference_modules": list(v.reference_modules)}
                for v in self.vocabularies
            ],
        }

    @classmethod
    def from_dict(cls, data: dict) -> ReportedVerdict:
        verdict = Verdict.from_dict(data["verdict"])
        for e in verdict.evidence:
            e.cached = True
        return cls(
            verdict,
            Path(data["path"]) if data["path"] is not None else None,
            tuple(Vocabulary(v["name"], v["notation"], tuple(v["reference_modules"])) for v in data["vocabularies"]),
        )


@dataclass(frozen=True)
class CheckRun:
    """What the report of one run of `symderiv check` is printed from, and its exit status."""

    #: As `report.settings_json` gives them.
    settings: dict
    verdicts: tuple[ReportedVerdict, ...]
    exit_status: int
    as_json: bool = False
    timings: bool = False
    quiet: bool = False
    verbose: bool = False
    #: The --samples to name in a reproduce line (None: the default).
    reproduce_samples: int | None = None

    @property
    def recordable(self) -> bool:
        """Whether a rerun may replay this run: every verdict is one the cache keeps."""
        return all(
            r.verdict.status is not Status.ERROR and all(e.reproducible for e in r.verdict.evidence)
            for r in self.verdicts
        )

    def to_dict(self) -> dict:
        return {
            "settings": self.settings,
            "verdicts": [r.to_dict() for r in self.verdicts],
            "exit_status": self.exit_status,
            "as_json": self.as_json,
            "timings": self.timings,
            "quiet": self.quiet,
            "verbose": self.verbose,
            "reproduce_samples": self.reproduce_samples,
        }

    @classmethod
    def from_dict(cls, data: dict) -> CheckRun:
        return cls(
            **{**data, "verdicts": tuple(ReportedVerdict.from_dict(r) for r in data["verdicts"])},
        )


def run_key(argv: Sequence[str]) -> str:
    """SHA-256 of what a run's record is found by: its arguments, where it runs, and the tools."""
    text = "\n".join(
        [
            f"format {FORMAT}",
            RUNS,
            f"symderiv {__version__} ({source_digest()})",
            library_versions(),
            f"cwd {Path.cwd()}",
            f"argv {json.dumps(list(argv))}",
        ]
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _folder_listings(files: Iterable[str]) -> dict[str, list[str]]:
    """The Python files in the folder of each of `files`, by name."""
    folders = sorted({os.path.dirname(f) for f in files})
    return {d: sorted(f for f in os.listdir(d) if f.endswith(".py")) for d in folders}


def _found_proofs(paths: Iterable[Path | str]) -> list[str]:
    return [os.path.abspath(f) for f in proof_files(paths)]


def record(
    argv: Sequence[str],
    paths: Sequence[Path],
    loaded: Sequence[Path],
    run: CheckRun,
    user_files: dict[str, str],
    started_ns: int,
) -> bool:
    """Keep `run`, a run of `symderiv check` with arguments `argv` that began at `started_ns`
    (`time.time_ns`) and loaded the proof files `loaded` found under `paths`, for a rerun to replay,
    if it is `recordable` and nothing changed while it ran (its verdicts may predate the change):
    the same proof files are found, and none of them, of the other modules of user code it loaded
    (`user_files`: absolute path to digest) or of symderiv's files was modified.  True if kept."""
    proofs = _found_proofs(paths)
    if not run.recordable or proofs != [os.path.abspath(f) for f in loaded]:
        return False
    try:
        files = {**user_files, **{f: file_digest(f) for f in proofs}}
        if any(os.stat(f).st_mtime_ns >= started_ns for f in [*map(Path, files), *source_files().values()]):
            return False
    except OSError:  # a file is gone
        return False
    key = run_key(argv)
    entry = {
        "key": key,
        "paths": [str(p) for p in paths],
        "proof_files": proofs,
        "files": files,
        "folders": _folder_listings(files),
        "run": run.to_dict(),
    }
    return write_entry(entry_path(default_directory(), key, RUNS), entry)


def _unchanged(entry: dict) -> bool:
    """Whether every file the recorded run depended on is as it was, and no proof file was added."""
    try:
        if _found_proofs(entry["paths"]) != entry["proof_files"]:
            return False
        if any(file_digest(f) != digest for f, digest in entry["files"].items()):
            return False
        return _folder_listings(entry["files"]) == entry["folders"]
    except OSError:  # a file or folder is gone (FileNotFoundError included)
        return False


def replayed(argv: Sequence[str]) -> int | None:
    """If `argv` is a run of `symderiv check` recorded with nothing changed since, print its report
    from the record and return its exit status; else None."""
    if not argv or argv[0] != "check":
        return None
    try:
        key = run_key(argv)
    except PackageNotFoundError:
        return None  # a library is missing: checking says which
    entry = read_entry(entry_path(default_directory(), key, RUNS))
    if entry is None or entry.get("key") != key:
        return None
    try:
        if not _unchanged(entry):
            return None
        run = CheckRun.from_dict(entry["run"])
    except (KeyError, TypeError, ValueError, AttributeError):
        return None  # a record of another layout: check again
    print_report(run)
    return run.exit_status


def print_report(run: CheckRun) -> None:
    """The report of a replayed run, as `symderiv check` printed it, said to be replayed."""
    verdicts = [r.verdict for r in run.verdicts]
    settings = run.settings
    if run.as_json:
        if not run.quiet:
            print(report.REPLAYED, file=sys.stderr)
        print(report.json_document(verdicts, (), settings, run.timings))
        return
    # A time limit of inf is the string "inf" in the settings' JSON.
    print(report.check_header(len(verdicts), settings["seed"], settings["samples"], float(settings["time_limit"])))
    print(report.REPLAYED)
    for k, r in enumerate(run.verdicts, 1):
        for line in report.verdict_lines(
            k, len(verdicts), r.verdict, run.verbose, r.path, run.reproduce_samples, r.vocabularies
        ):
            print(line)
    print(report.summary(verdicts))
