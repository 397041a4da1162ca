"""The version is written once (symderiv/_version.py); the package metadata and the command agree."""

import importlib.metadata
import subprocess
import sys
from pathlib import Path

import symderiv


def test_the_command_prints_the_installed_package_version():
    script = Path(sys.executable).with_name("symderiv")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "symderiv.cli"]
    done = subprocess.run([*command, "--version"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["symderiv", importlib.metadata.version("symderiv")]
    assert symderiv.__version__ == importlib.metadata.version("symderiv")


def test_pyproject_reads_the_version_from_the_package():
    pyproject = (Path(__file__).parents[1] / "pyproject.toml").read_text()
    assert 'dynamic = ["version"]' in pyproject
    assert 'version = { attr = "symderiv._version.__version__" }' in pyproject
    assert "\nversion =" not in pyproject.split("[project]")[1].split("\n[")[0]
