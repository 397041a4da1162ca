"""The appendix: the plain NumPy reference implementations, typeset by latexify-py.

latexify renders Python source, and some constructs come out wrong: it drops the
parentheses of `(np.eye(n) - gamma * P).T`, the receiver of `(x - y).sum()` and
every keyword argument such as `axis=1`, and prints `1e-20` and `1j` as they are
written, where they read as products.  So each rendering is checked before it
is trusted: every sub-expression's rendering must appear inside its parent's
rendering, wrapped in parentheses where Python's grouping needs them, and no
argument may be dropped.  latexify also prints the elementwise `*` and the matrix `@`
alike, `gamma * gamma` as γγ, and the axis of `np.sum(x, 1)` as a second operand of Σ; a
function with any of these is not trusted either.  A function that fails the check (or that
latexify cannot render) is shown as a code listing instead, with the reason.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import textwrap
import types
from collections.abc import Collection
from dataclasses import dataclass, field

import latexify
from latexify import codegen, parser, transformers
from latexify.codegen.expression_codegen import ExpressionCodegen

#: Module prefixes that carry no meaning in a formula.
_PREFIXES = {"np", "numpy", "np.linalg", "numpy.linalg", "math"}

#: Python expressions that need parentheses when they stand before `.attr`, `[...]` or `.method()`.
_COMPOUND = (ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.IfExp, ast.Lambda, ast.NamedExpr)


@dataclass
class ReferenceFunction:
    """One reference implementation: its LaTeX if the rendering is faithful, else why not."""

    name: str
    doc: str
    source: str
    latex: str | None
    problems: list[str] = field(default_factory=list)


def reference_functions(module_name: str, names: Collection[str] | None = None) -> list[ReferenceFunction]:
    """The public functions defined in a vocabulary's reference module (only `names`, if given), in
    source order; none if the module does not exist (yet)."""
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        return []
    functions = [
        fn
        for name, fn in vars(module).items()
        if inspect.isfunction(fn)
        and fn.__module__ == module.__name__
        and not name.startswith("_")
        and (names is None or name in names)
    ]
    functions.sort(key=lambda fn: fn.__code__.co_firstlineno)
    return [render(fn) for fn in functions]


def render(fn: types.FunctionType) -> ReferenceFunction:
    """Typeset `fn` with latexify when that is faithful; otherwise keep it as a listing."""
    source = textwrap.dedent(inspect.getsource(fn))
    doc = inspect.getdoc(fn) or ""
    try:
        tree = parser.parse_function(fn)
        tree = transformers.AugAssignReplacer().visit(tree)
        tree = transformers.PrefixTrimmer(_PREFIXES).visit(tree)
        latex = codegen.FunctionCodegen(use_math_symbols=True).visit(tree)
    except Exception as exc:  # LatexifyError for unsupported code; anything else is latexify's own failure
        return ReferenceFunction(fn.__name__, doc, source, None, [f"latexify cannot render it: {exc}"])
    try:
        problems = rendering_problems(tree, latex, fn.__globals__)
    except Exception as exc:  # a rendering that cannot be checked is not trusted
        problems = [f"its rendering could not be checked: {type(exc).__name__}: {exc}"]
    return ReferenceFunction(fn.__name__, doc, source, None if problems else latex, problems)


def rendering_problems(tree: ast.AST, latex: str, namespace: dict) -> list[str]:
    """Where latexify's rendering `latex` of `tree` loses part of the code's meaning."""
    gen = ExpressionCodegen(use_math_symbols=True)
    problems: list[str] = []

    def text(node: ast.AST) -> str | None:
        try:
            return gen.visit(node)
        except latexify.exceptions.LatexifyError:
            return None  # rendered only as part of a larger construct, checked there

    def require(parent: ast.AST, parent_text: str, child: ast.expr, grouped: bool = False) -> None:
        child_text = text(child)
        if child_text is None:
            return
        code = ast.unparse(child)
        # latexify's matrix functions (transpose, inv, det, ...) print a named argument in bold
        spellings = [child_text] + ([rf"\mathbf{{{child.id}}}"] if isinstance(child, ast.Name) else [])
        if not any(t in parent_text for t in spellings):
            problems.append(f"`{code}` is missing from the rendering of `{ast.unparse(parent)}`")
        elif grouped and isinstance(child, _COMPOUND) and not _wrapped(child_text, parent_text):
            problems.append(f"`({code})` loses its parentheses in the rendering of `{ast.unparse(parent)}`")

    products: list[ast.BinOp] = [
        n for n in ast.walk(tree) if isinstance(n, ast.BinOp) and isinstance(n.op, (ast.Mult, ast.MatMult))
    ]
    if any(isinstance(n.op, ast.MatMult) for n in products) and any(isinstance(n.op, ast.Mult) for n in products):
        problems.append("the elementwise `*` and the matrix product `@` would print alike")
    for product in products:
        if (
            isinstance(product.left, ast.Name)
            and isinstance(product.right, ast.Name)
            and product.left.id == product.right.id
        ):
            problems.append(f"`{ast.unparse(product)}` would print as two juxtaposed names")
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and len(node.args) > 1:
            rendered = text(node) or ""
            if rendered.startswith((r"\sum", r"\prod")):
                problems.append(f"the axis of `{ast.unparse(node)}` would print as a second operand of Σ or Π")
        if isinstance(node, (ast.Return, ast.Assign)) and node.value is not None:
            require(node, latex, node.value)
        if not isinstance(node, ast.expr):
            continue
        node_text = text(node)
        if node_text is None:
            continue
        if isinstance(node, ast.Constant) and (
            isinstance(node.value, complex) or isinstance(node.value, float) and "e" in repr(node.value)
        ):
            problems.append(f"the literal `{ast.unparse(node)}` prints as `{node_text}`, which reads as a product")
        if isinstance(node, ast.Call):
            for kw in node.keywords:
                problems.append(f"the keyword argument `{ast.unparse(kw)}` of `{ast.unparse(node)}` is dropped")
            for arg in node.args:
                require(node, node_text, arg)
            if isinstance(node.func, ast.Attribute) and not _is_module_path(node.func.value, namespace):
                require(node, node_text, node.func.value, grouped=True)
        elif isinstance(node, (ast.Attribute, ast.Subscript)):
            if not _is_module_path(node.value, namespace):
                require(node, node_text, node.value, grouped=True)
            if isinstance(node, ast.Subscript):
                require(node, node_text, node.slice)
        else:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.expr):
                    require(node, node_text, child)
    return list(dict.fromkeys(problems))


def _wrapped(inner: str, outer: str) -> bool:
    return any(
        f"{left}{inner}{right}" in outer
        for left, right in ((r"\mathopen{}\left( ", r" \mathclose{}\right)"), (r"\left( ", r" \right)"), ("(", ")"))
    )


def _is_module_path(node: ast.expr, namespace: dict) -> bool:
    """`np`, `np.linalg`: a chain of names that resolves to a module in the function's globals."""
    if isinstance(node, ast.Name):
        return isinstance(namespace.get(node.id), types.ModuleType)
    if isinstance(node, ast.Attribute) and _is_module_path(node.value, namespace):
        root: ast.expr = node
        while isinstance(root, ast.Attribute):
            root = root.value
        value = namespace.get(root.id) if isinstance(root, ast.Name) else None
        for part in ast.unparse(node).split(".")[1:]:
            value = getattr(value, part, None)
        return isinstance(value, types.ModuleType)
    return False
