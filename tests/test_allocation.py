"""The allocator's thresholds for a checking run."""

import ctypes
import gc
import platform

import pytest

from symderiv import allocation


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_glibc_keeps_freed_memory_for_the_run():
    assert allocation.keep_freed_memory()


def test_a_c_library_without_mallopt_changes_nothing(monkeypatch):
    def no_library(name):
        raise OSError(f"{name}: cannot open shared object file")

    monkeypatch.setattr(ctypes, "CDLL", no_library)
    assert not allocation.keep_freed_memory()


def test_a_checking_run_collects_less_often_than_python_by_default():
    before = gc.get_threshold()  # this session's: the plugin has set them already
    try:
        gc.set_threshold(700, 10, 10)  # Python's defaults
        allocation.collect_less_often()
        assert gc.get_threshold() == allocation.COLLECTOR_THRESHOLDS
        assert allocation.COLLECTOR_THRESHOLDS[0] > 700
    finally:
        gc.set_threshold(*before)
