"""The symbolic engine: reduce a difference to zero by targeted rewrites, each under a limit.

Strategies run cheapest first; `simplify` is the last resort.  None of them
forces a rewrite that the symbols' assumptions do not justify.  What ends an attempt
that cannot succeed is a work budget, counted the same on every machine: polynomial
terms in the rational engine, the size of the tree before a SymPy rewrite.  SymPy has
no time limit of its own, so every attempt runs under a CPU-time limit (a safety net, far
above what a proof needs), in a forked worker process that the parent kills if that limit
cannot reach it.  A zero test of symderiv's own engines (`Strategy.in_process`) runs first
in the checking process, where forking a large process costs more than most tests: within
a small CPU budget and with every polynomial operation bounded, it gives the worker's result
or is handed to a worker, from the start.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import multiprocessing
import os
import resource
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import sympy as sp

try:  # the generator SymPy shuffles its assumption queries with (a private name of SymPy 1.13 and 1.14)
    from sympy.core.random import _assumptions_rng
except ImportError:  # pragma: no cover - a SymPy that shuffles with the global generator
    import random as _assumptions_rng

from . import rational
from .definitions import unfold
from .enclosure import excludes_zero
from .expressions import atoms_of, distinct_preorder, free_symbols_of, replaced
from .limits import TimeLimitExceeded, cpu_time_limit, raised_by
from .outcome import Attempt, Outcome
from .smoothness import non_analytic_part


@dataclass(frozen=True)
class Strategy:
    """A rewrite; `constrained(diff, eliminations)`, if given, is the strategy's own way of
    using the domain's constraints on the difference itself, in place of the generic step
    that substitutes them into what `rewrite` left over."""

    name: str
    rewrite: Callable[[sp.Expr], sp.Expr]
    constrained: Callable[[sp.Expr, dict], sp.Expr] | None = None
    #: `joint(diffs, eliminations)`, if given, decides for every element of a claim in one
    #: attempt whether it reaches zero, sharing the work on the parts the elements have in common.
    joint: Callable[[list, dict], list[bool]] | None = None
    #: The rewrite is not tried on an expression whose tree has more nodes: a work budget that
    #: ends the attempt at the same size on every machine (SymPy's rewrites walk trees, and their
    #: cost grows with the tree, not with the shared graph).
    max_nodes: int | None = 20_000
    #: The rewrite may run in the checking process itself (`prove_zero`): a timer interrupts it,
    #: its memory grows with its CPU time, and its FLINT calls are bounded (`rational`).
    in_process: bool = False


def tree_size(expr, limit: int) -> int:
    """The number of nodes of `expr` as a tree (shared subexpressions counted each time they
    occur), counted up to `limit` + 1 on the shared graph."""
    sizes: dict = {}

    def size(e) -> int:
        found = sizes.get(e)
        if found is None:
            found = 1
            for a in e.args:
                found += size(a)
                if found > limit:
                    break
            sizes[e] = found = min(found, limit + 1)
        return found

    return size(expr)


def _expand_log(e):
    # Splits log(x*y) only where the assumptions make it valid: never a forced rewrite.
    return sp.expand_log(e)


def _cancel_by_denominator(e):
    """Cancel each group of terms that share a denominator, rather than the whole sum
    over a common one: sums over a' of π_Q(a'|s') = w/Σw collapse one state at a time."""
    groups: dict = {}
    for term in sp.Add.make_args(sp.expand(e)):
        numerator, denominator = sp.fraction(term)
        groups.setdefault(denominator, []).append(numerator)
    return sp.Add(*(sp.cancel(sp.Add(*ns) / d) for d, ns in groups.items()))


def _exp_log(e):
    return sp.cancel(sp.expand(_expand_log(sp.powsimp(sp.expand(e)))))


def _generalise_and_cancel(e, eliminations: dict | None = None):
    """Zero when `e` is a rational function of its logs, exps, unknown functions and
    derivatives, taken as independent symbols, that vanishes (see `rational`); proving the
    generalisation zero proves `e` zero.  With `eliminations` (p_n = 1 − p_1 − ...), they are
    substituted after generalising, so only where a constrained symbol occurs rationally: a
    log or exp that mentions one is already an independent symbol, as in `_eliminate`."""
    return sp.S.Zero if rational.vanishing([e], eliminations)[0] else e


# generalise+cancel comes first: measured on the bundled note (benchmarks/run.py), it proves
# most steps in a few hundredths of a second, with the constraints used inside its ring, and
# fails as fast where it cannot; the generic constraint step after `expand` costs ten times more.
DEFAULT_STRATEGIES: tuple[Strategy, ...] = (
    Strategy(
        "generalise+cancel",
        _generalise_and_cancel,
        constrained=_generalise_and_cancel,
        joint=rational.vanishing,
        in_process=True,
    ),
    Strategy("expand", sp.expand),
    Strategy("expand_log+cancel_by_denominator", lambda e: _cancel_by_denominator(_expand_log(sp.expand(e)))),
    Strategy("cancel", lambda e: sp.cancel(sp.together(e))),
    Strategy("expand_log", lambda e: sp.expand(_expand_log(sp.expand(e)))),
    Strategy("expand_log+cancel", lambda e: sp.cancel(sp.together(sp.expand(_expand_log(sp.expand(e)))))),
    Strategy("powsimp+expand_log+cancel", _exp_log),
    Strategy("factor_terms+expand_log", lambda e: sp.expand(_expand_log(sp.factor_terms(sp.expand(e))))),
    Strategy("simplify", sp.simplify, max_nodes=2_000),
)


@dataclass
class SymbolicResult:
    """`strategy` names the rewrites that reached zero, or is empty if none did; `rule_not_applied`
    says why a proof rule the claim asked for (convexity) was not used, for the verdict to show."""

    zero: bool
    strategy: str = ""
    attempts: list[Attempt] = field(default_factory=list)
    residual: str = ""
    seconds: float = 0.0
    #: The symbolic worker failed as a whole (it died, or raised outside any attempt).
    error: str = ""
    #: Zero only through a person's argument: an inequality's prose certificate, at some depth.
    argued: bool = False
    #: Why a rule of the claim was not applied (a convexity certificate on a function not known C²).
    rule_not_applied: str = ""

    @property
    def timed_out(self) -> bool:
        """Whether an attempt was stopped by the time limit (or its worker killed)."""
        return any(a.outcome in (Outcome.TIMED_OUT, Outcome.KILLED) for a in self.attempts)

    @property
    def machine_dependent(self) -> bool:
        """Whether a faster or larger machine might have reached another result."""
        return bool(self.error) or any(a.outcome.machine_dependent for a in self.attempts)

    @property
    def worst_attempt_cpu(self) -> float:
        """The CPU seconds of the longest attempt: the headroom is the time limit over this."""
        return max((a.cpu_seconds for a in self.attempts), default=0.0)


#: A worker still running after this many times its CPU budget in wall-clock seconds, and
#: WALL_CLOCK_GRACE more for forking it, is killed (a rewrite stuck in C code, or one that blocks
#: the timer); a busy machine stretches wall time.
WALL_CLOCK_FACTOR, WALL_CLOCK_GRACE = 4, 5.0
#: Memory a worker may add to what it has when it starts: half of the machine's, at most 8 GiB.
#: A zero test whose polynomials outgrow it fails (MemoryError, or FLINT aborts the worker)
#: instead of driving the machine into swap or its out-of-memory killer.
MEMORY_LIMIT = min(8 << 30, os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2)


def _limit_memory(extra: int) -> None:
    """Cap this process's address space at its current size plus `extra` bytes (Linux)."""
    try:
        with open("/proc/self/statm") as f:
            current = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = current + extra if hard == resource.RLIM_INFINITY else min(current + extra, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (OSError, ValueError):  # no /proc, or a limit the system refuses: run without one
        pass


def _attempt(
    strategy: Strategy, expr: sp.Expr | None, time_limit: float, attempts: list[Attempt], joint: bool = False
) -> tuple[Any, Attempt]:
    """Apply one rewrite within its work budget and under the interval timer, record the attempt in
    `attempts` and return (result or None, that attempt).  A joint rewrite returns one flag per
    element, each True where that element reached zero."""
    if strategy.max_nodes is not None and expr is not None and tree_size(expr, strategy.max_nodes) > strategy.max_nodes:
        record = Attempt(strategy.name, Outcome.BUDGET_EXCEEDED, detail=f"more than {strategy.max_nodes:,} nodes")
        attempts.append(record)
        return None, record
    t0, cpu0 = time.perf_counter(), time.process_time()
    out, outcome, detail, elements, zeros = None, Outcome.ERROR, "", 1, 0
    limit = None
    try:
        with cpu_time_limit(time_limit) as limit:
            out = strategy.rewrite(expr)
        if joint:
            elements, zeros = len(out), sum(out)
            outcome = Outcome.PROVED if all(out) else Outcome.NOT_ZERO
        else:
            outcome = Outcome.PROVED if out == 0 else Outcome.NOT_ZERO
    except TimeLimitExceeded as exc:
        if not raised_by(exc, limit):
            raise  # a limit around this attempt's
        outcome = Outcome.TIMED_OUT
    except rational.WorkBudgetExceeded as exc:
        outcome, detail = Outcome.BUDGET_EXCEEDED, str(exc)
    except MemoryError:
        outcome = Outcome.OUT_OF_MEMORY
    except Exception as exc:  # a rewrite that fails is a strategy that did not work
        detail = type(exc).__name__
    record = Attempt(
        strategy.name,
        outcome,
        seconds=time.perf_counter() - t0,
        cpu_seconds=time.process_time() - cpu0,
        elements=elements,
        zeros=zeros,
        detail=detail,
    )
    attempts.append(record)
    return out, record


def _eliminate(expr, eliminations):
    """Use the domain's constraints (e.g. p_n = 1 − p_1 − ... − p_{n−1}) in the rational
    part of `expr` only.

    Logs are first split where the assumptions allow and terms over a common denominator
    cancelled (which shrinks what follows); then every log or exp that
    mentions a constrained symbol is replaced by a fresh symbol.  Proving the result
    zero for every value of those symbols proves the original (a generalisation), and
    keeps log(1 − p_1 − ...) from blocking the cancellation that the constraint allows."""
    split = _cancel_by_denominator(_expand_log(expr))
    constrained = set(eliminations)
    opaque = {
        f: sp.Dummy(f"F{k}")
        for k, f in enumerate(sorted(atoms_of([split], (sp.log, sp.exp)), key=sp.default_sort_key))
        if free_symbols_of([f]) & constrained
    }
    # A replacement, not `subs`: the keys are symbols that no value contains, so a simultaneous
    # replacement is the substitution itself, without `subs`'s costly walk.
    return replaced(replaced(split, opaque), eliminations)


def _try_strategies(
    diff: sp.Expr, eliminations: dict, strategies: Sequence[Strategy], time_limit: float, attempts: list[Attempt]
) -> tuple[tuple[Strategy, bool] | None, sp.Expr | None]:
    """The first strategy that reduces `diff` to zero, as (strategy, with constraints),
    else (None, smallest residual).

    Where the domain has constraints (a probability vector sums to one), what a
    strategy leaves over is reduced once more with the constraints substituted, or, for
    a strategy with its own way of using them, the difference goes through that."""
    constrained = bool(eliminations) and bool(free_symbols_of([diff]) & set(eliminations))
    residuals = [diff]
    reduced_already = set()  # strategies often agree; reduce each distinct output once
    for st in strategies:
        out, tried = _attempt(st, diff, time_limit, attempts)
        if tried.outcome is Outcome.PROVED:
            return (st, False), None
        if out is None:
            continue
        residuals.append(out)
        if not constrained:
            continue
        name = f"{st.name}+constraints"
        if st.constrained is not None:
            step, target = Strategy(name, _using(st.constrained, eliminations)), diff
        elif out not in reduced_already:
            # After the substitution only the rational part is left to cancel.
            step, target = Strategy(name, lambda e: _cancel_by_denominator(_eliminate(e, eliminations))), out
            reduced_already.add(out)
        else:
            continue
        reduced, tried = _attempt(step, target, time_limit, attempts)
        if tried.outcome is Outcome.PROVED:
            return (st, True), None
        if reduced is not None:
            residuals.append(reduced)
    # Sizes are measured only when no strategy succeeded: on large expressions count_ops is not cheap.
    return None, min(residuals, key=sp.count_ops)


def _using(constrained: Callable[[sp.Expr, dict], sp.Expr], eliminations: dict) -> Callable[[sp.Expr], sp.Expr]:
    """A strategy's own way of using the constraints, as a rewrite."""
    return lambda e: constrained(e, eliminations)


def _winners_first(strategies, winners):
    """The strategies that proved earlier elements, latest first, then the rest in their order:
    the elements of one claim are alike, so the rewrite that proved one usually proves the next."""
    ahead = [st for st in reversed(winners)]
    return ahead + [st for st in strategies if st not in ahead]


#: Functions that divide by another: tan(u) is sin(u)/cos(u), and a rewrite may cancel its cos(u).
_RECIPROCAL_OF = {sp.tan: sp.cos, sp.sec: sp.cos, sp.cot: sp.sin, sp.csc: sp.sin, sp.coth: sp.sinh, sp.csch: sp.sinh}


def _denominators(expr) -> list:
    """The bases of negative powers in `expr`, and the sines and cosines that tan, sec, cot, csc,
    coth and csch divide by."""
    found = []
    for node in distinct_preorder(expr):
        if isinstance(node, sp.Pow) and node.exp.is_negative:
            base = node.base
        elif type(node) in _RECIPROCAL_OF:
            base = _RECIPROCAL_OF[type(node)](*node.args)
        else:
            continue
        if base not in found:
            found.append(base)
    return found


#: Denominators (their constraints substituted) shown non-zero almost everywhere, kept for the
#: process: a claim's elements, and the claims at one size, share their normalisers.
_NONZERO_DENOMINATORS: set[sp.Expr] = set()
#: Denominators kept at most; the set starts again beyond it.
_NONZERO_KEPT = 20_000


@dataclass(frozen=True)
class UnsettledDenominator:
    """A denominator that cancelling would divide by, not shown to be non-zero on the domain,
    and why; `everywhere` when it is the zero function."""

    denominator: sp.Expr
    everywhere: bool
    reason: str = field(default="", compare=False)


def _unsettled_denominator(expr, eliminations) -> UnsettledDenominator | sp.Expr:
    """The first denominator of `expr` (with the domain's constraints substituted) not shown to
    be non-zero almost everywhere on the domain, else 0.  Rewrites such as cancel divide by
    denominators, so a claim that is 0/0 everywhere, e.g. (Σp − 1)/(2Σp − 2) on the simplex, or
    on a window, e.g. over max(|x − 3| − 10⁻⁶, 0), would otherwise reach zero.  Shown means
    analytic (`smoothness.non_analytic_part`) and certainly non-zero at one point: then it
    vanishes only on a null set, which leaves the identity true almost everywhere."""
    # Analytic as written, where each entry of a simplex is known positive: substituting an affine
    # function of the others that is positive on the domain keeps it so.
    unknown = [
        (base, r, non_analytic_part(base))
        for base in _denominators(expr)
        if (r := replaced(base, eliminations)) not in _NONZERO_DENOMINATORS
    ]
    analytic = list(dict.fromkeys(r for _, r, part in unknown if part is None))
    proved = {r for r, nonzero in zip(analytic, _nonzero_somewhere(analytic)) if nonzero}
    if len(_NONZERO_DENOMINATORS) + len(proved) > _NONZERO_KEPT:
        _NONZERO_DENOMINATORS.clear()
    _NONZERO_DENOMINATORS.update(proved)
    for base, r, part in unknown:
        if r not in _NONZERO_DENOMINATORS:
            if part is not None:
                return UnsettledDenominator(base, everywhere=False, reason=part.describe())
            return UnsettledDenominator(base, sp.expand(r) == 0, "no ball at a rational point excludes zero")
    return sp.S.Zero


def _nonzero_somewhere(exprs) -> list[bool]:
    """For each expression, True when it is certainly non-zero at one rational point inside the
    domain: then it is not the zero function, so (being analytic there) it cannot vanish on a
    domain with interior.  Evaluating at a point is cheap where expanding a large denominator
    (an LU solve at 3 states, exps of a solved value) is not: all of them are enclosed in balls
    at once (`enclosure`), and one counts only if its ball excludes zero.  The values and
    derivatives of unknown functions at θ are free (some smooth function has any given ones),
    so each becomes a variable of its own.  What no ball decides is not shown non-zero: an
    expansion that is not 0 does not show it (sin²x + cos²x − 1 expands to itself)."""
    jets: dict[sp.Expr, sp.Dummy] = {}
    for e in exprs:
        for node in sorted(atoms_of([e], (sp.Derivative, sp.core.function.AppliedUndef)), key=sp.default_sort_key):
            jets.setdefault(node, sp.Dummy(f"J{len(jets)}"))
    # Derivatives first: each contains the function it differentiates.
    derivatives = {k: v for k, v in jets.items() if isinstance(k, sp.Derivative)}
    values = {k: v for k, v in jets.items() if k not in derivatives}
    exprs = [replaced(replaced(e, derivatives), values) for e in exprs]
    symbols = sorted(free_symbols_of(exprs), key=sp.default_sort_key)
    # Distinct small positive rationals whose sum stays below 1/2, so that 1 − (sum of some)
    # stays positive: a point of every simplex, of (0, 1) and of the positive reals.
    point = {x: Fraction(1, k + 2 * len(symbols) + 2) for k, x in enumerate(symbols)}
    return excludes_zero(exprs, point)


def _joint_attempts(
    diffs: list[sp.Expr], eliminations: dict, strategies: Sequence[Strategy], time_limit: float, attempts: list[Attempt]
) -> tuple[dict[int, str], Strategy | None]:
    """Elements proved by the first strategy, if it can take a whole claim at once, as
    {index: strategy name}, and that strategy if its attempts ran to the end (then trying it
    again element by element would only repeat them).  Without the constraints first; then, for
    the elements left that mention a constrained symbol, with them."""
    st = strategies[0] if strategies else None
    if st is None or st.joint is None:
        return {}, None
    joint = st.joint

    def at_once(name: str, substitutions: dict, todo: Sequence[int]) -> dict[int, str] | None:
        whole = Strategy(name, lambda _: joint([diffs[i] for i in todo], substitutions))
        zeros, _ = _attempt(whole, None, time_limit, attempts, joint=True)
        return None if zeros is None else {i: name for i, zero in zip(todo, zeros) if zero}

    proved = at_once(st.name, {}, range(len(diffs)))
    if proved is None:
        return {}, None
    constrained = set(eliminations)
    left = [i for i in range(len(diffs)) if i not in proved and free_symbols_of([diffs[i]]) & constrained]
    if left:
        with_constraints = at_once(f"{st.name}+constraints", eliminations, left)
        if with_constraints is None:
            return proved, None
        proved.update(with_constraints)
    return proved, st


def _prove_all(
    diffs: list[sp.Expr], eliminations: dict, strategies: Sequence[Strategy], time_limit: float
) -> SymbolicResult:
    """Every difference must reach zero; the first that does not ends the attempt."""
    used: list[str] = []
    winners: list[Strategy] = []
    attempts: list[Attempt] = []
    proved_jointly, finished = _joint_attempts(diffs, eliminations, strategies, time_limit, attempts)
    strategies = [st for st in strategies if st is not finished]
    # Run like a rewrite, under the timer: it "reaches zero" when no denominator vanishes.
    # A point evaluation first, expanding only what no ball decides: its cost is not the tree's.
    denominators = Strategy("denominators", lambda e: _unsettled_denominator(e, eliminations), max_nodes=None)
    for i, diff in enumerate(diffs):
        found, checked = _attempt(denominators, diff, time_limit, attempts)
        if checked.outcome is Outcome.PROVED:
            attempts[-1] = dataclasses.replace(checked, outcome=Outcome.DEFINED)
        else:
            if isinstance(found, UnsettledDenominator):
                if found.everywhere:
                    outcome, detail = Outcome.UNDEFINED, sp.sstr(found.denominator)
                else:
                    outcome, detail = Outcome.UNSETTLED, f"{sp.sstr(found.denominator)} ({found.reason})"
                attempts[-1] = dataclasses.replace(checked, outcome=outcome, detail=detail)
            return SymbolicResult(False, attempts=attempts, residual=_short(diff, i, len(diffs)))
        if i in proved_jointly:
            name = proved_jointly[i]
        else:
            found, residual = _try_strategies(
                diff, eliminations, _winners_first(strategies, winners), time_limit, attempts
            )
            if found is None:
                return SymbolicResult(False, attempts=attempts, residual=_short(residual, i, len(diffs)))
            st, with_constraints = found
            if st in winners:
                winners.remove(st)
            winners.append(st)
            name = f"{st.name}+constraints" if with_constraints else st.name
        if name not in used:
            used.append(name)
    return SymbolicResult(True, strategy=", ".join(used), attempts=attempts)


def _short(expr: sp.Expr, index: int, total: int, limit: int = 300) -> str:
    text = sp.sstr(expr)
    text = text if len(text) <= limit else text[:limit] + " ..."
    return f"element {index + 1} of {total}: {text}" if total > 1 else text


def _worker(conn, diffs: list[sp.Expr], eliminations: dict, strategies: Sequence[Strategy], time_limit: float) -> None:
    _limit_memory(MEMORY_LIMIT)
    try:
        result = _prove_all(diffs, eliminations, strategies, time_limit)
    except BaseException as exc:  # report, never hang the parent
        result = SymbolicResult(False, error=f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}")
    conn.send(result)
    conn.close()


def prove_zero(
    diffs: Sequence[sp.Expr],
    *,
    eliminations: dict | None = None,
    strategies: Sequence[Strategy] = DEFAULT_STRATEGIES,
    time_limit: float = 10.0,
) -> SymbolicResult:
    """Try to show that every expression in `diffs` is identically zero.

    Each strategy gets `time_limit` seconds of CPU time per expression; the worker as a
    whole is killed if it outlives the sum of its limits by a margin of wall-clock time.
    A test that can run in this process (`in_this_process`) does, with the worker's result."""
    t0 = time.perf_counter()
    # Named quantities are the expressions they name: the rewrites must see those (a claim has
    # unfolded them already; a caller of the engine may not have).
    diffs = [unfold(sp.sympify(d)) for d in diffs]
    if all(d == 0 for d in diffs):
        return SymbolicResult(True, strategy="identical", seconds=time.perf_counter() - t0)
    eliminations = eliminations or {}
    result = in_this_process(diffs, eliminations, strategies, time_limit)
    if result is None:
        result = _in_worker(diffs, eliminations, strategies, time_limit)
    result.seconds = time.perf_counter() - t0
    return result


#: CPU seconds a zero test may take in the checking process before a worker takes it over, and
#: the most terms one of its polynomial operations may produce there: together they bound what
#: it costs (a FLINT call, which no timer interrupts, takes about a second per ten million terms).
#: Measured on the bundled proofs, 244 of the 247 tests that may run here finish within them, their
#: largest operation 601,371 terms; forking a process of a few hundred megabytes costs some 40 ms,
#: more than most of those take.  The other three pass 700,000 terms within 0.13 s of CPU time, and
#: passed a million only after 0.8 s, work that their worker then did again.
IN_PROCESS_SECONDS = 1.0
IN_PROCESS_TERMS = 700_000


class _BeyondBudget(BaseException):
    """The zero test outgrew IN_PROCESS_SECONDS; no strategy may catch it."""


def in_this_process(
    diffs: list[sp.Expr], eliminations: dict, strategies: Sequence[Strategy], time_limit: float
) -> SymbolicResult | None:
    """The zero test run in this process, where that gives what a worker would give: every strategy
    may run here (`Strategy.in_process`), and the test ends within IN_PROCESS_SECONDS of CPU time and
    IN_PROCESS_TERMS per polynomial operation, with no limit of its own reached and no memory
    exhausted, and no attempt ended in an error (a RecursionError depends on the stack below).  None
    otherwise: a worker then runs it from the start, so which of the two ran it depends on the
    machine, never what it found.  The generator SymPy shuffles its assumption queries with is left
    as a worker leaves it."""
    if threading.current_thread() is not threading.main_thread() or not all(st.in_process for st in strategies):
        return None
    state = _assumptions_rng.getstate()
    try:
        with rational.operations_at_most(IN_PROCESS_TERMS), cpu_time_limit(IN_PROCESS_SECONDS, _BeyondBudget) as budget:
            result = _prove_all(diffs, eliminations, strategies, time_limit)
    except (_BeyondBudget, rational.OperationAboveBound):
        return None
    except TimeLimitExceeded:  # a limit around the test's (each attempt's own is recorded in it)
        raise
    except Exception:  # the worker reports it
        return None
    finally:
        _assumptions_rng.setstate(state)
    stopped = (Outcome.TIMED_OUT, Outcome.OUT_OF_MEMORY, Outcome.ERROR)
    if budget.reached or any(a.outcome in stopped for a in result.attempts):
        return None
    return result


@contextlib.contextmanager
def _objects_frozen() -> Iterator[None]:
    """Every object of this process outside the garbage collector's reach while a worker is forked:
    a collection in the worker would otherwise write to each object's header, and so copy every page
    of the checking process that holds one (25,000 pages per worker, most of a small zero test's
    time).  Unfrozen after the fork, in this process; the worker keeps them frozen."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _in_worker(
    diffs: list[sp.Expr], eliminations: dict, strategies: Sequence[Strategy], time_limit: float
) -> SymbolicResult:
    """The zero test in a forked worker, killed if its limits cannot reach it."""
    ctx = multiprocessing.get_context("fork")
    receiver, sender = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_worker, args=(sender, diffs, eliminations, tuple(strategies), time_limit))
    with _objects_frozen():
        proc.start()
    sender.close()
    # Per difference: the denominator check, and a rewrite and a constraint step per strategy.
    budget = time_limit * (2 * len(strategies) + 1) * len(diffs) * WALL_CLOCK_FACTOR + WALL_CLOCK_GRACE
    try:
        if receiver.poll(budget):
            result = receiver.recv()
        else:
            result = SymbolicResult(False, attempts=[Attempt("worker", Outcome.KILLED, seconds=budget)])
    except EOFError:
        proc.join()
        died = Attempt("worker", Outcome.OUT_OF_MEMORY, detail=f"exit code {proc.exitcode}")
        result = SymbolicResult(
            False,
            attempts=[died],
            error=(
                f"the symbolic worker died (exit code {proc.exitcode}); a worker may use "
                f"{MEMORY_LIMIT / 2**30:.1f} GiB more than it starts with, and FLINT aborts when it runs out"
            ),
        )
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()
        receiver.close()
    return result


def is_nonnegative(exprs: Sequence[sp.Expr], *, time_limit: float = 10.0) -> SymbolicResult:
    """Sign facts, shown from the symbols' assumptions (SymPy's `is_nonnegative`)."""
    strategies = (
        Strategy("assumptions", lambda e: sp.S.Zero if e.is_nonnegative else e),
        Strategy("cancel+assumptions", lambda e: sp.S.Zero if sp.cancel(sp.together(e)).is_nonnegative else e),
    )
    return prove_zero(exprs, strategies=strategies, time_limit=time_limit)
