"""An installed symderiv is the whole package: every subpackage, and the marker that it is typed."""

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_wheel_holds_every_subpackage_and_py_typed(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("symderiv-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    packages = [p.parent.relative_to(ROOT).as_posix() for p in (ROOT / "symderiv").rglob("__init__.py")]
    assert packages and all(f"{p}/__init__.py" in names for p in packages), sorted(names)
    assert "symderiv/py.typed" in names
