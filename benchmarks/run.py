"""symderiv's performance benchmark: prints Markdown tables of what it measures.

    python benchmarks/run.py                       # every section
    python benchmarks/run.py --section numeric     # one section (first-run, note, numeric, symbolic, scaling,
                                                   # gradient, groundtypes, headroom, every-size, named)

Sections (targets in docs/performance.md):

* first-run: README command 1, every bundled proof at its declared sizes with a worker per core:
  cold, again with nothing changed (replayed from the run's record, before SymPy is imported),
  and again without that record (every verdict from the verdict cache); and the note alone, cold.
* note: the whole note (proofs/soft_q_learning/, or --proofs) with
  `symderiv check --sizes 2x2` (default samples) in a fresh
  process: cold (an empty cache), again with nothing changed (replayed from the run's record),
  and cold with --jobs 2; the verdicts of the three runs must be identical.
* numeric: instances per second of the numeric check on the per-state obligations,
  against a SymPy `evalf(subs=...)` loop on the same obligation in the same run.
* symbolic: the strategy pipeline against plain `sympy.simplify` on every zero-test of
  every obligation of the note, same time limit, same run.
* scaling: the whole note at |S| x |A| in (2,2), (2,3), (3,3), and at the sizes its proof file
  declares (1 to 3 states), each in a fresh process.
* gradient: the gradient obligations (step N15 of the note, or --gradient-step) up to (4,4).
* groundtypes: the note's symbolic time under each SymPy ground type that is installed.
* every-size: each index-level claim of the bundled proofs, its proof for every size and its
  numbers at random sizes up to 12x30 (with --baseline REF, also the CPU time of those numbers by
  the code of commit REF, in a fresh process), against the fixed-size proof of the same step at
  its largest declared size, beside the calibration workload's time.
* named: building the note's claims with each named quantity's expansion shared (once per
  definition and arguments), against rebuilding it at every application.
* headroom: every bundled proof at its declared sizes, cold: per obligation the time spent
  building, checking numbers and proving, and its longest symbolic attempt in CPU seconds
  against the time limit (the headroom; every obligation expected proved needs at least 5).

Every run prints the time of a fixed calibration workload (SymPy, FLINT and NumPy work that
does not change between versions) beside the machine, so that figures from two machines can
be compared through it.

Obligations are discovered from the proof files, never listed here.  Times are wall
clock and CPU (user + system, the process and its children); the machine may be
shared, so the load average is printed with every section.  The benchmark runs on a
copy of symderiv/ and proofs/ taken when it starts, so that edits made to the working
tree while it runs do not mix into its tables (or invalidate its verdict cache).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import sympy as sp

SOURCE = Path(__file__).resolve().parent.parent
_snapshot = tempfile.TemporaryDirectory(prefix="symderiv-benchmark-")
REPO = Path(_snapshot.name)
for _part in ("symderiv", "proofs"):
    shutil.copytree(SOURCE / _part, REPO / _part, ignore=shutil.ignore_patterns("__pycache__"))
sys.path.insert(0, str(REPO))

from symderiv import numeric, replay, rules, symbolic  # noqa: E402
from symderiv.allocation import collect_less_often, keep_freed_memory  # noqa: E402
from symderiv.cache_files import FORMAT  # noqa: E402
from symderiv.checker import Settings, _comparisons, instance_seed, sizes_for  # noqa: E402
from symderiv.claims import Equal, Inequality, NonNegative  # noqa: E402
from symderiv.loader import load, proof_files  # noqa: E402
from symderiv.obligation import Size  # noqa: E402
from symderiv.rl import mdp_size  # noqa: E402
from symderiv.verdict import Status  # noqa: E402

#: What is measured: the note by default (--proofs), a path inside the repository.
PROOFS = REPO / "proofs" / "soft_q_learning"
SYMDERIV = [sys.executable, "-m", "symderiv.cli"]


# -- measuring -------------------------------------------------------------------------------


def _cpu_seconds() -> float:
    """User + system time of this process and of every child it has waited for."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measured(fn):
    """(result, wall seconds, CPU seconds) of fn()."""
    wall0, cpu0 = time.perf_counter(), _cpu_seconds()
    result = fn()
    return result, time.perf_counter() - wall0, _cpu_seconds() - cpu0


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def row_text(row: list) -> str:
    return "| " + " | ".join(f"{x:.3g}" if isinstance(x, float) else str(x) for x in row) + " |"


def table(header: list[str], rows) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return "\n".join(lines + [row_text(row) for row in rows])


def print_table(header: list[str], rows) -> None:
    """Print the table row by row as `rows` yields them, so that a long section shows progress."""
    print(table(header, []), flush=True)
    for row in rows:
        print(row_text(row), flush=True)


def machine() -> str:
    model = (
        next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            platform.processor() or "unknown CPU",
        )
        if Path("/proc/cpuinfo").exists()
        else platform.processor()
    )
    memory = ""
    if Path("/proc/meminfo").exists():
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 2**20:.0f} GiB memory"
    return (
        f"{model}, {os.cpu_count()} cores{memory}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, SymPy {sp.__version__}, NumPy {np.__version__}"
    )


def calibration() -> float:
    """CPU seconds of a fixed workload, as the checker's work is made: a SymPy expansion, a FLINT
    polynomial product and a NumPy evaluation, each a fixed size.  SymPy's cache is emptied first,
    so that a second call in the same process does the same work (it took 0.28 s against 1.2 s)."""
    import flint
    from sympy.core.cache import clear_cache

    clear_cache()
    cpu0 = time.process_time()
    x, y, z = sp.symbols("x y z")
    sp.expand((x + y + z + 1) ** 18)
    ctx = flint.fmpq_mpoly_ctx.get(("a", "b", "c", "d"), "degrevlex")
    a, b, c, d = ctx.gens()
    (a + b + c + d + 1) ** 14 * (a - b + 2 * c - d + 3) ** 14
    values = np.linspace(0.1, 2.0, 2_000_000)
    for _ in range(5):
        np.log(np.exp(values) + values**2).sum()
    return time.process_time() - cpu0


def obligations():
    derivations, failures = load([PROOFS])
    for f in failures:
        print(f"warning: could not load {f.path}: {f.message}", file=sys.stderr)
    return [ob for d in derivations for ob in d]


def is_per_state(ob) -> bool:
    return ob.sizes is not None and all(s["states"] == 1 for s in ob.sizes)


def run_cli(args: list[str], cache_dir: str, extra_env: dict | None = None, target: Path | None = None):
    """`symderiv check TARGET ... --json -q` in a fresh process: (verdicts, wall, CPU).  Serial unless
    `args` ask for --jobs (the command's default is a worker per core), so that rows compare alike."""
    args = args if "--jobs" in args else [*args, "--jobs", "1"]
    env = {**os.environ, "SYMDERIV_CACHE_DIR": cache_dir, "PYTHONPATH": str(REPO), **(extra_env or {})}
    proc, wall, cpu = measured(
        lambda: subprocess.run(
            [*SYMDERIV, "check", str(target or PROOFS), "--json", "--timings", "-q", *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=REPO,
        )
    )
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"symderiv check {' '.join(args)} failed:\n{proc.stderr}")
    return json.loads(proc.stdout)["verdicts"], wall, cpu


def verdict_summary(verdicts) -> list:
    """What must not change between runs: statuses, strategies, counterexamples, instances."""
    return [
        (
            v["obligation_id"],
            v["status"],
            [(e["size"], e["status"], e["strategy"], e["instances"], e["counterexample"]) for e in v["evidence"]],
        )
        for v in verdicts
    ]


def counts(verdicts) -> str:
    statuses = [v["status"] for v in verdicts]
    return ", ".join(f"{statuses.count(s)} {s}" for s in ("proved", "numeric", "refuted", "error") if s in statuses)


# -- sections ----------------------------------------------------------------------------------


def section_note(args) -> None:
    print(f"## Whole note, --sizes 2x2, {args.samples} samples (load average {load_average()})\n")
    with tempfile.TemporaryDirectory() as cache_dir:
        common = ["--sizes", "2x2", "--samples", str(args.samples)]
        cold, cold_wall, cold_cpu = run_cli(common, cache_dir)
        warm, warm_wall, warm_cpu = run_cli(common, cache_dir)
        cached = sum(e["cached"] for v in warm for e in v["evidence"])
        total = sum(len(v["evidence"]) for v in warm)
    with tempfile.TemporaryDirectory() as cache_dir:
        jobs, jobs_wall, jobs_cpu = run_cli([*common, "--jobs", "2"], cache_dir)
    same = verdict_summary(cold) == verdict_summary(warm) == verdict_summary(jobs)
    print(
        table(
            ["run", "wall s", "CPU s", "verdicts", "target"],
            [
                ["cold (empty cache)", cold_wall, cold_cpu, counts(cold), "< 20 s wall"],
                [
                    f"repeated, nothing changed ({cached}/{total} sizes from the cache)",
                    warm_wall,
                    warm_cpu,
                    counts(warm),
                    "< 2 s wall",
                ],
                ["cold, --jobs 2", jobs_wall, jobs_cpu, counts(jobs), "same verdicts"],
            ],
        )
    )
    print(
        f"\nVerdicts identical across the three runs: {'yes' if same else 'NO'}; "
        f"{len(cold)} obligations. Load average after: {load_average()}\n"
    )


def section_first_run(args) -> None:
    """README command 1 as a new user meets it: every bundled proof at its declared sizes, cold and
    again with nothing changed, with every core (`--jobs auto`, the default): the rerun replayed
    from the run's record, and once more without the record, through the verdict cache alone; and
    the note alone."""
    print(f"## First run: every bundled proof at its declared sizes (load average {load_average()})\n")
    rows = []
    with tempfile.TemporaryDirectory() as cache_dir:
        every = ["--jobs", "auto"]
        cold, cold_wall, cold_cpu = run_cli(every, cache_dir, target=REPO / "proofs")
        warm, warm_wall, warm_cpu = run_cli(every, cache_dir, target=REPO / "proofs")
        shutil.rmtree(Path(cache_dir) / f"v{FORMAT}" / replay.RUNS, ignore_errors=True)
        cached, cached_wall, cached_cpu = run_cli(every, cache_dir, target=REPO / "proofs")
        hits = sum(e["cached"] for v in cached for e in v["evidence"])
        total = sum(len(v["evidence"]) for v in cached)
        same = verdict_summary(cold) == verdict_summary(warm) == verdict_summary(cached)
        rows += [
            ["every bundled proof, cold, --jobs auto", cold_wall, cold_cpu, counts(cold), "< 60 s wall"],
            ["the same again, replayed from the run's record", warm_wall, warm_cpu, counts(warm), "< 1 s wall"],
            [
                f"the same again without the record ({hits}/{total} from the verdict cache)",
                cached_wall,
                cached_cpu,
                counts(cached),
                "same verdicts" if same else "DIFFERENT VERDICTS",
            ],
        ]
    with tempfile.TemporaryDirectory() as cache_dir:
        note, note_wall, note_cpu = run_cli(["--jobs", "auto"], cache_dir)
        rows.append(["the note alone, cold, --jobs auto", note_wall, note_cpu, counts(note), "< 20 s wall"])
    print(table(["run", "wall s", "CPU s", "verdicts", "target"], rows))
    print(f"\nLoad average after: {load_average()}\n")


def _evalf_rate(cmp, values, count: int, budget: float = 5.0) -> float:
    """Instances per second of SymPy's evalf(subs=...) on both sides of every element
    (`count` instances, or as many as `budget` seconds allow: it is that slow)."""
    exprs = list(cmp._exprs[0]) + list(cmp._exprs[1])
    t0 = time.perf_counter()
    done = 0
    while done < count and (done == 0 or time.perf_counter() - t0 < budget):
        point = {s: float(values[s][done]) for s in cmp.symbols}
        for e in exprs:
            e.evalf(subs=point)
        done += 1
    return done / (time.perf_counter() - t0)


def section_numeric(args) -> None:
    n = args.instances
    print(f"## Numeric throughput, {n:.0e} instances per check (load average {load_average()})\n")
    print(
        "The identities of the per-state obligations (an inequality's: those of its certificate), at the "
        "largest size. `numeric check` is sampling + evaluation + comparison + any high-precision re-checks, "
        "per second of wall clock and of CPU, best of three runs; `evaluate` alone is the compiled function; "
        "`without cse` compiles [lhs, rhs, scale] as nested lists, where SymPy's lambdify applies no "
        "common-subexpression elimination.\n"
    )
    print_table(
        [
            "identity",
            "size",
            "elements",
            "numeric check inst/s (wall)",
            "(CPU)",
            "evaluate inst/s",
            "evaluate without cse inst/s",
            "SymPy evalf inst/s",
            "check / evalf (wall)",
            "result",
        ],
        _numeric_rows(n, args),
    )
    print(f"\nTarget: at least 1e6 instances/s for the numeric check. Load average after: {load_average()}\n")


def _numeric_rows(n, args):
    """One row per identity of a per-state obligation, at its largest size."""
    for ob in obligations():
        if not is_per_state(ob):
            continue
        size = ob.sizes[-1]
        claim = ob.build_for(size)
        for label, cmp, _ in _comparisons(claim):
            if cmp.relation == "==":
                yield [f"{ob.id} {label}".strip(), str(size), *_throughput(ob, size, cmp, n, args)]


def _throughput(ob, size, cmp, n, args) -> list:
    """elements, check rate (wall, CPU), evaluate rate with and without cse, evalf rate, ratio, result.
    The check's times are the best of three runs on the same instances (the machine may be shared)."""
    runs = [
        measured(lambda: numeric.check(cmp, np.random.default_rng(instance_seed(0, ob.id, size)), n, 1e-9))
        for _ in range(3)
    ]
    result = runs[0][0]
    wall, cpu = min(r[1] for r in runs), min(r[2] for r in runs)
    values = cmp.domains.sample(np.random.default_rng(1), n)
    _, evaluate_wall, _ = measured(lambda: cmp.evaluate(values, n))
    nested = sp.lambdify(cmp.symbols, list(cmp._exprs), modules="numpy", cse=True)
    arrays = [values[s] for s in cmp.symbols]
    with np.errstate(all="ignore"):
        _, nested_wall, _ = measured(lambda: nested(*arrays))
    evalf = _evalf_rate(cmp, values, args.evalf_instances)
    return [
        len(cmp.index),
        n / wall,
        n / cpu,
        n / evaluate_wall,
        n / nested_wall,
        evalf,
        f"{n / wall / evalf:.0f}x",
        "agreed" if result.agreed else "REFUTED" if result.mismatch is not None else f"undecided: {result.message}",
    ]


def _zero_tests(claim):
    """(label, differences, eliminations) of every identity a claim's symbolic proof needs, and
    the number of sign facts (proved the same way by both approaches, so not compared)."""
    if isinstance(claim, Equal):
        return [("", claim.differences(), claim.domain.eliminations())], 0
    if isinstance(claim, NonNegative):
        if claim.convex_in is not None:
            vanish, _ = claim.convexity_certificate()
            return [("convexity", vanish, {})], 1
        return [], 1
    tests, signs = [], 0
    for premise in rules.implication(claim).premises if isinstance(claim, Inequality) else ():
        t, s = _zero_tests(premise.claim)
        tests += t
        signs += s
    return tests, signs


def _symbolic_rows(limit, totals):
    """One row per (obligation, size): time and outcome of each approach; adds to `totals`."""
    simplify = (symbolic.Strategy("simplify", sp.simplify),)
    settings = Settings(sizes=(mdp_size(2, 2),))
    for ob in obligations():
        if ob.expect is Status.REFUTED:
            continue  # a check refutes it by numbers; it never reaches the symbolic engine
        for size in sizes_for(ob, settings):
            tests, _ = _zero_tests(ob.build_for(size))
            if not tests:
                continue
            row = [ob.id, str(size) if size else "-", sum(len(d) for _, d, _ in tests)]
            for name, strategies, use_constraints in (
                ("pipeline", symbolic.DEFAULT_STRATEGIES, True),
                ("simplify", simplify, False),
                ("simplify+constraints", simplify, True),
            ):

                def prove(tests=tests, strategies=strategies, use_constraints=use_constraints):
                    return all(
                        symbolic.prove_zero(
                            d, eliminations=e if use_constraints else None, strategies=strategies, time_limit=limit
                        ).zero
                        for _, d, e in tests
                    )

                proved, wall, _ = measured(prove)
                totals[name][0] += wall
                totals[name][1] += proved
                row += [wall, "yes" if proved else "no"]
            totals["rows"][0] += 1
            yield row


def section_symbolic(args) -> None:
    limit = args.time_limit
    print(
        f"## Symbolic: pipeline against sympy.simplify, time limit {limit:g} s per attempt "
        f"(load average {load_average()})\n"
    )
    print(
        "Every obligation of the note expected to hold (a check refutes the others by numbers before any "
        "symbolic attempt), multi-state at 2x2, per-state at each of their sizes, every identity "
        "its proof needs. `simplify alone`: simplify(lhs - rhs) == 0, nothing else. `simplify + constraints`: "
        "the engine with simplify as its only strategy, so that Σπ = 1 can be used. Each attempt runs in the "
        "engine's forked worker under the same time limit. Sign facts (NonNegative) are proved from "
        "assumptions by both and left out.\n"
    )
    totals = {"pipeline": [0.0, 0], "simplify": [0.0, 0], "simplify+constraints": [0.0, 0], "rows": [0, 0]}
    print_table(
        [
            "obligation",
            "size",
            "zero-tests",
            "pipeline s",
            "proved",
            "simplify alone s",
            "proved",
            "simplify + constraints s",
            "proved",
        ],
        _symbolic_rows(limit, totals),
    )
    p, s, sc = totals["pipeline"], totals["simplify"], totals["simplify+constraints"]
    print(
        f"\nTotals over {totals['rows'][0]} (obligation, size) pairs: pipeline {p[0]:.1f} s, {p[1]} proved; "
        f"simplify alone {s[0]:.1f} s, {s[1]} proved ({s[0] / p[0]:.1f}x the pipeline's time); "
        f"simplify + constraints {sc[0]:.1f} s, {sc[1]} proved ({sc[0] / p[0]:.1f}x). "
        f"Target: the pipeline proves at least as many, at least 5x faster. Load average after: "
        f"{load_average()}\n"
    )


def _split(verdicts) -> tuple[float, float, float]:
    """Seconds spent building claims, checking numerically (compile, sample, evaluate), proving."""
    build = sum(e.get("seconds_build", 0.0) for v in verdicts for e in v["evidence"])
    numeric_ = sum(e["seconds_numeric"] for v in verdicts for e in v["evidence"]) - build
    prove = sum(e["seconds_symbolic"] for v in verdicts for e in v["evidence"])
    return build, numeric_, prove


SCALING_HEADER = [
    "size",
    "obligations",
    "wall s",
    "CPU s",
    "build s",
    "numeric s",
    "symbolic s",
    "dominant",
    "slowest",
    "verdicts",
]


def _scaling_rows(sizes, extra_args, samples, target=None):
    """One row per size; None runs every obligation at the sizes its proof file declares."""
    for size in sizes:
        forced = ["--sizes", str(size)] if size is not None else []
        with tempfile.TemporaryDirectory() as cache_dir:
            verdicts, wall, cpu = run_cli(
                [*forced, "--samples", str(samples), "--no-cache", *extra_args], cache_dir, target=target
            )
        build, num, prove = _split(verdicts)
        dominant = max((("build", build), ("numeric", num), ("symbolic", prove)), key=lambda kv: kv[1])[0]
        slowest = max(verdicts, key=lambda v: v["seconds"])
        yield [
            str(size) if size is not None else "declared",
            len(verdicts),
            wall,
            cpu,
            build,
            num,
            prove,
            dominant,
            f"{slowest['obligation_id']} {slowest['seconds']:.1f} s",
            counts(verdicts),
        ]


def _file_with_step(step: str) -> Path | None:
    """The proof file (of all in proofs/) with an obligation for `step`."""
    for path in proof_files([REPO / "proofs"]):
        derivations, _ = load([path])
        if any(ob.step == step for d in derivations for ob in d):
            return path
    return None


def section_scaling(args) -> None:
    print(f"## Scaling with the model's size, {args.samples} samples (load average {load_average()})\n")
    print(
        "Whole note, each size in a fresh process with an empty cache; `--sizes` sets the multi-state "
        "obligations' size, per-state obligations keep their own (1x2..1x4) in every row. build, numeric "
        "and symbolic are summed over obligations (build: constructing the claims; numeric: compiling, "
        "sampling, evaluating, high-precision re-checks; symbolic: the forked proof attempts). The row "
        "`declared` checks every obligation at every size its proof file declares (1 to 3 states).\n"
    )
    print_table(SCALING_HEADER, _scaling_rows([mdp_size(2, 2), mdp_size(2, 3), mdp_size(3, 3), None], [], args.samples))
    print(f"\nTarget: the whole note at 3x3 in under 2 minutes. Load average after: {load_average()}\n")


def section_gradient(args) -> None:
    step = args.gradient_step
    print(f"## Gradient obligations up to 4x4 (load average {load_average()})\n")
    source = _file_with_step(step)
    if source is None:
        print(f"No obligation for step {step} in proofs/ yet.\n")
        return
    print(
        f"Step {step} of {source.relative_to(REPO)}, {args.samples} samples, each size in a fresh process "
        "with an empty cache.\n"
    )
    sizes = [mdp_size(2, 2), mdp_size(2, 3), mdp_size(3, 3), mdp_size(3, 4), mdp_size(4, 4)]
    print_table(SCALING_HEADER, _scaling_rows(sizes, ["-k", step], args.samples, source))
    print(f"\nLoad average after: {load_average()}\n")


def section_groundtypes(args) -> None:
    print(f"## SymPy ground types, whole note at 2x2, 1000 samples (load average {load_average()})\n")
    rows = []
    for ground in ("python", "gmpy", "flint"):
        env = {**os.environ, "SYMPY_GROUND_TYPES": ground}
        probe = subprocess.run(
            [sys.executable, "-c", "import sympy.external.gmpy as g; print(g.GROUND_TYPES)"],
            capture_output=True,
            text=True,
            env=env,
        )
        if probe.stdout.strip() != ground:
            rows.append([ground, "not installed", "", "", ""])
            continue
        with tempfile.TemporaryDirectory() as cache_dir:
            verdicts, wall, cpu = run_cli(
                ["--sizes", "2x2", "--samples", "1000", "--no-cache"], cache_dir, {"SYMPY_GROUND_TYPES": ground}
            )
        rows.append([ground, wall, cpu, _split(verdicts)[2], counts(verdicts)])
    print(table(["ground types", "wall s", "CPU s", "symbolic s", "verdicts"], rows))
    print(f"\nLoad average after: {load_average()}\n")


def section_headroom(args) -> None:
    print(f"## Headroom: every bundled proof, declared sizes, cold (load average {load_average()})\n")
    with tempfile.TemporaryDirectory() as cache_dir:
        verdicts, wall, cpu = run_cli(
            ["--samples", str(args.samples), "--time-limit", str(args.time_limit)], cache_dir, target=REPO / "proofs"
        )
    rows = []
    for v in verdicts:
        sizes = v["evidence"]
        worst = max(sizes, key=lambda e: e["seconds_worst_attempt"])
        build = sum(e["seconds_build"] for e in sizes)
        numeric_s = sum(e["seconds_numeric"] for e in sizes) - build
        symbolic_s = sum(e["seconds_symbolic"] for e in sizes)
        headroom = args.time_limit / worst["seconds_worst_attempt"] if worst["seconds_worst_attempt"] else float("inf")
        rows.append(
            [
                v["obligation_id"],
                v["status"],
                build,
                numeric_s,
                symbolic_s,
                f"{worst['seconds_worst_attempt']:.2f} at {worst['size'] or '-'}",
                headroom,
            ]
        )
    rows.sort(key=lambda r: r[-1])
    print(
        table(
            [
                "obligation",
                "verdict",
                "build s",
                "numeric s",
                "symbolic s",
                "longest attempt, CPU s",
                f"headroom (limit {args.time_limit:g} s)",
            ],
            rows,
        )
    )
    proved = [r for r in rows if r[1] == "proved"]
    low = [r[0] for r in proved if r[-1] < 5]
    print(
        f"\n{len(verdicts)} obligations ({counts(verdicts)}) in {wall:.1f} s wall, {cpu:.1f} s CPU. "
        f"Least headroom of a proved obligation: {min((r[-1] for r in proved), default=float('inf')):.1f}x; "
        f"below 5x: {', '.join(low) or 'none'}. Load average after: {load_average()}\n"
    )


#: CPU seconds of `large_sizes.check` per obligation of proofs/every_size.py, printed as JSON by
#: a fresh process run in a copy of another commit's code (`--baseline`).
_NUMBERS_CPU = """
import json, sys, time
from pathlib import Path
import numpy as np
from symderiv import large_sizes
from symderiv.checker import Settings, instance_seed
from symderiv.indexed import IndexLevel
from symderiv.loader import load

samples = int(sys.argv[1])
settings = Settings(samples=samples)
cpu = {}
for ob in (ob for d in load([Path("proofs/every_size.py")])[0] for ob in d):
    claim = ob.build(IndexLevel())
    rng = np.random.default_rng(instance_seed(settings.seed, ob.id, None))
    start = time.process_time()
    large_sizes.check(claim, rng, samples, settings.rtol)
    cpu[ob.id] = time.process_time() - start
print(json.dumps(cpu))
"""


def baseline_numbers_cpu(ref: str, samples: int) -> dict[str, float]:
    """The CPU seconds of the numbers at large sizes per every-size obligation by the code of commit
    `ref`: the before of a change to `large_sizes`, measured beside its after in the same run."""
    with tempfile.TemporaryDirectory(prefix="symderiv-baseline-") as copy:
        archive = subprocess.run(
            ["git", "archive", ref, "symderiv", "proofs"], cwd=SOURCE, capture_output=True, check=True
        )
        subprocess.run(["tar", "-x", "-C", copy], input=archive.stdout, check=True)
        run = subprocess.run(
            [sys.executable, "-c", _NUMBERS_CPU, str(samples)],
            cwd=copy,
            env={**os.environ, "PYTHONPATH": copy},
            capture_output=True,
            text=True,
            check=True,
        )
    return json.loads(run.stdout)


def section_every_size(args) -> None:
    """Each index-level claim of the bundled proofs: its proof for every size and its numbers at
    random sizes up to 12x30 (and by the code of --baseline), against the fixed-size proof of the
    same step at its largest size."""
    from symderiv import large_sizes, sums
    from symderiv.checker import _symbolic
    from symderiv.indexed import IndexLevel

    print(
        f"## Every size: index-level proofs against fixed-size ones (load average {load_average()}; "
        f"calibration workload {calibration():.2f} s CPU)\n"
    )
    settings = Settings(samples=args.samples, time_limit=args.time_limit)
    bundled = [ob for d in load([REPO / "proofs"])[0] for ob in d]
    index_level = [ob for ob in bundled if ob.model is IndexLevel]
    baseline = baseline_numbers_cpu(args.baseline, args.samples) if args.baseline else {}
    fixed = {ob.id: ob for ob in bundled if ob.sizes is not None and ob.model is not IndexLevel}

    def fixed_counterpart(ob):
        """The note's fixed-size obligation of the same claim: N13.state_kernel for
        N13.state_kernel_every_size, else the step's own (N4 for N4.fixed_point_every_size)."""
        same = ob.id.removesuffix(".every_size").removesuffix("_every_size")
        return fixed.get(same) or fixed.get(ob.step)

    def rows():
        for ob in index_level:
            claim = ob.build(IndexLevel())
            diff = [claim.lhs - claim.rhs]
            domain = claim.domain
            proof, wall, cpu = measured(
                lambda diff=diff, domain=domain: sums.prove_every_size(
                    diff,
                    domain.sizes(),
                    domain.distributions(),
                    domain.equations(),
                    scalars=domain.scalars,
                    time_limit=args.time_limit,
                )
            )
            rng = np.random.default_rng(instance_seed(settings.seed, ob.id, None))
            numbers, numbers_wall, numbers_cpu = measured(
                lambda claim=claim, rng=rng: large_sizes.check(claim, rng, args.samples, settings.rtol)
            )
            agreed = "agreed" if numbers.agreed else "disagreed"
            numbers_row = [f"{numbers_wall:.2f} ({agreed})", numbers_cpu] + ([baseline[ob.id]] if baseline else [])
            other = fixed_counterpart(ob)
            if other is None:
                yield [ob.id, str(proof.zero), wall, cpu, *numbers_row, "-", "-", "-"]
                continue
            size = max(other.sizes, key=Size.simplicity)
            _, _, fixed_cpu = measured(lambda other=other, size=size: _symbolic(other.build_for(size), settings))
            yield [ob.id, str(proof.zero), wall, cpu, *numbers_row, other.id, str(size), fixed_cpu]

    print_table(
        [
            "obligation",
            "proved for every size",
            "proof wall s",
            "proof CPU s",
            "numbers to 12x30, wall s",
            "numbers CPU s",
            *([f"numbers CPU s at {args.baseline}"] if baseline else []),
            "fixed-size obligation",
            "at size",
            "fixed-size proof CPU s",
        ],
        rows(),
    )
    print(f"\nLoad average after: {load_average()}\n")


#: CPU seconds of building every claim of the note at its declared sizes, in a fresh process,
#: printed as JSON: with each named quantity's expansion built once per definition and arguments
#: and shared (`shared`), or built again at every application (`rebuilt`).
_BUILD_CPU = """
import json, sys, time
import sympy as sp
from symderiv import definitions
from symderiv.checker import Settings, sizes_for
from symderiv.indexed import IndexLevel, claim_at
from symderiv.loader import load

built = []
if sys.argv[2] == "rebuilt":
    def expansion(self, arguments):
        built.append(self)
        return sp.sympify(self.body(*arguments))
else:
    remembered = definitions.Definition.expansion
    def expansion(self, arguments):
        if arguments not in self._expansions:
            built.append(self)
        return remembered(self, arguments)
definitions.Definition.expansion = expansion
obligations = [ob for d in load([sys.argv[1]])[0] for ob in d if ob.model is not IndexLevel]
start = time.process_time()
for ob in obligations:
    for size in sizes_for(ob, Settings()):
        claim_at(ob, size)
print(json.dumps({"cpu": time.process_time() - start, "expansions": len(built), "obligations": len(obligations)}))
"""


def section_named(args) -> None:
    """Building the note's claims with each named quantity's expansion shared, against building it
    again at every application (each in a fresh process, so that SymPy's caches start empty)."""
    print(f"## Named quantities: expansions shared or rebuilt (load average {load_average()})\n")
    runs = {}
    for way in ("shared", "rebuilt"):
        out = subprocess.run(
            [sys.executable, "-c", _BUILD_CPU, str(PROOFS), way],
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            capture_output=True,
            text=True,
            check=True,
        )
        runs[way] = json.loads(out.stdout)
    shared, rebuilt = runs["shared"], runs["rebuilt"]
    print(
        table(
            ["expansions", "built", "CPU s", "ratio"],
            [
                ["shared (once per definition and arguments)", shared["expansions"], shared["cpu"], 1.0],
                ["rebuilt at every application", rebuilt["expansions"], rebuilt["cpu"], rebuilt["cpu"] / shared["cpu"]],
            ],
        )
    )
    print(
        f"\nEvery claim of the {shared['obligations']} fixed-size obligations at each declared size, "
        f"built by `claim_at`. Load average after: {load_average()}\n"
    )


def _commit() -> str:
    """The commit the benchmark's copy was taken from, and whether the tree had changes."""

    def git(*a):
        return subprocess.run(["git", *a], capture_output=True, text=True, cwd=SOURCE).stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    return head + (" with uncommitted changes" if git("status", "--porcelain", "symderiv", "proofs") else "")


SECTIONS = {
    "first-run": section_first_run,
    "note": section_note,
    "numeric": section_numeric,
    "symbolic": section_symbolic,
    "scaling": section_scaling,
    "gradient": section_gradient,
    "groundtypes": section_groundtypes,
    "headroom": section_headroom,
    "every-size": section_every_size,
    "named": section_named,
}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--section", choices=[*SECTIONS, "all"], default="all", action="store")
    parser.add_argument("--samples", type=int, default=Settings().samples, help="instances per obligation and size")
    parser.add_argument("--instances", type=int, default=1_000_000, help="instances per numeric throughput check")
    parser.add_argument("--evalf-instances", type=int, default=200, help="instances for the SymPy evalf loop")
    parser.add_argument("--time-limit", type=float, default=Settings().time_limit, help="symbolic limit per attempt")
    parser.add_argument(
        "--gradient-step",
        default="N15",
        help="the step (in any file of proofs/) whose "
        "obligations the scaling section runs up to 4x4 (default N15, the note's gradient)",
    )
    parser.add_argument(
        "--baseline",
        help="a commit (e.g. main) whose numbers at large sizes the every-size section also times, for a before/after",
    )
    parser.add_argument(
        "--proofs",
        default="proofs/soft_q_learning/",
        help="proof file or folder to measure, relative to the repository (default: the note)",
    )
    args = parser.parse_args(argv)
    global PROOFS
    PROOFS = REPO / args.proofs
    print(
        f"# symderiv benchmark\n\nMachine: {machine()}; calibration workload {calibration():.2f} s CPU. "
        f"Started {time.strftime('%Y-%m-%d %H:%M')}, load average {load_average()}; code: {_commit()}; "
        f"proofs: {args.proofs}.\n"
    )
    # What is measured in this process runs as `symderiv check` and the pytest plugin run it, with the
    # C allocator keeping freed memory and the collector's thresholds raised (after the calibration,
    # which stays the same workload as before).
    kept = keep_freed_memory()
    collect_less_often()
    print(
        "In-process measurements run with the allocator's and the collector's thresholds of a checking run "
        f"(symderiv/allocation.py; the allocator's {'set' if kept else 'not available here'}).\n"
    )
    for name, section in SECTIONS.items():
        if args.section in (name, "all"):
            section(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
