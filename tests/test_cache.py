"""The verdict cache: a hit only when nothing a verdict depends on has changed."""

import dataclasses
import json
import subprocess
import sys
from importlib.metadata import PackageNotFoundError
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from symderiv import Derivation, Equal, Positive, Settings, Status, check, check_all, replay, report, sizes
from symderiv import cache as cache_module
from symderiv.cache import VerdictCache, cache_key, canonical_form
from symderiv.checker import check_size
from symderiv.cli import main
from symderiv.domain import Real
from symderiv.obligation import Size
from symderiv.outcome import Attempt, Outcome
from symderiv.rl import SymbolicMDP
from symderiv.symbolic import Strategy
from symderiv.verdict import SizeEvidence, Verdict

x, y = sp.symbols("x y", positive=True)
FAST = Settings(samples=300, time_limit=5)


def log_of_product():
    return Equal(sp.log(x * y), sp.log(x) + sp.log(y), [Positive(x, y)])


def key(claim=None, settings=FAST, ob_id="C1", size=None):
    return cache_key(ob_id, size, claim if claim is not None else log_of_product(), settings)


def test_the_same_claim_and_settings_give_the_same_key():
    assert key() == key()


@pytest.mark.parametrize(
    "changed",
    [
        pytest.param(dict(claim=Equal(sp.log(x * y), sp.log(x) - sp.log(y), [Positive(x, y)])), id="claim"),
        pytest.param(
            dict(claim=Equal(sp.log(x * y), sp.log(x) + sp.log(y), [Positive(x, y, low=0.5)])), id="domain bound"
        ),
        pytest.param(
            dict(
                claim=Equal(
                    sp.log(sp.Symbol("x", real=True) * y),
                    sp.log(sp.Symbol("x", real=True)) + sp.log(y),
                    [Real(sp.Symbol("x", real=True)), Positive(y)],
                )
            ),
            id="symbol assumptions",
        ),
        pytest.param(dict(settings=Settings(samples=300, time_limit=5, seed=1)), id="seed"),
        pytest.param(dict(settings=Settings(samples=301, time_limit=5)), id="samples"),
        pytest.param(dict(settings=Settings(samples=300, time_limit=6)), id="time limit"),
        pytest.param(dict(settings=Settings(samples=300, time_limit=5, rtol=1e-8)), id="tolerance"),
        pytest.param(
            dict(settings=Settings(samples=300, time_limit=5, strategies=(Strategy("expand", sp.expand),))),
            id="strategies",
        ),
        pytest.param(dict(ob_id="C2"), id="obligation id (the seed derives from it)"),
        pytest.param(dict(size=Size.of(states=1, actions=2)), id="size"),
    ],
)
def test_anything_a_verdict_depends_on_changes_the_key(changed):
    assert key(**changed) != key()


def test_settings_are_written_once_in_a_run_and_anew_outside_one(monkeypatch):
    written = []
    write = cache_module._written_settings
    monkeypatch.setattr(cache_module, "_written_settings", lambda s: written.append(s) or write(s))
    settings = Settings(samples=301, time_limit=5)
    with cache_module.keys_of_one_run():
        keys = {key(settings=settings, size=Size.of(states=1, actions=n)) for n in (2, 3)}
    assert len(keys) == 2 and written == [settings]
    key(settings=settings)
    key(settings=settings)
    assert written == [settings] * 3


#: Read by `_trusting_rewrite`, a strategy of the user's: what it does changes with it.
TRUSTED = True


def _trusting_rewrite(e):
    return sp.expand(e) if TRUSTED else e


def test_a_strategy_whose_globals_change_between_two_checks_changes_the_key(monkeypatch):
    settings = Settings(samples=300, time_limit=5, strategies=(Strategy("mine", _trusting_rewrite),))
    with cache_module.keys_of_one_run():
        before = key(settings=settings)
    monkeypatch.setattr(sys.modules[__name__], "TRUSTED", False)
    with cache_module.keys_of_one_run():
        assert key(settings=settings) != before


def test_settings_holding_something_unhashable_are_still_keyed():
    class Unhashable(Strategy):
        __hash__ = None  # type: ignore[assignment]

    def settings(name):
        return Settings(samples=300, time_limit=5, strategies=(Unhashable(name, sp.expand),))

    with pytest.raises(TypeError):
        hash(settings("expand"))
    assert key(settings=settings("expand")) == key(settings=settings("expand")) != key(settings=settings("other"))


SMOOTH_CLAIM = """
import sys
import sympy as sp
from symderiv import Equal, Real, Settings, SmoothFunctions
from symderiv.cache import cache_key

_history = [sp.Dummy() for _ in range(int(sys.argv[1]))]  # dummies made earlier shift every index
theta = sp.Symbol("theta", real=True)
f = sp.Function("f", real=True)(theta)
s = sp.Dummy("s", real=True)
claim = Equal(sp.diff(f, theta) * s, s * sp.diff(f, theta), [Real(s), SmoothFunctions([f], theta)])
print(cache_key("C1", None, claim, Settings(samples=300, time_limit=5)))
"""


def test_dummies_and_a_samplers_coefficients_give_the_same_key_in_every_process_and_build():
    keys = {
        subprocess.run(
            [sys.executable, "-c", SMOOTH_CLAIM, str(made)], capture_output=True, text=True, check=True
        ).stdout.strip()
        for made in (0, 1000)
    }
    assert len(keys) == 1 and len(keys.pop()) == 64


def test_dummies_are_keyed_by_where_they_stand_not_by_their_index():
    def build(first, second):
        s1, s2 = sp.Dummy("s", real=True), sp.Dummy("s", real=True)
        chosen = {"s1": s1, "s2": s2}
        return Equal(sp.Matrix([s1, chosen[first]]), sp.Matrix([chosen[second], s1]), [Real(s1, s2)])

    assert key(build("s2", "s2")) == key(build("s2", "s2"))  # two builds, fresh dummies
    assert key(build("s2", "s2")) != key(build("s1", "s1"))  # the same name, but another dummy


def test_the_list_of_sizes_to_run_is_not_part_of_the_key():
    assert key(settings=Settings(samples=300, time_limit=5, sizes=(Size.of(states=2, actions=2),))) == key()


def test_a_new_version_of_a_tool_changes_the_key(monkeypatch):
    before = key()
    monkeypatch.setattr(cache_module, "tool_versions", lambda: "symderiv 0.1.0 (other source); sympy 9.9")
    assert key() != before


def test_symderiv_source_digest_is_part_of_the_versions():
    versions = cache_module.tool_versions()
    assert "symderiv" in versions and "sympy " + sp.__version__ in versions and "numpy" in versions


def _reference_one(values):
    return np.log(values[x] * values[y])


def _reference_two(values):
    return np.log(values[x]) + np.log(values[y])


def test_a_reference_function_is_keyed_by_its_code():
    with_one = Equal(sp.log(x * y), sp.log(x) + sp.log(y), [Positive(x, y)], reference=_reference_one)
    with_two = Equal(sp.log(x * y), sp.log(x) + sp.log(y), [Positive(x, y)], reference=_reference_two)
    assert key(with_one) != key(with_two)
    assert key(with_one) == key(Equal(sp.log(x * y), sp.log(x) + sp.log(y), [Positive(x, y)], reference=_reference_one))


SCALE = 1.0


def _reference_scaled_by_a_constant(values):
    return SCALE * values[x]


def test_a_reference_is_keyed_by_the_module_constants_it_reads(monkeypatch):
    claim = Equal(x, x, [Positive(x)], reference=_reference_scaled_by_a_constant)
    before = key(claim)
    monkeypatch.setattr(__import__(__name__), "SCALE", 2.0)
    assert key(claim) != before


def test_a_closure_is_keyed_by_what_it_captured():
    def reference_scaled(c):
        return lambda values: c * values[x]

    one = Equal(x, x, [Positive(x)], reference=reference_scaled(1.0))
    two = Equal(x, x, [Positive(x)], reference=reference_scaled(2.0))
    assert key(one) != key(two)


def test_a_part_without_canonical_form_makes_the_claim_uncacheable(tmp_path):
    class Opaque:
        __slots__ = ()

        def __call__(self, values):
            return values[x]

    claim = Equal(x, x, [Positive(x)], reference=Opaque())
    with pytest.raises(cache_module.Uncacheable):
        canonical_form(claim)
    assert VerdictCache(tmp_path).key("C1", None, claim, FAST) is None


d = Derivation("cache tests")


@d.claim("C1", r"\ln(xy) = \ln x + \ln y")
def log_of_product_claim():
    return log_of_product()


@d.claim("C2", r"(x + y)^2 = x^2 + y^2", expect="refuted")
def square_of_sum_wrong():
    return Equal((x + y) ** 2, x**2 + y**2, [Positive(x, y)])


@d.claim("C3", r"V_Q = \sum_a \pi_Q Q - \alpha KL", sizes=sizes([1], [2]), model=SymbolicMDP)
def soft_value(m):
    pq = m.boltzmann(m.Q)
    return Equal(m.soft_value(m.Q), m.average(m.Q, pq) - m.alpha * m.kl(pq), m.domain())


@pytest.mark.parametrize("ob", d.obligations, ids=lambda ob: ob.id)
def test_a_second_check_is_served_from_the_cache_with_the_same_evidence(ob, tmp_path):
    cache = VerdictCache(tmp_path)
    first = check(ob, FAST, cache)
    second = check(ob, FAST, cache)
    assert not any(e.cached for e in first.evidence) and all(e.cached for e in second.evidence)
    assert second.status is first.status is ob.expect
    for a, b in zip(first.evidence, second.evidence):
        assert (a.status, a.strategy, a.instances, a.counterexample) == (
            b.status,
            b.strategy,
            b.instances,
            b.counterexample,
        )


def test_a_changed_setting_is_checked_again(tmp_path):
    cache = VerdictCache(tmp_path)
    ob = d.obligations[0]
    check(ob, FAST, cache)
    assert not any(e.cached for e in check(ob, Settings(samples=300, time_limit=5, seed=3), cache).evidence)
    assert not any(e.cached for e in check(ob, Settings(samples=400, time_limit=5), cache).evidence)


def test_a_changed_claim_under_the_same_id_is_checked_again(tmp_path):
    cache = VerdictCache(tmp_path)
    check(d.obligations[0], FAST, cache)
    edited = Derivation("the same note, edited")

    @edited.claim("C1", r"\ln(xy) = \ln x - \ln y")
    def log_of_product_claim():
        return Equal(sp.log(x * y), sp.log(x) - sp.log(y), [Positive(x, y)])

    verdict = check(edited.obligations[0], FAST, cache)
    assert verdict.status is Status.REFUTED and not verdict.evidence[0].cached


def test_errors_and_time_limited_misses_are_not_stored(tmp_path):
    cache = VerdictCache(tmp_path)
    assert not cache.put("0" * 64, SizeEvidence(size="", status=Status.ERROR, message="boom"))
    stopped = SizeEvidence(size="", status=Status.NUMERIC, machine_dependent=True)
    assert not cache.put("1" * 64, stopped)
    assert cache.get("0" * 64) is None and cache.get("1" * 64) is None
    # Stored whatever its message says: the cache decides on typed fields, never on the wording.
    finished = SizeEvidence(
        size="",
        status=Status.NUMERIC,
        message="stopped after (worded so) 0.01s; symbolic engine: killed",
        attempts=[Attempt("expand", Outcome.BUDGET_EXCEEDED, detail="more than 20,000 nodes")],
    )
    assert cache.put("2" * 64, finished)
    assert cache.get("2" * 64) == dataclasses.replace(finished, cached=True)


def test_a_rewrite_stopped_by_its_time_limit_makes_the_verdict_machine_dependent():
    def forever(e):
        while True:
            pass

    d = Derivation("slow")
    d.claim("S", "slow")(lambda: Equal(sp.log(x * y), sp.log(x) + sp.log(y), [Positive(x, y)]))
    verdict = check(d.obligations[0], Settings(samples=50, time_limit=0.5, strategies=(Strategy("forever", forever),)))
    assert verdict.status is Status.NUMERIC and verdict.evidence[0].machine_dependent


def test_an_argued_verdict_is_stored_like_a_proof(tmp_path):
    """Argued depends only on the claim (its parts proved, its implication prose), not on the machine."""
    cache = VerdictCache(tmp_path)
    argued = SizeEvidence(size="", status=Status.ARGUED, strategy="argued(assumptions)")
    assert cache.put("3" * 64, argued) and cache.get("3" * 64).status is Status.ARGUED


def test_a_damaged_entry_is_a_miss(tmp_path):
    cache = VerdictCache(tmp_path)
    ob = d.obligations[0]
    check(ob, FAST, cache)
    (entry,) = _evidence_files(tmp_path)
    entry.write_text("{not json")
    assert not check(ob, FAST, cache).evidence[0].cached
    (entry,) = _evidence_files(tmp_path)
    data = json.loads(entry.read_text())
    data["key"] = "another key"
    entry.write_text(json.dumps(data))
    assert not check(ob, FAST, cache).evidence[0].cached


def _evidence_files(directory):
    return [f for f in directory.rglob("*.json") if not {"builds", "timings"} & set(f.parts)]


@pytest.fixture
def builds(monkeypatch):
    """C1, with every build of its claim recorded."""
    ob, made = d.obligations[0], []
    build_for = ob.build_for
    monkeypatch.setattr(ob, "build_for", lambda size: made.append(size) or build_for(size))
    return ob, made


def test_a_rerun_with_nothing_changed_reads_the_evidence_without_building(tmp_path, builds):
    (ob, made), cache = builds, VerdictCache(tmp_path)
    first, second = check(ob, FAST, cache), check(ob, FAST, cache)
    assert len(made) == 1 and second.evidence[0].cached and second.status is first.status is Status.PROVED


def test_a_rerun_serves_every_verdict_from_the_cache_without_building(tmp_path):
    """proved, numeric and refuted alike, in a serial run and in workers: nothing is built again."""
    built = str(tmp_path / "builds.txt")  # a str, which the build index can key on, unlike a Path
    note = Derivation("rerun")
    for ob_id, claim, expect in [
        ("R1", lambda: Equal(sp.log(x * y), sp.log(x) + sp.log(y), [Positive(x, y)]), "proved"),
        ("R2", lambda: Equal(sp.sin(x) ** 2 + sp.cos(x) ** 2, sp.S.One, [Positive(x)]), "numeric"),
        ("R3", lambda: Equal((x + y) ** 2, x**2 + y**2, [Positive(x, y)]), "refuted"),
    ]:

        def build(claim=claim, ob_id=ob_id):
            with open(built, "a") as f:
                f.write(ob_id + "\n")
            return claim()

        note.claim(ob_id, ob_id, expect=expect)(build)
    # Only expand: the trigonometric identity stays numeric, a verdict the work budgets decide.
    settings = Settings(samples=300, time_limit=5, strategies=(Strategy("expand", sp.expand),))
    cache = VerdictCache(tmp_path / "cache")
    first = check_all(note, settings, cache=cache)
    assert [v.status for v in first] == [Status.PROVED, Status.NUMERIC, Status.REFUTED]
    assert all(v.as_expected and not v.evidence[0].machine_dependent for v in first)
    assert Path(built).read_text().split() == ["R1", "R2", "R3"]
    for jobs in (1, 2):
        again = check_all(note, settings, cache=cache, jobs=jobs)
        assert [v.status for v in again] == [v.status for v in first]
        assert all(e.cached for v in again for e in v.evidence)
        assert Path(built).read_text().split() == ["R1", "R2", "R3"], "a cached rerun built a claim"


def test_a_changed_user_module_builds_again_and_finds_the_claim_by_its_key(tmp_path, builds, monkeypatch):
    (ob, made), cache = builds, VerdictCache(tmp_path)
    check(ob, FAST, cache)
    monkeypatch.setattr(cache_module, "user_code_digest", lambda: "an edited helper module")
    again = check(ob, FAST, cache)
    assert len(made) == 2 and again.evidence[0].cached


def test_the_build_index_is_keyed_by_the_builder_and_the_settings():
    ob, other = d.obligations[0], d.obligations[1]
    assert cache_module.build_key(ob, None, FAST) == cache_module.build_key(ob, None, FAST)
    assert cache_module.build_key(ob, None, FAST) != cache_module.build_key(ob, None, Settings(samples=301))
    renamed = dataclasses.replace(other, id=ob.id)  # another builder under the same id
    assert cache_module.build_key(renamed, None, FAST) != cache_module.build_key(ob, None, FAST)


def test_a_damaged_build_index_entry_only_costs_a_build(tmp_path, builds):
    (ob, made), cache = builds, VerdictCache(tmp_path)
    check(ob, FAST, cache)
    for entry in tmp_path.rglob("*.json"):
        if "builds" in entry.parts:
            entry.write_text('{"build": "another", "claim": "0000"}')
    assert check(ob, FAST, cache).evidence[0].cached and len(made) == 2


def test_check_size_without_a_cache_stores_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("SYMDERIV_CACHE_DIR", str(tmp_path))
    check_size(d.obligations[0], None, FAST)
    assert not list(tmp_path.rglob("*.json"))


def test_the_directory_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SYMDERIV_CACHE_DIR", str(tmp_path / "here"))
    assert cache_module.default_directory() == tmp_path / "here"
    monkeypatch.delenv("SYMDERIV_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_module.default_directory() == tmp_path / "xdg" / "symderiv"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_module.default_directory() == tmp_path / "home" / ".cache" / "symderiv"


PROOF = """
import sympy as sp
from symderiv import Derivation, Equal, Positive

x, y = sp.symbols("x y", positive=True)
d = Derivation("cli cache test")

@d.claim("K1", r"\\ln(xy) = \\ln x + \\ln y")
def log_of_product():
    return Equal(sp.log(x * y), sp.log(x) + sp.log(y), [Positive(x, y)])
"""


def test_the_command_line_reuses_verdicts_unless_told_not_to(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SYMDERIV_CACHE_DIR", str(tmp_path / "cache"))
    proof = tmp_path / "note.py"
    proof.write_text(PROOF)
    runs = []
    for extra in ([], [], ["--no-cache"]):
        assert main(["check", str(proof), "--samples", "200", *extra]) == 0
        runs.append(capsys.readouterr().out)
    assert "(cached)" not in runs[0] and "(cached)" in runs[1] and "(cached)" not in runs[2]
    assert all("1 proved" in out for out in runs)


def factorial(n):
    return 1 if n <= 1 else n * factorial(n - 1)


def test_a_builder_that_names_itself_or_recurses_has_a_build_key():
    """C3's `soft_value` reads `m.soft_value`, a name its module gives to the builder itself."""
    recursive = Derivation("recursive")
    recursive.claim("B1", "recursive")(lambda: Equal(x * factorial(3), 6 * x, [Positive(x)]))
    for ob in [d.obligations[2], recursive.obligations[0]]:
        assert cache_module.build_key(ob, (ob.sizes or [None])[0], FAST)
    assert canonical_form(factorial) != canonical_form(soft_value)


def test_a_model_is_keyed_by_its_size_not_by_what_it_has_built(tmp_path):
    from symderiv.rl import SymbolicMDP

    fresh, used = SymbolicMDP((2, 2)), SymbolicMDP((2, 2))
    used.soft_bellman_optimal(used.Q)  # names V_Q and TQ, and caches their expansions
    canonical = cache_module._Canonical()
    assert canonical(fresh) == cache_module._Canonical()(used)
    assert canonical(SymbolicMDP((2, 3))) != cache_module._Canonical()(fresh)


def test_a_claim_over_named_quantities_is_served_from_the_cache_on_a_rerun(tmp_path):
    from symderiv.rl import SymbolicMDP

    d = Derivation("named")

    @d.claim("V1", r"Q = V_Q + \alpha \ln(\pi_Q / \tilde\pi)", sizes=sizes([1], [2]), model=SymbolicMDP)
    def q_is_soft_value_plus_log_ratio(m):
        V, pq = m.soft_value(m.Q), m.boltzmann(m.Q)
        rhs = m.per_pair(V) + m.alpha * m.log_ratio(pq)
        return Equal(m.Q, rhs, m.domain(), reference=lambda values: m.arrays(values).Q)

    store = cache_module.VerdictCache(tmp_path)
    first = check(d.obligations[0], Settings(samples=100), store)
    again = check(d.obligations[0], Settings(samples=100), store)
    assert first.status is again.status is Status.PROVED
    assert all(e.cached for e in again.evidence)


# -- the record of a run, from which a rerun with nothing changed is replayed --------------------

HELPER = "def shifted(v):\n    return v + 0\n"
PACKAGE_PROOF = PROOF.replace("import sympy as sp\n", "import sympy as sp\nfrom .helper import shifted\n").replace(
    "sp.log(x) + sp.log(y)", "shifted(sp.log(x)) + sp.log(y)"
)


@pytest.fixture
def recorded(tmp_path, monkeypatch, capsys):
    """A proof folder holding a package (a proof module and the helper it imports), checked once
    by the command line; returns its folder and the arguments of that run."""
    monkeypatch.chdir(tmp_path)
    package = tmp_path / "proofs" / "note"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(PACKAGE_PROOF)
    (package / "helper.py").write_text(HELPER)
    argv = ["check", "proofs", "--samples", "200"]
    assert main(argv) == 0
    first = capsys.readouterr().out
    assert report.REPLAYED not in first
    return tmp_path / "proofs", argv, first


def test_a_rerun_with_nothing_changed_is_replayed_without_importing_sympy(recorded):
    folder, argv, first = recorded
    script = (
        "import sys; from symderiv.cli import main; status = main(sys.argv[1:]); "
        "print('imported:', sorted({'sympy', 'numpy', 'symderiv.checker'} & set(sys.modules))); sys.exit(status)"
    )
    done = subprocess.run([sys.executable, "-c", script, *argv], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "imported: []" in done.stdout and report.REPLAYED in done.stdout
    lines = [line for line in done.stdout.splitlines() if line.startswith("[")]
    assert lines == [line + " (cached)" for line in first.splitlines() if line.startswith("[")]
    assert "1 obligations: 1 proved" in done.stdout


def test_a_replayed_json_report_is_the_report_of_the_run(recorded, capsys):
    _, argv, _ = recorded
    assert main([*argv, "--json", "-q"]) == 0
    checked = capsys.readouterr().out
    assert replay.replayed([*argv, "--json", "-q"]) == 0
    replayed = capsys.readouterr()
    assert replayed.out == checked and replayed.err == ""


def _edit(path: Path, text: str) -> None:
    path.write_text(text)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda folder: _edit(folder / "note" / "__init__.py", PACKAGE_PROOF + "\n# edited\n"), id="proof"),
        pytest.param(lambda folder: _edit(folder / "note" / "helper.py", HELPER + "\n# edited\n"), id="helper"),
        pytest.param(lambda folder: _edit(folder / "another.py", PROOF), id="new proof file"),
        pytest.param(lambda folder: _edit(folder / "note" / "unused.py", ""), id="new module beside the helper"),
        pytest.param(lambda folder: (folder / "note" / "helper.py").unlink(), id="helper removed"),
    ],
)
def test_a_changed_file_is_not_replayed(recorded, change):
    folder, argv, _ = recorded
    assert replay.replayed(argv) == 0
    change(folder)
    assert replay.replayed(argv) is None


@pytest.mark.parametrize(
    "extra",
    [["--seed", "1"], ["--samples", "201"], ["--sizes", "2x2"], ["--time-limit", "60"], ["-k", "K1"], ["-v"]],
)
def test_other_arguments_are_not_replayed(recorded, extra):
    _, argv, _ = recorded
    assert replay.replayed([*argv, *extra]) is None


def test_another_library_version_or_a_missing_library_is_not_replayed(recorded, monkeypatch):
    _, argv, _ = recorded
    monkeypatch.setattr(replay, "library_versions", lambda: "sympy 9.9; numpy 9.9")
    assert replay.replayed(argv) is None

    def missing() -> str:
        raise PackageNotFoundError("python-flint")

    monkeypatch.setattr(replay, "library_versions", missing)
    assert replay.replayed(argv) is None


def test_a_run_without_the_cache_is_not_recorded(recorded, capsys):
    _, argv, _ = recorded
    assert main([*argv, "--no-cache"]) == 0
    assert report.REPLAYED not in capsys.readouterr().out
    assert replay.replayed([*argv, "--no-cache"]) is None


def test_a_run_with_an_error_or_machine_dependent_evidence_is_not_recorded(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "broken.py").write_text(
        PROOF.replace("return Equal(", "raise ValueError('no claim')\n    return Equal(")
    )
    argv = ["check", "broken.py", "--samples", "200"]
    assert main(argv) == 1
    assert replay.replayed(argv) is None
    limited = SizeEvidence(size="", status=Status.NUMERIC, machine_dependent=True)
    verdict = Verdict("K1", "", "", Status.NUMERIC, Status.NUMERIC, [limited])
    assert not replay.CheckRun({}, (replay.ReportedVerdict(verdict, None, ()),), 0).recordable


def test_a_run_whose_files_change_while_it_runs_is_not_recorded(tmp_path, monkeypatch):
    """Its verdicts may be those of the files before the change."""
    monkeypatch.chdir(tmp_path)
    edits_itself = PROOF.replace(
        "    return Equal(", "    open(__file__, 'a').write('# edited while checked\\n')\n    return Equal("
    )
    (tmp_path / "note.py").write_text(edits_itself)
    argv = ["check", "note.py", "--samples", "200"]
    assert main(argv) == 0
    assert replay.replayed(argv) is None


def test_a_run_during_which_a_proof_file_is_removed_is_not_recorded(tmp_path, monkeypatch):
    """Its verdicts include those of the file, which a rerun would not find."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "proofs").mkdir()
    removes_other = PROOF.replace(
        "    return Equal(", "    Path(__file__).with_name('other.py').unlink(missing_ok=True)\n    return Equal("
    )
    (tmp_path / "proofs" / "note.py").write_text("from pathlib import Path\n" + removes_other)
    (tmp_path / "proofs" / "other.py").write_text(PROOF.replace('"K1"', '"K2"'))
    argv = ["check", "proofs", "--samples", "200"]
    assert main(argv) == 0
    assert not (tmp_path / "proofs" / "other.py").exists()
    assert replay.replayed(argv) is None


def test_the_user_code_digest_follows_loaded_modules_and_their_files(tmp_path, monkeypatch):
    # Which modules are user code is remembered until the loaded modules change; each file's
    # digest is read every time, so an edit shows at once.
    import importlib.util

    helper = tmp_path / "digest_helper_module.py"
    helper.write_text("X = 1\n")
    before = cache_module.user_code_digest()
    assert cache_module.user_code_digest() == before
    spec = importlib.util.spec_from_file_location("digest_helper_module", helper)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setitem(sys.modules, "digest_helper_module", module)
    loaded = cache_module.user_code_digest()
    assert loaded != before
    helper.write_text("X = 2  # edited\n")
    assert cache_module.user_code_digest() not in (before, loaded)
    monkeypatch.delitem(sys.modules, "digest_helper_module")
    assert cache_module.user_code_digest() == before
