"""Run obligations through the numeric and symbolic engines and decide their verdicts."""

from __future__ import annotations

import contextlib
import dataclasses
import math
import numbers
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar

import numpy as np
import sympy as sp

from . import large_sizes, numeric, parallel, rules, schedule, smoothness, sums, symbolic
from .cache import VerdictCache, keys_of_one_run
from .claims import Claim, Equal, Inequality, NonNegative
from .indexed import IndexEqual, IndexLevel, claim_at, index_level_claim
from .limits import TimeLimitExceeded, cpu_time_limit
from .location import where
from .obligation import Obligation, Size
from .outcome import Attempt, Outcome
from .verdict import Counterexample, SizeEvidence, SizeRange, Status, Verdict, worst


@dataclass(frozen=True)
class Settings:
    """How hard to check. Every run is reproducible from `seed`."""

    seed: int = 0
    samples: int = 10_000
    #: CPU seconds for each symbolic attempt: a safety net only.  What decides that an attempt
    #: fails is a work budget (terms in the rational engine, tree nodes for SymPy's rewrites), the
    #: same on every machine; the bundled proofs are checked in CI with a fifth of this limit.
    time_limit: float = 120.0
    rtol: float = 1e-9
    #: Replaces the sizes of every obligation with sizes, except those `keeps_own_sizes` names;
    #: a size parsed without axis names (`Size.parse("2x2")`) takes those of the obligation's sizes.
    sizes: tuple[Size, ...] | None = None
    reference_samples: int = 32
    #: The symbolic rewrites to try, in order.
    strategies: tuple[symbolic.Strategy, ...] = symbolic.DEFAULT_STRATEGIES

    def __post_init__(self) -> None:
        """Refuse values that no check can run with, naming the value (a run with 0 samples
        failed deep inside NumPy)."""
        counts = {
            "seed": (self.seed, 0),
            "samples": (self.samples, 1),
            "reference_samples": (self.reference_samples, 0),
        }
        for name, (count, least) in counts.items():
            if isinstance(count, bool) or not isinstance(count, numbers.Integral) or count < least:
                raise ValueError(f"Settings.{name} must be an integer >= {least}, got {count!r}")
        for name, amount in (("time_limit", self.time_limit), ("rtol", self.rtol)):
            if not (isinstance(amount, numbers.Real) and math.isfinite(amount) and amount > 0):
                raise ValueError(f"Settings.{name} must be a finite number > 0, got {amount!r}")


def instance_seed(seed: int, obligation_id: str, size: Size | None) -> list[int]:
    """A seed for one obligation and size, independent of run order and of other obligations."""
    extra = list(size.counts) if size else []
    return [seed, zlib.crc32(obligation_id.encode())] + extra


class OwnSizes(Enum):
    """Why an obligation keeps its own sizes when `Settings.sizes` is given."""

    #: No model: the claim is built once, with no size to replace.
    SIZE_FREE = "size-free"
    #: Declared at extent 1 of an axis only (`axis_at_one`), e.g. at one state: the claim may hold
    #: only there (with one state, every action leads back to it), so other sizes would change what
    #: it says.
    AT_ONE = "at-one"


def axis_at_one(ob: Obligation) -> str | None:
    """The first axis (in their order) on which every size of `ob` has extent 1, if any."""
    if not ob.sizes:
        return None
    return next((axis for axis in ob.axes if all(s[axis] == 1 for s in ob.sizes)), None)


def one_extent(axis: str) -> str:
    """Extent 1 of `axis`, as a reason says it: "one state" for the axis "states", "n = 1" for "n"
    (an axis named by a plural noun is counted in the singular)."""
    if len(axis) > 1 and axis.endswith("s") and not axis.endswith("ss"):
        return f"one {axis[:-1]}"
    return f"{axis} = 1"


def keeps_own_sizes(ob: Obligation, settings: Settings) -> OwnSizes | None:
    """Why `settings.sizes` does not apply to `ob`, or None when it does (or none is given)."""
    if settings.sizes is None:
        return None
    if ob.sizes is None:
        return OwnSizes.SIZE_FREE
    if axis_at_one(ob) is not None:
        return OwnSizes.AT_ONE
    return None


def sizes_for(ob: Obligation, settings: Settings) -> Sequence[Size | None]:
    """The sizes `ob` is checked at: those of `settings` on the obligation's axes (a ValueError if
    one is not on them), unless it keeps its own (`keeps_own_sizes`)."""
    if ob.sizes is None:
        return [None]
    if settings.sizes is not None and keeps_own_sizes(ob, settings) is None:
        try:
            return [size.named(ob.axes) for size in settings.sizes]
        except ValueError as exc:
            raise ValueError(f"{ob.id}: {exc}") from None
    return list(ob.sizes)


#: (label, Comparison, reference): a claim, or a part of its certificate, to compare in numbers.
_NumericPart = tuple[str, numeric.Comparison, Callable[[dict], object] | None]


#: (label, Comparison, typical instances): a part's strict judgement, left until the symbolic
#: engines have had their say (`numeric.check_typical`).
_Deferred = tuple[str, numeric.Comparison, list]


def _comparisons(claim: Claim) -> list[_NumericPart]:
    """(label, Comparison, reference) for the claim and every part of its certificate."""
    if isinstance(claim, Equal):
        cmp = numeric.Comparison(claim.pairs(), "==", claim.domain, sample_all=claim.reference is not None)
        return [("", cmp, claim.reference)]
    if isinstance(claim, NonNegative):
        pairs = [((k,), 0, e) for k, e in enumerate(claim.elements())]
        return [("", numeric.Comparison(pairs, "<=", claim.domain), None)]
    if isinstance(claim, Inequality):
        out: list[_NumericPart] = [("", numeric.Comparison([((), claim.lhs, claim.rhs)], "<=", claim.domain), None)]
        for premise in rules.implication(claim).premises:
            out += [(f"certificate {premise.label}", c, ref) for _, c, ref in _comparisons(premise.claim)]
        return out
    raise TypeError(f"a claim builder must return Equal, NonNegative or Inequality, got {type(claim).__name__}")


def _symbolic(claim: Claim, settings: Settings) -> symbolic.SymbolicResult:
    if isinstance(claim, Equal):
        return symbolic.prove_zero(
            claim.differences(),
            eliminations=claim.domain.eliminations(),
            strategies=settings.strategies,
            time_limit=settings.time_limit,
        )
    if isinstance(claim, NonNegative) and claim.convex_in is not None:
        obstacle = smoothness.non_smooth_part(claim.expr, claim.convex_in[0])
        if obstacle is not None:
            # The rule needs a C² function: without it the claim is only a sign fact, and its numbers.
            result = symbolic.is_nonnegative(claim.elements(), time_limit=settings.time_limit)
            result.rule_not_applied = (
                f"convexity rule not applied, the function is not known to be C² ({obstacle.describe()})"
            )
            return result
        vanish, curvature = claim.convexity_certificate()
        at_point = symbolic.prove_zero(vanish, strategies=settings.strategies, time_limit=settings.time_limit)
        if not at_point.zero:
            return at_point
        convex = symbolic.is_nonnegative([curvature], time_limit=settings.time_limit)
        convex.attempts = at_point.attempts + convex.attempts
        convex.seconds += at_point.seconds
        convex.strategy = f"convexity({at_point.strategy}; {convex.strategy})" if convex.zero else ""
        return convex
    if isinstance(claim, NonNegative):
        return symbolic.is_nonnegative(claim.elements(), time_limit=settings.time_limit)
    return _implied(claim, settings)


def _implied(claim: Inequality, settings: Settings) -> symbolic.SymbolicResult:
    """An inequality reaches zero when every premise of its certificate does: through a rule,
    whose theorem turns them into the claim; through a prose argument, only `argued`."""
    step = rules.implication(claim)
    if step.refusal:
        rule = type(step.rule).__name__
        refused = Attempt(rule, Outcome.NOT_APPLICABLE, detail=step.refusal)
        return symbolic.SymbolicResult(
            False, attempts=[refused], residual=f"{rule} does not give this claim: {step.refusal}"
        )
    if not step.premises:
        return symbolic.SymbolicResult(
            False, attempts=[Attempt("certificate", Outcome.NOT_APPLICABLE, detail="none given")]
        )
    used: list[str] = []
    attempts: list[Attempt] = []
    seconds, argued, not_applied = 0.0, not step.machine_checked, []
    for premise in step.premises:
        result = _symbolic(premise.claim, settings)
        attempts += [dataclasses.replace(a, part=_part(premise.label, a.part)) for a in result.attempts]
        seconds += result.seconds
        if result.rule_not_applied:
            not_applied.append(f"certificate {premise.label}: {result.rule_not_applied}")
        if not result.zero:
            return symbolic.SymbolicResult(
                False,
                attempts=attempts,
                residual=f"certificate {premise.label}: {result.residual}",
                seconds=seconds,
                error=result.error,
                rule_not_applied="; ".join(not_applied),
            )
        used.append(result.strategy)
        argued = argued or result.argued
    name = type(step.rule).__name__ if step.machine_checked else "argued"
    return symbolic.SymbolicResult(
        True,
        strategy=f"{name}(" + "; ".join(used) + ")",
        attempts=attempts,
        seconds=seconds,
        argued=argued,
        rule_not_applied="; ".join(not_applied),
    )


def _part(label: str, inner: str) -> str:
    """The certificate part an attempt belongs to, through nested certificates."""
    return f"{label}: {inner}" if inner else label


#: Called as a check enters each phase of one size ("build" | "numeric" | "symbolic"), and with
#: "done" when it ends, however it ends.
PhaseHook = Callable[[Obligation, "Size | None", str], None]


#: Building a claim, compiling it and checking its numbers get the time limit, but at least this
#: many CPU seconds: the limit stops runaway work, and a first call pays for imports and caches.
PHASE_LIMIT_FLOOR = 5.0


def _phase_limit(settings: Settings) -> float:
    return max(settings.time_limit, PHASE_LIMIT_FLOOR)


def _limit_message(phase: str, settings: Settings) -> str:
    return (
        f"{phase} ran past the time limit ({_phase_limit(settings):g}s of CPU time); "
        "raise --time-limit, or check it at a smaller size"
    )


def check_size(
    ob: Obligation,
    size: Size | None,
    settings: Settings,
    cache: VerdictCache | None = None,
    on_phase: PhaseHook | None = None,
    instance_of: SizeRange | None = None,
) -> SizeEvidence:
    """The verdict for one size: numbers first (cheap, and they find errata), then symbols.
    Building the claim and its numeric check run under the time limit too.  With `instance_of`,
    the sizes that a proof of the same index-level claim for every size covers (this size among
    them), the numbers alone are checked: the claim here is that proof's instance (`IndexEqual.at`),
    and a symbolic proof at this size would add nothing.

    With a cache, evidence stored under the same key (the built claim, the settings and
    the tools' versions) is returned instead of checking again; when nothing a build depends
    on has changed either, the claim's key is read from the cache's index without building."""
    try:
        return _check_size(ob, size, settings, cache, on_phase or (lambda ob, size, name: None), instance_of)
    finally:
        if on_phase is not None:
            on_phase(ob, size, "done")


def indexed(
    ob: Obligation,
    size: Size | str | None,
    settings: Settings,
    cache: VerdictCache | None,
    instance_of: SizeRange | None = None,
) -> SizeEvidence | None:
    """The evidence the cache holds for this build, found through its index without building the
    claim: there when nothing the build depends on has changed since it was stored."""
    build_key = cache.build_key(ob, size, settings, instance_of) if cache is not None else None
    return _from_index(cache, build_key)


def _from_index(cache: VerdictCache | None, build_key: str | None) -> SizeEvidence | None:
    """The evidence the cache's index names for the build under `build_key` (`indexed`)."""
    if cache is None or build_key is None:
        return None
    known_key = cache.claim_key(build_key)
    return cache.get(known_key) if known_key is not None else None


_Result = TypeVar("_Result")


def _timed(f: Callable[..., _Result], *args: Any) -> tuple[_Result, float]:
    t0 = time.perf_counter()
    result = f(*args)
    return result, time.perf_counter() - t0


def _check_size(
    ob: Obligation,
    size: Size | None,
    settings: Settings,
    cache: VerdictCache | None,
    phase: PhaseHook,
    instance_of: SizeRange | None,
) -> SizeEvidence:
    label = str(size) if size else ""
    ev = SizeEvidence(size=label, status=Status.ERROR)
    build_key = cache.build_key(ob, size, settings, instance_of) if cache is not None else None
    stored = _from_index(cache, build_key)
    if stored is not None:
        return stored
    t0 = time.perf_counter()
    phase(ob, size, "build")
    try:
        with cpu_time_limit(_phase_limit(settings)):
            claim = claim_at(ob, size)
    except TimeLimitExceeded:
        ev.message, ev.machine_dependent = _limit_message("building the claim", settings), True
        return ev
    except Exception as exc:
        ev.message = f"could not build the claim: {type(exc).__name__}: {exc} ({where(exc, ob.defined_at)})"
        return ev
    ev.seconds_build = time.perf_counter() - t0
    key = cache.key(ob.id, size, claim, settings, instance_of) if cache is not None else None
    if cache is not None and key is not None and (stored := cache.get(key)) is not None:
        if build_key is not None:
            cache.put_claim_key(build_key, key)
        return stored
    phase(ob, size, "numeric")
    try:
        with cpu_time_limit(_phase_limit(settings)):
            comparisons = _comparisons(claim)
    except TimeLimitExceeded:
        ev.message, ev.machine_dependent = _limit_message("compiling the claim", settings), True
        return ev
    except Exception as exc:
        ev.message = f"could not build the claim: {type(exc).__name__}: {exc} ({where(exc, ob.defined_at)})"
        return ev
    _check_claim(ob, size, claim, comparisons, settings, ev, t0, lambda: phase(ob, size, "symbolic"), instance_of)
    if cache is not None:
        cache.record_seconds(ob.id, ob.name, size, time.perf_counter() - t0)
        if key is not None and cache.put(key, ev) and build_key is not None:
            cache.put_claim_key(build_key, key)
    return ev


def _check_claim(
    ob: Obligation,
    size: Size | None,
    claim: Claim,
    comparisons: list,
    settings: Settings,
    ev: SizeEvidence,
    t0: float,
    entering_symbolic: Callable[[], None],
    instance_of: SizeRange | None = None,
) -> SizeEvidence:
    """Fill in `ev` for a built claim: numbers (under the time limit), then symbols, unless the
    claim is an instance of a proof for every size (`instance_of`), with typical instances judged
    strictly in ball arithmetic unless a proof is found (`_symbolic_then_strict`)."""
    rng = np.random.default_rng(instance_seed(settings.seed, ob.id, size))
    deferred: list[_Deferred] = []
    if _numbers_phase(ob, settings, ev, t0, lambda: _check_numbers(comparisons, rng, settings, ev, deferred)):
        return ev
    if instance_of is not None:
        # The proof for every size is another engine's: its instance is judged strictly, as the
        # claim that ties that proof to the one the fixed-size engines see.
        if not _strictly_refuted(ob, deferred, settings, ev):
            ev.status, ev.strategy = Status.PROVED, INSTANCE_OF_EVERY_SIZE
        return ev
    entering_symbolic()
    sym = _symbolic_then_strict(ob, claim, settings, deferred, ev)
    if sym is None:
        return ev
    ev.seconds_worst_attempt = sym.worst_attempt_cpu
    ev.attempts = sym.attempts
    ev.residual = sym.residual
    if sym.error:
        ev.message = "; ".join(x for x in (ev.message, f"symbolic engine: {sym.error.splitlines()[0]}") if x)
    if sym.rule_not_applied:
        ev.message = "; ".join(x for x in (ev.message, sym.rule_not_applied) if x)
    if sym.zero:
        ev.status, ev.strategy = Status.ARGUED if sym.argued else Status.PROVED, sym.strategy
    else:
        ev.status = Status.NUMERIC
        ev.machine_dependent = sym.machine_dependent
        if sym.timed_out:
            hint = (
                f"no symbolic proof: a rewrite ran out of time ({settings.time_limit:g}s each); "
                "raise --time-limit, or add a strategy that reaches zero sooner"
            )
            ev.message = "; ".join(x for x in (ev.message, hint) if x)
    return ev


def _symbolic_then_strict(
    ob: Obligation, claim: Claim, settings: Settings, deferred: Sequence[_Deferred], ev: SizeEvidence
) -> symbolic.SymbolicResult | None:
    """The symbolic result, with the strict judgement made unless the claim is proved; None when
    that judgement decided the verdict (filled in `ev`).  The first strategy proves most claims at
    once, and a proof leaves no difference to find; a claim it does not prove is judged strictly
    before the slower rewrites (SymPy's simplify may take a minute on a false claim), then given
    every strategy, so that its verdict and attempts are those of the whole list."""
    first = _symbolic(claim, dataclasses.replace(settings, strategies=settings.strategies[:1]))
    ev.seconds_symbolic = first.seconds
    if first.zero and not first.argued:
        return first
    if _strictly_refuted(ob, deferred, settings, ev):
        return None
    if first.zero or len(settings.strategies) <= 1 or not _uses_strategies(claim):
        return first
    every = _symbolic(claim, settings)
    ev.seconds_symbolic += every.seconds
    return every


def _uses_strategies(claim: Claim) -> bool:
    """Whether the symbolic result depends on the rewrite strategies: a NonNegative claim without the
    convexity rule is a sign fact, shown from the assumptions alone, the same with any of them.  (So
    is one whose convexity rule the smoothness check then declines; telling needs that check, and it
    is shown a second time.)"""
    return not (isinstance(claim, NonNegative) and claim.convex_in is None)


def _strictly_refuted(ob: Obligation, deferred: Sequence[_Deferred], settings: Settings, ev: SizeEvidence) -> bool:
    """The deferred strict judgement, under the time limit like the rest of the numbers; True when
    it decides the verdict (a counterexample, or an error)."""
    return _numbers_phase(ob, settings, ev, time.perf_counter(), lambda: _check_typical(deferred, settings, ev))


def _numbers_phase(
    ob: Obligation, settings: Settings, ev: SizeEvidence, start: float, step: Callable[[], bool]
) -> bool:
    """`step` (True when it decides the verdict) under the time limit of a phase, its seconds since
    `start` added to the numbers'; a time limit reached or an exception decides the verdict too: an
    error, with the message that says what to fix."""
    try:
        with cpu_time_limit(_phase_limit(settings)):
            return step()
    except TimeLimitExceeded:
        ev.status, ev.counterexample = Status.ERROR, None
        ev.message, ev.machine_dependent = _limit_message("the numeric check", settings), True
        return True
    except Exception as exc:
        ev.status, ev.counterexample = Status.ERROR, None
        ev.message = f"numeric evaluation failed: {type(exc).__name__}: {exc} ({where(exc, ob.defined_at)})"
        return True
    finally:
        ev.seconds_numeric += time.perf_counter() - start


def _check_numbers(
    comparisons: Sequence[_NumericPart],
    rng: np.random.Generator,
    settings: Settings,
    ev: SizeEvidence,
    deferred: list[_Deferred],
) -> bool:
    """Check the claim and each part of its certificate numerically, filling in `ev`; True when the
    numbers decide the verdict (a counterexample, or instances they could not judge).  The typical
    instances to judge strictly are drawn, and left in `deferred`."""
    for part, cmp, reference in comparisons:
        try:
            result = numeric.check(
                cmp, rng, settings.samples, settings.rtol, reference, settings.reference_samples, strict=False
            )
        except TimeLimitExceeded:
            raise
        except Exception:
            # As when each part was judged strictly at once: the earlier parts' judgement first.
            if _check_typical(deferred, settings, ev):
                return True
            raise
        ev.instances += result.instances
        ev.max_rel_error = max(ev.max_rel_error, result.max_rel_error)
        if result.message:
            ev.message = f"{part + ': ' if part else ''}{result.message}"
        if result.mismatch is not None:
            _refute(ev, part, result.mismatch, settings)
            return True
        deferred.append((part, cmp, result.typical))
        if not result.agreed:
            # The numbers end here and no proof follows: the strict judgement is made now.
            if _check_typical(deferred, settings, ev):
                return True
            ev.message = result.message
            return True
    return False


def _check_typical(deferred: Sequence[_Deferred], settings: Settings, ev: SizeEvidence) -> bool:
    """Judge the deferred typical instances strictly, filling in `ev`; True when they refute the claim."""
    for part, cmp, typical in deferred:
        result = numeric.check_typical(cmp, typical)
        if result.message:
            ev.message = "; ".join(x for x in (ev.message, f"{part + ': ' if part else ''}{result.message}") if x)
        if result.mismatch is not None:
            _refute(ev, part, result.mismatch, settings)
            return True
    return False


def _refute(ev: SizeEvidence, part: str, m: numeric.Mismatch, settings: Settings) -> None:
    ev.status = Status.REFUTED
    ev.counterexample = Counterexample(
        size=ev.size,
        values={name: float(m.values[s]) for s, name in sorted(value_labels(m.values).items(), key=lambda kv: kv[1])},
        element=_element_name(m.element),
        lhs=m.lhs,
        rhs=m.rhs,
        seed=settings.seed,
        note=" ".join(x for x in (part, m.note) if x),
    )


def value_labels(symbols: Iterable[sp.Symbol]) -> dict[sp.Symbol, str]:
    """A distinct name for each symbol of a counterexample.  A user's symbols keep their own
    names; a sampler's internal symbol (a Dummy, named without the underscore it prints with,
    which typesets badly) takes its name unless a user's symbol has it, and a second symbol of
    a name gets it numbered, so that no value hides another."""
    ordered = sorted(symbols, key=lambda s: (isinstance(s, sp.Dummy), s.name, sorted(s.assumptions0.items())))
    own_names = {s.name for s in ordered if not isinstance(s, sp.Dummy)}
    labels: dict[sp.Symbol, str] = {}
    used: set[str] = set()
    for s in ordered:
        label, k = s.name, 1
        while label in used or (label in own_names and (k > 1 or isinstance(s, sp.Dummy))):
            k += 1
            label = f"{s.name} ({k})"
        labels[s] = label
        used.add(label)
    return labels


def _element_name(index: tuple) -> str:
    return "" if not index else "(" + ", ".join(map(str, index)) + ")"


#: The evidence of an index-level claim for every size, beside that of its fixed sizes.
EVERY_SIZE = "every size"
#: The strategy of a fixed size checked as an instance of the claim's proof for every size.
INSTANCE_OF_EVERY_SIZE = "instance of the proof for every size"
#: The strategy of a fixed size that the proof for every size covers, not checked on its own.
COVERED_BY_EVERY_SIZE = "covered by the proof for every size"


def check_every_size(ob: Obligation, settings: Settings, cache: VerdictCache | None = None) -> SizeEvidence:
    """An index-level claim for every size: its numbers at random sizes up to the ranges' largest
    (`large_sizes`), then its proof by the sums normal form (`sums`); proved, the evidence names the
    sizes it covers (`covers`).  With a cache, the evidence stored for the same build or claim."""
    build_key = cache.build_key(ob, EVERY_SIZE, settings) if cache is not None else None
    stored = _from_index(cache, build_key)
    if stored is not None:
        return stored
    ev = SizeEvidence(size=EVERY_SIZE, status=Status.ERROR)
    t0 = time.perf_counter()
    try:
        with cpu_time_limit(_phase_limit(settings)):
            claim = index_level_claim(ob.build)
        if not isinstance(claim, IndexEqual):
            raise TypeError(f"a builder of model IndexLevel must return an IndexEqual, got {type(claim).__name__}")
    except TimeLimitExceeded:
        ev.message, ev.machine_dependent = _limit_message("building the claim", settings), True
        return ev
    except Exception as exc:
        ev.message = f"could not build the claim: {type(exc).__name__}: {exc} ({where(exc, ob.defined_at)})"
        return ev
    ev.seconds_build = time.perf_counter() - t0
    key = cache.key(ob.id, EVERY_SIZE, claim, settings) if cache is not None else None
    if cache is not None and key is not None and (stored := cache.get(key)) is not None:
        if build_key is not None:
            cache.put_claim_key(build_key, key)
        return stored
    _check_every_size(claim, ob, settings, ev, t0)
    if ev.status is Status.PROVED:
        ev.covers = claim.size_range(ob.axes)
    if cache is not None and key is not None and cache.put(key, ev) and build_key is not None:
        cache.put_claim_key(build_key, key)
    return ev


def check_index_level(
    ob: Obligation, settings: Settings, cache: VerdictCache | None = None, on_phase: PhaseHook | None = None
) -> list[SizeEvidence]:
    """An index-level obligation: its proof for every size first, then each fixed size (`fixed_size`).
    The evidence for every size comes last."""
    t0 = time.perf_counter()
    every = check_every_size(ob, settings, cache)
    sizes = sizes_for(ob, settings)
    fixed = [fixed_size(ob, size, sizes, every, settings, cache, on_phase) for size in sizes]
    if cache is not None and not every.cached:
        cache.record_seconds(ob.id, ob.name, EVERY_SIZE, time.perf_counter() - t0)
    return [*fixed, every]


def fixed_size(
    ob: Obligation,
    size: Size | None,
    sizes: Sequence[Size | None],
    every: SizeEvidence,
    settings: Settings,
    cache: VerdictCache | None = None,
    on_phase: PhaseHook | None = None,
) -> SizeEvidence:
    """One of the fixed `sizes` of an index-level obligation, given its evidence for every size: in
    full where no proof for every size covers it, else by its numbers alone, as that proof's instance,
    or not at all (`covered_by_every_size`)."""
    covered = covered_by_every_size(every, size, sizes)
    return covered or check_size(ob, size, settings, cache, on_phase, covering(every, size))


def covering(every: SizeEvidence, size: Size | None) -> SizeRange | None:
    """The sizes the proof for every size covers, if `size` is among them."""
    return every.covers if every.covers is not None and size is not None and every.covers.contains(size) else None


def covered_by_every_size(every: SizeEvidence, size: Size | None, sizes: Sequence[Size | None]) -> SizeEvidence | None:
    """The evidence of `size`, one of the fixed `sizes`, when the proof for every size covers it and it
    is not the simplest size covered.  That one is checked by its numbers, as the proof's instance:
    it ties the proof to the claim the fixed-size engines see, the domain's extremes sampled; checking
    the others adds no evidence that the proof, its numbers at large sizes and that instance lack."""
    covers = covering(every, size)
    covered = [s for s in sizes if s is not None and covering(every, s) is not None]
    if covers is None or size == min(covered, key=Size.simplicity):
        return None
    return SizeEvidence(
        size=str(size),
        status=Status.PROVED,
        strategy=COVERED_BY_EVERY_SIZE,
        covers=covers,
        covered=True,
        cached=every.cached,
    )


def _check_every_size(claim: IndexEqual, ob: Obligation, settings: Settings, ev: SizeEvidence, t0: float) -> None:
    """Fill in `ev` for a built index-level claim: numbers at large sizes, then the proof."""
    rng = np.random.default_rng(instance_seed(settings.seed, ob.id, None) + [1])
    try:
        with cpu_time_limit(_phase_limit(settings)):
            numbers = large_sizes.check(claim, rng, settings.samples, settings.rtol, ob.axes)
    except TimeLimitExceeded:
        ev.message, ev.machine_dependent = _limit_message("the numeric check at large sizes", settings), True
        return
    except Exception as exc:
        ev.message = (
            f"numeric evaluation at large sizes failed: {type(exc).__name__}: {exc} ({where(exc, ob.defined_at)})"
        )
        return
    finally:
        ev.seconds_numeric = time.perf_counter() - t0
    ev.instances, ev.max_rel_error, ev.message = numbers.instances, numbers.max_rel_error, numbers.message
    if numbers.mismatch is not None:
        m = numbers.mismatch
        ev.status = Status.REFUTED
        ev.counterexample = Counterexample(
            size=str(numbers.size),
            values={
                name: float(m.values[s]) for s, name in sorted(value_labels(m.values).items(), key=lambda kv: kv[1])
            },
            element=_element_name(m.element),
            lhs=m.lhs,
            rhs=m.rhs,
            seed=settings.seed,
            note=m.note,
        )
        return
    if not numbers.agreed:
        return
    try:  # the normal form is built here, under the limit; the engine's attempts in its own workers
        with cpu_time_limit(_phase_limit(settings)):
            sym = sums.prove_every_size(
                [claim.lhs - claim.rhs],
                claim.domain.sizes(),
                claim.domain.distributions(),
                claim.domain.equations(),
                scalars=claim.domain.scalars,
                strategies=settings.strategies,
                time_limit=settings.time_limit,
            )
    except TimeLimitExceeded:
        ev.status, ev.machine_dependent = Status.NUMERIC, True
        ev.message = "; ".join(x for x in (ev.message, _limit_message("the sums normal form", settings)) if x)
        return
    ev.seconds_symbolic, ev.seconds_worst_attempt = sym.seconds, sym.worst_attempt_cpu
    ev.attempts, ev.residual = sym.attempts, sym.residual
    if sym.error:
        ev.message = "; ".join(x for x in (ev.message, f"symbolic engine: {sym.error.splitlines()[0]}") if x)
    if not sym.zero:
        ev.status, ev.machine_dependent = Status.NUMERIC, sym.machine_dependent
        return
    ev.status, ev.strategy = Status.PROVED, sym.strategy


def verdict_of(ob: Obligation, evidence: list[SizeEvidence], settings: Settings, seconds: float) -> Verdict:
    """An obligation's verdict is the worst of its sizes' (and, for an index-level claim, of its
    evidence for every size); the sizes that evidence proves it for are kept only when the whole
    verdict is proved."""
    status = worst(e.status for e in evidence)
    covered = next((e.covers for e in evidence if e.covers is not None), None)
    return Verdict(
        obligation_id=ob.id,
        name=ob.name,
        step=ob.step,
        status=status,
        expected=ob.expect,
        evidence=evidence,
        seconds=seconds,
        seed=settings.seed,
        every_size=covered if status is Status.PROVED else None,
    )


def check(
    ob: Obligation,
    settings: Settings = Settings(),
    cache: VerdictCache | None = None,
    on_phase: PhaseHook | None = None,
) -> Verdict:
    """Check every size of one obligation, and an index-level one for every size; its verdict is the
    worst of theirs."""
    t0 = time.perf_counter()
    evidence = [e for task in _tasks(ob, settings) for e in _evidence(*task, settings, cache, on_phase)]
    return verdict_of(ob, evidence, settings, time.perf_counter() - t0)


#: What one task of a run checks: an obligation at one size, or an index-level obligation whole
#: (`EVERY_SIZE`: its proof for every size, then its fixed sizes, which depend on that proof).
_Task = tuple[Obligation, "Size | str | None"]


def _tasks(ob: Obligation, settings: Settings) -> list[_Task]:
    return [(ob, EVERY_SIZE)] if ob.model is IndexLevel else [(ob, size) for size in sizes_for(ob, settings)]


def _evidence(
    ob: Obligation,
    size: Size | str | None,
    settings: Settings,
    cache: VerdictCache | None,
    on_phase: PhaseHook | None,
) -> list[SizeEvidence]:
    """The evidence of one task (`_tasks`)."""
    if size == EVERY_SIZE:
        return check_index_level(ob, settings, cache, on_phase)
    assert not isinstance(size, str)
    return [check_size(ob, size, settings, cache, on_phase)]


def _stored(task: _Task, settings: Settings, cache: VerdictCache | None) -> list[SizeEvidence] | None:
    """A task's evidence, when the cache's build index holds all of it (nothing it depends on has
    changed): read without building a claim."""
    ob, size = task
    if size != EVERY_SIZE:
        assert not isinstance(size, str)
        found = indexed(ob, size, settings, cache)
        return [found] if found is not None else None
    every = indexed(ob, EVERY_SIZE, settings, cache)
    if every is None:
        return None
    sizes = sizes_for(ob, settings)
    fixed = [
        covered_by_every_size(every, s, sizes) or indexed(ob, s, settings, cache, covering(every, s)) for s in sizes
    ]
    return None if any(e is None for e in fixed) else [*(e for e in fixed if e is not None), every]


def check_all(
    obligations: Iterable[Obligation],
    settings: Settings = Settings(),
    on_verdict: Callable[[int, int, Verdict], None] | None = None,
    *,
    cache: VerdictCache | None = None,
    jobs: int = 1,
    on_phase: PhaseHook | None = None,
) -> list[Verdict]:
    """Verdicts in the order of `obligations`; with jobs > 1 each task (an obligation at one size, or
    an index-level obligation whole) is checked in one of that many worker processes, slowest first
    (`schedule`), with the verdicts of a serial run.  `on_phase` hears the phases of every task, in
    workers too (on a thread of this process)."""
    with keys_of_one_run():
        return _check_all(list(obligations), settings, on_verdict, cache, jobs, on_phase)


def _check_all(
    obligations: list[Obligation],
    settings: Settings,
    on_verdict: Callable[[int, int, Verdict], None] | None,
    cache: VerdictCache | None,
    jobs: int,
    on_phase: PhaseHook | None,
) -> list[Verdict]:
    tasks = [task for ob in obligations for task in _tasks(ob, settings)]
    if jobs <= 1 or len(tasks) <= 1:
        verdicts = []
        for k, ob in enumerate(obligations, 1):
            v = check(ob, settings, cache, on_phase)
            verdicts.append(v)
            if on_verdict:
                on_verdict(k, len(obligations), v)
        return verdicts

    # Evidence that the cache's build index gives is read here: a rerun with nothing changed forks no
    # worker, and the workers get only what must be checked.
    found: list[tuple[list[SizeEvidence] | None, float]] = [_timed(_stored, task, settings, cache) for task in tasks]
    todo = [i for i, entry in enumerate(found) if entry[0] is None]

    def work(i: int) -> tuple[list[SizeEvidence], float]:
        tell = (lambda ob, size, name: parallel.send((i, name))) if on_phase is not None else None
        return _timed(_evidence, *tasks[i], settings, cache, tell)

    def heard(event: tuple[int, str]) -> None:
        assert on_phase is not None
        i, name = event
        ob, size = tasks[i]
        on_phase(ob, None if isinstance(size, str) else size, name)

    def failed(i: int, exc: Exception) -> tuple[list[SizeEvidence], float]:
        """A task whose result did not come back from the workers is an error of each of its sizes."""
        ob, size = tasks[i]
        message = f"the worker process failed: {type(exc).__name__}: {exc}"
        labels = [str(size or "")] if size != EVERY_SIZE else [*(str(s) for s in sizes_for(ob, settings)), EVERY_SIZE]
        return [SizeEvidence(size=label, status=Status.ERROR, message=message) for label in labels], 0.0

    if len(todo) > 1:
        order = [todo[k] for k in schedule.slowest_first([tasks[i] for i in todo], cache)]
        computed = parallel.run(work, order, jobs, failed, heard if on_phase else None)
    else:
        computed = (_timed(_evidence, *tasks[i], settings, cache, on_phase) for i in todo)
    verdicts = []
    with contextlib.closing(computed):
        results = _merged(found, computed)
        for k, ob in enumerate(obligations, 1):
            # A verdict's seconds are the sum of its tasks' times (in the workers).
            mine = [next(results) for _ in _tasks(ob, settings)]
            evidence = [e for found_evidence, _ in mine for e in found_evidence]
            verdict = verdict_of(ob, evidence, settings, sum(t for _, t in mine))
            verdicts.append(verdict)
            if on_verdict:
                on_verdict(k, len(obligations), verdict)
    return verdicts


def _merged(
    found: list[tuple[list[SizeEvidence] | None, float]], computed: Iterator[tuple[list[SizeEvidence], float]]
) -> Iterator[tuple[list[SizeEvidence], float]]:
    """The evidence found, each gap filled by the next that was computed."""
    for evidence, seconds in found:
        yield (evidence, seconds) if evidence is not None else next(computed)
