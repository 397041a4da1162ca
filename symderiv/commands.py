"""The commands of `symderiv`: parsing the arguments, checking and printing the reports (`cli` calls
them when a run cannot be replayed)."""

from __future__ import annotations

import argparse
import dataclasses
import functools
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from . import __version__, export, mutation, replay, report
from .cache import VerdictCache, loaded_user_files
from .checker import OwnSizes, Settings, axis_at_one, check_all, keeps_own_sizes, one_extent, sizes_for
from .loader import LoadFailure, load, proof_files
from .location import where
from .obligation import Derivation, Obligation, Size
from .parallel import available_cores
from .progress import Heartbeat
from .verdict import Status, Verdict

EXIT_OK, EXIT_UNEXPECTED, EXIT_USAGE = 0, 1, 2

#: Called after each verdict of a run: (k, n, verdict).
VerdictHook = Callable[[int, int, Verdict], None]


def _size_list(text: str) -> tuple[Size, ...]:
    try:
        return tuple(Size.parse(t) for t in text.split(","))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _seed(text: str) -> int:
    """A seed for NumPy's generator: an integer >= 0."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {text!r}")
    return value


def _jobs(text: str) -> int:
    """A number of worker processes, or `auto`: every core this process may use."""
    return available_cores() if text == "auto" else _positive_int(text)


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return value


def _add_paths(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="proof files or folders of them (default: ./proofs)",
    )
    p.add_argument("-k", dest="select", metavar="TEXT", help="only obligations whose id or name contains TEXT")


def _add_check_options(p: argparse.ArgumentParser) -> None:
    defaults = Settings()
    p.add_argument(
        "--seed", type=_seed, default=defaults.seed, help="random seed, an integer >= 0 (default %(default)s)"
    )
    p.add_argument(
        "--samples",
        type=_positive_int,
        default=defaults.samples,
        help="random instances per obligation and size (default %(default)s)",
    )
    p.add_argument(
        "--time-limit",
        type=_positive_float,
        default=defaults.time_limit,
        metavar="SECONDS",
        help="CPU seconds for each symbolic rewrite attempt, and for building, compiling and "
        "numerically checking each claim (at least 5); a safety net, since work budgets decide when "
        "a rewrite fails, the same on every machine (default %(default)s)",
    )
    p.add_argument(
        "--sizes",
        type=_size_list,
        metavar="SIZE[,SIZE...]",
        help="model sizes, written as the obligations' own (an MDP's STATESxACTIONS, e.g. 2x2,3x3), for every "
        "obligation with sizes (default: each obligation's own); size-free obligations and those declared at "
        "extent 1 of an axis only (at one state) keep their own, and a note on stderr names them",
    )
    p.add_argument(
        "--jobs",
        "-j",
        type=_jobs,
        default="auto",
        metavar="N",
        help="check in N worker processes, the slowest obligations and sizes first; the verdicts are "
        f"those of a serial run; 1 checks in this process (default auto: every core, here {available_cores()})",
    )
    p.add_argument(
        "--no-cache",
        action="store_true",
        help="check every obligation again instead of reusing verdicts stored for the same claim, "
        "settings and versions, or replaying the last run with the same arguments (cache: "
        "$SYMDERIV_CACHE_DIR, else $XDG_CACHE_HOME/symderiv or ~/.cache/symderiv)",
    )


def _settings(args: argparse.Namespace) -> Settings:
    return Settings(seed=args.seed, samples=args.samples, time_limit=args.time_limit, sizes=args.sizes)


#: Why an obligation checks its own sizes rather than those of --sizes, as a note says it (`one`:
#: extent 1 of the axis, as "one state").
_OWN_SIZES = {
    OwnSizes.SIZE_FREE: "size-free: it builds no model, so there is no size to replace",
    OwnSizes.AT_ONE: "declared at {one} only, as a claim that may hold only there: checked at its own sizes",
}


class _UsageError(Exception):
    """Arguments that do not fit the obligations they apply to: `run` prints it, exit status 2."""


def _note_own_sizes(obligations: Sequence[Obligation], settings: Settings) -> None:
    """Name on stderr the obligations that --sizes does not apply to, and why: an option that
    changes nothing for them should not look as if it did.  Sizes that do not fit an obligation
    they apply to (2x2x2 for a claim on states and actions) are a usage error."""
    kept: dict[tuple[OwnSizes, str], list[str]] = {}
    for ob in obligations:
        why = keeps_own_sizes(ob, settings)
        if why is not None:
            kept.setdefault((why, axis_at_one(ob) or ""), []).append(ob.id)
            continue
        try:
            sizes_for(ob, settings)
        except ValueError as exc:
            raise _UsageError(f"--sizes {','.join(map(str, settings.sizes or ()))}: {exc}") from None
    given = ",".join(map(str, settings.sizes or ()))
    for (why, axis), ids in kept.items():
        reason = _OWN_SIZES[why].format(one=one_extent(axis) if axis else "")
        print(f"note: --sizes {given} does not apply to {', '.join(ids)} ({reason})", file=sys.stderr)


def _check_all(
    args: argparse.Namespace, obligations: Sequence[Obligation], settings: Settings, progress: VerdictHook
) -> list[Verdict]:
    """check_all with the --jobs and --no-cache options, and a line on stderr now and then while a
    phase runs long (unless --quiet)."""
    _note_own_sizes(obligations, settings)
    cache = None if args.no_cache else VerdictCache()
    if getattr(args, "quiet", False):
        return check_all(obligations, settings, progress, cache=cache, jobs=args.jobs)
    with Heartbeat() as heartbeat:

        def on_verdict(k: int, n: int, v: Verdict) -> None:
            progress(k, n, v)
            heartbeat.verdict(k, n)

        return check_all(obligations, settings, on_verdict, cache=cache, jobs=args.jobs, on_phase=heartbeat.phase)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="symderiv",
        description="Machine-check a written derivation step by step: every step is a proof obligation, "
        "simplified to zero symbolically and checked numerically on random instances of its domain.",
    )
    parser.add_argument("--version", action="version", version=f"symderiv {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    check = sub.add_parser(
        "check",
        help="check obligations and print one verdict per line",
        description="Check every obligation and print: id, name, verdict "
        "(proved / argued / numeric / refuted / error), "
        "the rewrite strategy that reached zero, and the time. The exit status is 1 when any verdict differs "
        "from the one the obligation expects, 2 on a usage error.",
    )
    _add_paths(check)
    _add_check_options(check)
    check.add_argument(
        "--json", action="store_true", help="print the verdicts as JSON instead of text (schema: docs/api.md)"
    )
    check.add_argument(
        "--timings",
        action="store_true",
        help="with --json, add each verdict's seconds and cache hits (left out by default, so that "
        "two runs give the same JSON)",
    )
    check.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    check.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="the notes and counterexamples of every verdict (by default only of those not as expected), "
        "and for each size the time spent building the claim, checking its numbers and proving it, and the "
        "symbolic attempts",
    )

    cov = sub.add_parser(
        "coverage",
        help="table of every step of the source -> its obligations -> their verdicts",
        description="Check every obligation and print, per derivation, a Markdown table of each step of the source "
        "with its obligations and their verdicts. Steps with no obligation are listed as MISSING; the exit status "
        "is 1 when a step is missing or a verdict is not as expected.",
    )
    _add_paths(cov)
    _add_check_options(cov)
    cov.add_argument("--no-check", action="store_true", help="list the obligations per step without checking them")

    exporter = sub.add_parser(
        "export",
        help="check obligations and write the derivation as a PDF, LaTeX or Markdown document",
        description="Check every obligation and write a document of the derivation: each step in the source's "
        "order as the source writes it and as the checker encodes it, with its evidence; errata for refuted "
        "steps beside their corrected claims; an appendix of the NumPy reference implementations. A PDF needs "
        "pdflatex (TeX Live) and keeps its .tex beside it. The exit status is 1 when a verdict is not as "
        "expected or the PDF could not be compiled, 2 on a usage error.",
    )
    _add_paths(exporter)
    _add_check_options(exporter)
    exporter.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="FILE",
        help="where to write (default: the proof file's name, or symderiv-export, with the format's extension)",
    )
    exporter.add_argument(
        "--format", choices=export.FORMATS, help="pdf, tex or md (default: from the output's extension, else pdf)"
    )
    exporter.add_argument(
        "--timings",
        action="store_true",
        help="show the seconds each size took (left out by default, so that the same input gives the same document)",
    )

    lister = sub.add_parser(
        "list",
        help="list obligations without checking them",
        description="List every obligation: id, name, expected verdict and sizes.",
    )
    _add_paths(lister)

    mutate = sub.add_parser(
        "mutate",
        help="mutation-test the checks: every wrong variant of a claim should be refuted",
        description="Make small wrong variants of every obligation expected to be proved (a flipped sign, a "
        "dropped or doubled term, gamma for gamma**2, pi and pitilde swapped, a shifted index, P transposed, a "
        "dropped log, ...), check each numerically, and print those not refuted: each is either accidentally "
        "true or a sign that the checks are too weak. Mark the accidentally true ones, each with the reason, in "
        "a file given to --accept. The exit status is 1 when a mutant survives unmarked or a mark is stale.",
    )
    _add_paths(mutate)
    mutate.add_argument(
        "--accept",
        type=Path,
        metavar="FILE",
        help="a JSON object from mutant key (as printed after 'survived: ') to the reason that mutant is true; "
        "those may survive, and are listed with their reasons. A marked mutant that is refuted, or a mark naming "
        "no mutant of an obligation that was mutated, is stale and fails the run",
    )
    mutate.add_argument(
        "--seed",
        type=_seed,
        default=mutation.MUTATION_SETTINGS.seed,
        help="random seed, an integer >= 0 (default %(default)s)",
    )
    mutate.add_argument(
        "--samples",
        type=_positive_int,
        default=mutation.MUTATION_SETTINGS.samples,
        help="random instances per mutant (default %(default)s)",
    )
    mutate.add_argument(
        "--jobs",
        "-j",
        type=_positive_int,
        default=1,
        metavar="N",
        help="check the mutants in N worker processes (default 1)",
    )
    return parser


def _selected(args: argparse.Namespace, obligations: Iterable[Obligation]) -> list[Obligation]:
    return [o for o in obligations if not args.select or args.select in o.id or args.select in o.name]


def _paths(args: argparse.Namespace) -> list[Path]:
    return args.paths or [_proofs_here(args.command)]


def _load(args: argparse.Namespace) -> tuple[list[Derivation], list[LoadFailure]]:
    return load(_paths(args))


def _proofs_here(command: str) -> Path:
    """./proofs, the folder checked when no path is named; without it, a usage error that says
    what to name (rather than checking some other folder in silence)."""
    here = Path("proofs")
    if not here.is_dir():
        raise FileNotFoundError(
            f"no ./proofs folder in {Path.cwd()}; name the proofs: symderiv {command} path/to/proofs, "
            f"or symderiv {command} my_note.py"
        )
    return here


def _obligations(args: argparse.Namespace) -> tuple[list[Obligation], list[LoadFailure]]:
    derivations, failures = _load(args)
    return _selected(args, [ob for d in derivations for ob in d]), failures


def _file_of(ob: Obligation) -> Path | None:
    """The proof file that defines an obligation, for the line that reproduces its counterexample."""
    code = getattr(ob.build, "__code__", None)
    return Path(code.co_filename) if code is not None else None


def _report_failures(failures: Sequence[LoadFailure]) -> None:
    for f in failures:
        print(f"error: could not load {f.path}: {f.message}", file=sys.stderr)


def cmd_check(args: argparse.Namespace, argv: Sequence[str], started_ns: int) -> int:
    """Check and print the report; unless the cache is off, keep a record of the run (with
    arguments `argv`, begun at `started_ns`) that a rerun with nothing changed replays (`replay`)."""
    settings = _settings(args)
    loaded = proof_files(_paths(args))
    obligations, failures = _obligations(args)
    _report_failures(failures)
    if not obligations and not failures:
        print("no obligations found; pass proof files or folders, or run from a folder with ./proofs", file=sys.stderr)
        return EXIT_USAGE
    if not args.json:
        print(report.check_header(len(obligations), settings.seed, settings.samples, settings.time_limit))
    samples = settings.samples if settings.samples != Settings().samples else None

    def progress(k: int, n: int, v: Verdict) -> None:
        if args.json:
            if not args.quiet:
                print(f"[{k}/{n}] {v.obligation_id} {v.status}", file=sys.stderr, flush=True)
            return
        ob = by_id[v.obligation_id]
        for line in report.verdict_lines(k, n, v, args.verbose, _file_of(ob), samples, ob.vocabularies):
            print(line, flush=True)

    by_id = {ob.id: ob for ob in obligations}
    verdicts = _check_all(args, obligations, settings, progress)
    if args.json:
        print(report.to_json(verdicts, failures, settings, timings=args.timings))
    else:
        print(report.summary(verdicts, len(failures)))
    ok = all(v.as_expected for v in verdicts) and not failures
    status = EXIT_OK if ok else EXIT_UNEXPECTED
    if not args.no_cache and not failures:  # a failure to load may not be the files' doing
        run = replay.CheckRun(
            report.settings_json(settings),
            tuple(
                replay.ReportedVerdict(v, _file_of(by_id[v.obligation_id]), by_id[v.obligation_id].vocabularies)
                for v in verdicts
            ),
            status,
            as_json=args.json,
            timings=args.timings,
            quiet=args.quiet,
            verbose=args.verbose,
            reproduce_samples=samples,
        )
        replay.record(argv, _paths(args), loaded, run, loaded_user_files(), started_ns)
    return status


def cmd_coverage(args: argparse.Namespace) -> int:
    derivations, failures = _load(args)
    _report_failures(failures)
    settings = _settings(args)
    ok = not failures
    for d in derivations:
        obligations = _selected(args, list(d))
        verdicts = None
        if not args.no_check:

            def progress(k: int, n: int, v: Verdict) -> None:
                print(f"[{k}/{n}] {v.obligation_id} {v.status}", file=sys.stderr, flush=True)

            verdicts = _check_all(args, obligations, settings, progress)
            ok = ok and all(v.as_expected for v in verdicts)
        table, missing = report.coverage(d, verdicts)
        print(table + "\n")
        if missing:
            print(f"steps with no obligation: {', '.join(missing)}\n")
            ok = False
    return EXIT_OK if ok else EXIT_UNEXPECTED


def cmd_export(args: argparse.Namespace) -> int:
    fmt = args.format or (args.output.suffix.lstrip(".") if args.output else "") or "pdf"
    if fmt not in export.FORMATS:
        print(
            f"symderiv: error: cannot tell the format of {args.output}; pass --format " + "|".join(export.FORMATS),
            file=sys.stderr,
        )
        return EXIT_USAGE
    if fmt == "pdf" and export.find_pdflatex() is None:
        print(
            "symderiv: error: pdflatex not found; install TeX Live (Debian: texlive-latex-base "
            "texlive-latex-recommended) or pass --format tex",
            file=sys.stderr,
        )
        return EXIT_USAGE
    derivations, failures = _load(args)
    _report_failures(failures)
    settings = _settings(args)

    def progress(k: int, n: int, v: Verdict) -> None:
        print(f"[{k}/{n}] {v.obligation_id} {v.status}", file=sys.stderr, flush=True)

    reports = []
    for d in derivations:
        obligations = _selected(args, list(d))
        if obligations:
            with export.showing(obligations, settings):
                verdicts = _check_all(args, obligations, settings, progress)
                try:
                    reports.append(export.report_derivation(d, verdicts, settings, complete=not args.select))
                except ValueError as exc:
                    print(f"symderiv: error: {exc}", file=sys.stderr)
                    return EXIT_USAGE
    if not reports:
        print("no obligations found; pass proof files or folders, or run from a folder with ./proofs", file=sys.stderr)
        return EXIT_USAGE
    document = export.build_document(reports, settings, timings=args.timings)
    single_file = len(args.paths) == 1 and args.paths[0].is_file()
    output = args.output or Path((args.paths[0].stem if single_file else "symderiv-export") + "." + fmt)
    try:
        written = export.write(document, output, fmt)
    except export.TexError as exc:
        print(f"symderiv: error: {exc}", file=sys.stderr)
        return EXIT_UNEXPECTED
    print(document.summary() + "; wrote " + ", ".join(map(str, written)))
    ok = not document.unexpected and not failures
    return EXIT_OK if ok else EXIT_UNEXPECTED


def cmd_list(args: argparse.Namespace) -> int:
    obligations, failures = _obligations(args)
    _report_failures(failures)
    for ob in obligations:
        sizes = ",".join(map(str, ob.sizes)) if ob.sizes else "-"
        print(f"{ob.id:<14} {ob.name:<44} expect {str(ob.expect):<8} sizes {sizes}")
    return EXIT_UNEXPECTED if failures else EXIT_OK


def cmd_mutate(args: argparse.Namespace) -> int:
    try:
        marks = mutation.read_marks(args.accept) if args.accept else {}
    except ValueError as exc:
        print(f"symderiv: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    obligations, failures = _obligations(args)
    _report_failures(failures)
    settings = dataclasses.replace(mutation.MUTATION_SETTINGS, seed=args.seed, samples=args.samples)
    todo, unbuilt = [], 0
    for ob in obligations:
        try:
            todo += mutation.mutants([ob])
        except Exception as exc:
            unbuilt += 1
            print(
                f"error: {ob.id}: could not build the claim to mutate: {type(exc).__name__}: {exc} "
                f"({where(exc, ob.defined_at)})",
                file=sys.stderr,
            )
    print(
        f"symderiv {__version__}: {len(todo)} mutants of {len(obligations)} obligations, seed {settings.seed}, "
        f"{settings.samples} samples"
    )

    def survivor(m: mutation.Mutant, v: Verdict) -> None:
        if v.status is not Status.REFUTED and m.key not in marks:
            print(f"survived: {m.key} ({v.status}{': ' + v.message if v.message else ''})", flush=True)

    result = mutation.run(todo, settings, marks, on_result=survivor, jobs=args.jobs)
    for m, reason in result.named_true:
        print(f"accidentally true: {m.key}: {reason}")
    for m, v in result.refuted_but_named_true:
        evidence = v.counterexample.describe() if v.counterexample else v.message
        print(
            f"stale mark in {args.accept}: {m.key} is refuted ({evidence}); "
            "the reason given is wrong, or the refutation is: remove the mark or report it"
        )
    for key in result.unknown_names:
        print(f"stale mark in {args.accept}: {key} names no mutant; remove it, or rename it as printed")
    print(result.summary())
    if result.survivors:
        print(
            "each survivor is a check too weak to refute it, or accidentally true: strengthen the checks, "
            "or mark it with the reason it is true in a JSON file given to --accept (docs/mutation.md)"
        )
    stale = result.refuted_but_named_true or result.unknown_names
    return EXIT_OK if not (result.survivors or stale or failures or unbuilt) else EXIT_UNEXPECTED


def run(argv: Sequence[str], started_ns: int) -> int:
    """Run the command that `argv` names, begun at `started_ns` (`time.time_ns`)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        commands: dict[str, Callable[[argparse.Namespace], int]] = {
            "check": functools.partial(cmd_check, argv=argv, started_ns=started_ns),
            "coverage": cmd_coverage,
            "export": cmd_export,
            "list": cmd_list,
            "mutate": cmd_mutate,
        }
        return commands[args.command](args)
    except (FileNotFoundError, _UsageError) as exc:
        print(f"symderiv: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
