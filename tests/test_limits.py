import signal
import time

import pytest

from symderiv.limits import TIMER, TIMER_SIGNAL, TimeLimitExceeded, cpu_time_limit


class Outer(BaseException):
    pass


def _spin(seconds: float) -> None:
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


def test_an_inner_limit_raises_its_own_exception_and_the_outer_one_still_holds_after_it():
    with pytest.raises(Outer):
        with cpu_time_limit(0.6, Outer) as outer:
            with pytest.raises(TimeLimitExceeded):
                with cpu_time_limit(0.1) as inner:
                    _spin(5)
            assert inner.reached and not outer.reached
            _spin(5)  # the outer limit was armed again when the inner block ended
    assert outer.reached
    assert signal.getitimer(TIMER) == (0.0, 0.0)  # no timer is left armed


def test_an_outer_limit_reached_inside_an_inner_block_raises_the_outer_exception():
    t0 = time.process_time()
    with pytest.raises(Outer):
        with cpu_time_limit(0.1, Outer) as outer:
            with cpu_time_limit(10) as inner:
                _spin(5)
    assert outer.reached and not inner.reached
    assert time.process_time() - t0 < 2


def test_the_signal_handler_is_restored_and_nothing_fires_after_the_block():
    before = signal.getsignal(TIMER_SIGNAL)
    with cpu_time_limit(0.05), cpu_time_limit(5):
        pass
    assert signal.getsignal(TIMER_SIGNAL) is before
    assert signal.getitimer(TIMER) == (0.0, 0.0)
    _spin(0.2)  # a stale deadline would raise here
