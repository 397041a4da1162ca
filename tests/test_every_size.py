"""The checker on index-level obligations: proved for every size only when the sums normal form
proves it and the numbers agree at fixed and at large sizes; the verdict and its reports say so."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest
import sympy as sp

from symderiv import (
    Derivation,
    Equal,
    IndexDomain,
    IndexEqual,
    IndexLevel,
    IndexRange,
    Settings,
    Size,
    SizeRange,
    Status,
    Table,
    check,
    check_all,
    checker,
    indexed,
    sizes,
)
from symderiv.cache import VerdictCache
from symderiv.checker import COVERED_BY_EVERY_SIZE, INSTANCE_OF_EVERY_SIZE
from symderiv.export.document import Document, report_derivation
from symderiv.export.latex import verdict_math
from symderiv.export.markdown import to_markdown
from symderiv.mutation import mutants
from symderiv.report import phases, to_json, verdict_line

S = sp.Symbol("S", integer=True, positive=True)
A = sp.Symbol("A", integer=True, positive=True)
STATES = IndexRange(S, "states", "|S|", largest=12)
ACTIONS = IndexRange(A, "actions", "|A|", largest=30)
s, a, b = sp.symbols("s a b", integer=True)
x = sp.IndexedBase("x", real=True)
pi = sp.IndexedBase("pi", positive=True)
DOMAIN = IndexDomain(
    {s: STATES, a: ACTIONS}, [Table(x, (STATES, ACTIONS)), Table(pi, (STATES, ACTIONS), "distribution")]
)
SETTINGS = Settings(samples=200, time_limit=20.0)
pytest_plugins = ["pytester"]
SMALL = sizes([1], [2, 3])


def over_actions(e: sp.Expr) -> sp.Sum:
    return sp.Sum(e, (b, 1, A))


def derivation() -> Derivation:
    d = Derivation("every size")

    @d.claim("T", "", sizes=SMALL, model=IndexLevel)
    def centred_values_average_to_zero(_: IndexLevel) -> IndexEqual:
        mean = over_actions(pi[s, b] * x[s, b])
        return IndexEqual(sp.Sum(pi[s, a] * (x[s, a] - mean), (a, 1, A)), 0, DOMAIN)

    @d.claim("F", "", sizes=SMALL, model=IndexLevel, expect="refuted")
    def true_up_to_three_actions(_: IndexLevel) -> IndexEqual:
        return IndexEqual((A - 1) * (A - 2) * (A - 3) * over_actions(x[s, b] ** 2), 0, DOMAIN)

    @d.claim("G", "", sizes=SMALL, model=IndexLevel, expect="numeric")
    def gauss(_: IndexLevel) -> IndexEqual:
        return IndexEqual(over_actions(b), A * (A + 1) / 2, DOMAIN)

    @d.claim("E", "", sizes=SMALL, model=IndexLevel)
    def not_index_level(_: IndexLevel) -> Equal:
        return Equal(sp.S.One, sp.S.One, [])

    return d


def test_an_index_level_claim_is_proved_for_every_size_and_says_so() -> None:
    (v,) = check_all([o for o in derivation() if o.id == "T"], SETTINGS)
    assert v.status is Status.PROVED
    assert v.every_size == SizeRange((("|S|", 1), ("|A|", 1)), ("states", "actions"))
    assert [e.size for e in v.evidence] == ["1x2", "1x3", "every size"]
    assert v.evidence[-1].strategy.startswith("sums+")
    assert "proved for every |S| ≥ 1, |A| ≥ 1" in verdict_line(v)
    data = json.loads(to_json([v]))["verdicts"][0]
    assert data["every_size"] == {
        "bounds": {"|S|": 1, "|A|": 1},
        "axes": ["states", "actions"],
        "text": "every |S| ≥ 1, |A| ≥ 1",
    }


def test_the_simplest_fixed_size_the_proof_for_every_size_covers_is_checked_by_its_numbers_only() -> None:
    (v,) = check_all([o for o in derivation() if o.id == "T"], SETTINGS)
    simplest = v.evidence[0]
    assert simplest.size == "1x2" and simplest.status is Status.PROVED
    assert simplest.strategy == INSTANCE_OF_EVERY_SIZE and not simplest.covered
    assert simplest.instances == SETTINGS.samples and not simplest.attempts


def test_the_other_fixed_sizes_the_proof_covers_are_not_checked_on_their_own(monkeypatch) -> None:
    built: list = []
    original = indexed.claim_at
    monkeypatch.setattr(checker, "claim_at", lambda ob, size: built.append(str(size)) or original(ob, size))
    ob = next(o for o in derivation() if o.id == "T")
    v = check(ob, SETTINGS)
    other = v.evidence[1]
    assert other.size == "1x3" and other.covered and other.status is Status.PROVED
    assert other.strategy == COVERED_BY_EVERY_SIZE and other.covers == v.every_size and other.instances == 0
    assert built == ["1x2"]
    assert "    [1x3] covered by the proof for every size, not checked on its own" in phases(v)


def test_every_fixed_size_is_checked_when_the_proof_for_every_size_fails(monkeypatch) -> None:
    built: list = []
    original = indexed.claim_at
    monkeypatch.setattr(checker, "claim_at", lambda ob, size: built.append(str(size)) or original(ob, size))
    v = check(next(o for o in derivation() if o.id == "G"), SETTINGS)
    assert built == ["1x2", "1x3"] and not any(e.covered for e in v.evidence)


def test_fixed_sizes_are_proved_in_full_when_no_proof_for_every_size_covers_them() -> None:
    ob = next(o for o in derivation() if o.id == "G")
    v = check(ob, SETTINGS)
    assert [e.status for e in v.evidence[:2]] == [Status.PROVED, Status.PROVED]
    assert [e.strategy for e in v.evidence[:2]] == ["identical", "identical"]  # 3 = 3 and 6 = 6, by symbols


def test_a_size_range_contains_the_sizes_at_least_its_bounds_and_a_range_without_axes_none() -> None:
    at_least_two_actions = SizeRange((("|A|", 2),), ("actions",))
    assert at_least_two_actions.contains(Size.of(states=3, actions=2)) and not at_least_two_actions.contains(
        Size.of(states=3, actions=1)
    )
    assert not SizeRange((("|A|", 1),)).contains(Size.of(states=1, actions=2))


def test_a_claim_true_at_the_fixed_sizes_only_is_refuted_at_a_larger_one() -> None:
    ob = next(o for o in derivation() if o.id == "F")
    v = check(ob, SETTINGS)
    assert [e.status for e in v.evidence[:2]] == [Status.PROVED, Status.PROVED]
    assert v.status is Status.REFUTED and v.every_size is None
    assert int(v.counterexample.size.split("x")[1]) > 3


def test_a_claim_the_normal_form_does_not_prove_is_numeric_for_every_size() -> None:
    """Σ_{b=1}^{A} b = A(A+1)/2 holds, but no rule of the normal form sums the index itself."""
    ob = next(o for o in derivation() if o.id == "G")
    v = check(ob, SETTINGS)
    assert v.status is Status.NUMERIC and v.every_size is None
    assert v.evidence[-1].status is Status.NUMERIC


def test_a_builder_of_the_index_level_model_returns_an_index_level_claim() -> None:
    ob = next(o for o in derivation() if o.id == "E")
    v = check(ob, SETTINGS)
    assert v.status is Status.ERROR
    assert "IndexEqual" in v.evidence[-1].message


def test_the_docs_example_is_proved_for_every_size() -> None:
    text = (Path(__file__).resolve().parent.parent / "docs" / "every-size.md").read_text()
    code = re.search(r"```python\n(.*?)```", text, re.S)[1]
    namespace: dict = {}
    exec(compile(code, "docs/every-size.md", "exec"), namespace)
    (v,) = check_all(namespace["note"], SETTINGS)
    assert v.status is Status.PROVED and str(v.every_size) == "every |S| ≥ 1, |A| ≥ 1"


def test_the_evidence_for_every_size_is_cached(tmp_path: Path) -> None:
    ob = next(o for o in derivation() if o.id == "T")
    cache = VerdictCache(tmp_path)
    first = check(ob, SETTINGS, cache)
    again = check(ob, SETTINGS, cache)
    assert not first.evidence[-1].cached and all(e.cached for e in again.evidence)
    assert again.status is Status.PROVED and again.every_size == first.every_size
    assert [e.strategy for e in again.evidence] == [e.strategy for e in first.evidence]


def test_a_rerun_reads_the_evidence_for_every_size_without_building_the_claim(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    obligations = [o for o in derivation() if o.id == "T"]
    (first,) = check_all(obligations, SETTINGS, cache=VerdictCache(tmp_path), jobs=2)
    built = []
    checked = IndexEqual.__post_init__
    monkeypatch.setattr(IndexEqual, "__post_init__", lambda claim: built.append(claim) or checked(claim))
    (again,) = check_all(obligations, SETTINGS, cache=VerdictCache(tmp_path), jobs=2)
    assert not built and again.every_size == first.every_size
    assert all(e.cached for e in again.evidence)


INDEX_LEVEL_PROOF = textwrap.dedent(
    """
    import sympy as sp
    from symderiv import Derivation, IndexDomain, IndexEqual, IndexLevel, IndexRange, Table, sizes

    A = sp.Symbol("A", integer=True, positive=True)
    ACTIONS = IndexRange(A, "actions", "|A|", largest=30)
    a = sp.Symbol("a", integer=True)
    x = sp.IndexedBase("x", real=True)
    DOMAIN = IndexDomain({}, [Table(x, (ACTIONS,))])
    d = Derivation("index level")

    @d.claim("I1", "", sizes=sizes([1], [2, 3]), model=IndexLevel)
    def true_up_to_three_actions(_):
        return IndexEqual((A - 1) * (A - 2) * (A - 3) * sp.Sum(x[a], (a, 1, A)), 0, DOMAIN)
    """
)


def test_the_pytest_plugin_checks_an_index_level_claim_for_every_size(pytester: pytest.Pytester) -> None:
    pytester.mkdir("proofs")
    pytester.path.joinpath("proofs", "note.py").write_text(INDEX_LEVEL_PROOF)
    result = pytester.runpytest_inprocess("--symderiv", "proofs", "--symderiv-samples", "200", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*I1 true_up_to_three_actions: verdict refuted for every size, expected proved*"])


def test_an_index_level_claim_is_mutated_as_its_instance() -> None:
    d = Derivation("mutated")

    @d.claim("M", "", sizes=SMALL, model=IndexLevel)
    def mean_of_centred_values(_: IndexLevel) -> IndexEqual:
        mean = over_actions(pi[s, b] * x[s, b])
        return IndexEqual(sp.Sum(pi[s, a] * (x[s, a] - mean + 1), (a, 1, A)), sp.S.One, DOMAIN)

    found = mutants(d)
    assert found and all(isinstance(m.claim, Equal) for m in found)


def test_parallel_runs_give_the_same_verdicts_for_every_size() -> None:
    obs = [o for o in derivation() if o.id in ("T", "F")]
    serial, parallel = check_all(obs, SETTINGS), check_all(obs, SETTINGS, jobs=2)
    assert [(v.status, v.every_size) for v in parallel] == [(v.status, v.every_size) for v in serial]
    assert parallel[0].every_size is not None and parallel[0].evidence[-1].size == "every size"


def test_the_exports_say_the_range_and_show_the_instance() -> None:
    d = Derivation("exported", steps=["T"])
    ob = next(o for o in derivation() if o.id == "T")
    d.obligations.append(ob)
    (v,) = check_all([ob], SETTINGS)
    report = report_derivation(d, [v], SETTINGS)
    assert isinstance(report.steps[0].entries[0].encoding.claim, Equal)
    assert r"\text{ for every }|S| \geq 1,\ |A| \geq 1" in verdict_math(v)
    markdown = to_markdown(Document([report], SETTINGS))
    assert r"proved for every $\vert S\vert  \geq 1$, $\vert A\vert  \geq 1$" in markdown
