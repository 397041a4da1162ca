"""The core needs no vocabulary: a derivation that speaks its own is checked and exported
with symderiv.rl unimportable, and prints in its own notation."""

import subprocess
import sys
import textwrap
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent.parent / "docs" / "examples" / "information.py"


def test_a_derivation_with_its_own_vocabulary_needs_no_rl_package(tmp_path):
    script = textwrap.dedent(f"""
        import sys
        sys.modules["symderiv.rl"] = None  # importing it now raises ImportError
        from symderiv import Settings, Status, check_all, export
        from symderiv.loader import load
        (derivation,), failures = load([{str(EXAMPLE)!r}])
        assert failures == []
        verdicts = check_all(list(derivation), Settings(samples=200))
        assert [v.status for v in verdicts] == [Status.PROVED] * 3, verdicts
        document = export.Document([export.report_derivation(derivation, verdicts, Settings())], Settings())
        text = export.to_markdown(document)
        assert "p(0)" in text and "q(2)" in text, text
        assert "symderiv.rl" not in sys.modules or sys.modules["symderiv.rl"] is None
        print("ok")
    """)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stdout + run.stderr
