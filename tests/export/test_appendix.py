import importlib.util
import inspect
import sys
import textwrap

import pytest

from symderiv.export.appendix import reference_functions, render


@pytest.fixture
def define(tmp_path):
    """Define one function from source in a module file that imports numpy as np (latexify reads the file)."""
    loaded = []

    def load(source: str):
        name = f"appendix_sample_{len(loaded)}"
        path = tmp_path / f"{name}.py"
        path.write_text("import numpy as np\n\n" + textwrap.dedent(source))
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        loaded.append(module)
        return next(v for k, v in vars(module).items() if inspect.isfunction(v))

    return load


@pytest.fixture
def sample_module(tmp_path, monkeypatch):
    path = tmp_path / "appendix_reference_sample.py"
    path.write_text(
        textwrap.dedent('''
        """Reference implementations for the appendix tests."""
        import numpy as np
        from numpy.linalg import solve


        def reward_plus_next_value(r, P, V):
            """r + P V."""
            return r + P @ V


        def discounted_visitation(P_pi, p0, gamma, n):
            return (1 - gamma) * np.linalg.solve((np.eye(n) - gamma * P_pi).T, p0)


        def _helper(x):
            return x
    ''')
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "appendix_reference_sample"
    sys.modules.pop("appendix_reference_sample", None)


def test_a_faithful_rendering_is_typeset(define):
    ref = render(
        define('''
        def soft_value_of_logits(q, prior, alpha):
            """α ln Σ π̃ e^{q/α} for one action."""
            return alpha * np.log(prior * np.exp(q / alpha))
    ''')
    )
    assert ref.problems == []
    assert ref.latex is not None and r"\alpha" in ref.latex and r"\exp" in ref.latex
    assert "np" not in ref.latex  # the module prefix carries no meaning in a formula


def test_lost_parentheses_fall_back_to_a_listing(define):
    # DESIGN.md's case: latexify prints (I - γP).T as I - γ P.T
    ref = render(
        define("""
        def transposed(P, gamma, n):
            return (np.eye(n) - gamma * P).T
    """)
    )
    assert ref.latex is None
    assert any("loses its parentheses" in p for p in ref.problems)
    assert "(np.eye(n) - gamma * P).T" in ref.source


def test_a_dropped_keyword_argument_falls_back_to_a_listing(define):
    ref = render(
        define("""
        def kl(pi, prior):
            return np.sum(pi * np.log(pi / prior), axis=1)
    """)
    )
    assert ref.latex is None
    assert any("axis=1" in p and "dropped" in p for p in ref.problems)


def test_a_dropped_method_receiver_falls_back_to_a_listing(define):
    ref = render(
        define("""
        def normalised(w):
            return w / w.sum()
    """)
    )
    assert ref.latex is None  # latexify prints w.sum() as a bare \sum()
    assert "`w` is missing from the rendering of `w.sum()`" in ref.problems


def test_literals_that_would_read_as_products_fall_back_to_a_listing(define):
    ref = render(
        define("""
        def complex_step(f, x):
            return np.imag(f(x + 1j * 1e-20)) / 1e-20
    """)
    )
    assert ref.latex is None
    assert any("`1j`" in p for p in ref.problems) and any("`1e-20`" in p for p in ref.problems)


def test_a_matrix_function_printing_its_argument_in_bold_is_faithful(define):
    ref = render(
        define("""
        def transposed(kernel):
            return np.transpose(kernel)
    """)
    )
    assert ref.problems == [] and r"\mathbf{kernel}^\intercal" in ref.latex


def test_what_latexify_cannot_render_is_a_listing_with_the_reason(define):
    ref = render(
        define("""
        def total(x):
            out = 0
            for v in x:
                out += v
            return out
    """)
    )
    assert ref.latex is None and ref.problems[0].startswith("latexify cannot render it")


def test_functions_are_discovered_from_the_module_in_source_order(sample_module):
    refs = reference_functions(sample_module)
    assert [r.name for r in refs] == ["reward_plus_next_value", "discounted_visitation"]  # no private, no import
    assert refs[0].latex is not None and refs[0].doc == "r + P V."
    assert refs[1].latex is None
    assert [r.name for r in reference_functions(sample_module, {"discounted_visitation"})] == ["discounted_visitation"]


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("def f(P, V, gamma):\n    return gamma * P @ V\n", "`*` and the matrix product `@` would print alike"),
        ("def f(gamma):\n    return gamma * gamma\n", "`gamma * gamma` would print as two juxtaposed names"),
        ("def f(x):\n    return np.sum(x, 1)\n", "1)` would print as a second operand of Σ"),
    ],
)
def test_renderings_that_read_wrongly_are_shown_as_code(define, source, problem):
    ref = render(define(source))
    assert ref.latex is None and any(problem in p for p in ref.problems), ref.problems


def test_a_missing_reference_module_gives_an_empty_appendix():
    assert reference_functions("symderiv_no_such_reference_module") == []
