import multiprocessing
import signal
import time

import pytest

from symderiv import limits
from symderiv.limits import TIMER, TIMER_SIGNAL, TimeLimitExceeded, cpu_time_limit, raised_by


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


def test_the_exception_names_the_limit_that_raised_it():
    with pytest.raises(TimeLimitExceeded) as caught:
        with cpu_time_limit(0.05) as limit:
            _spin(5)
    assert raised_by(caught.value, limit) and not raised_by(caught.value, None)
    assert not raised_by(TimeLimitExceeded(), limit)


def test_an_outer_limit_stays_armed_when_an_inner_ones_exception_is_caught():
    t0 = time.process_time()
    with pytest.raises(Outer):
        with cpu_time_limit(0.4, Outer) as outer:
            with cpu_time_limit(0.1) as inner:
                try:
                    _spin(0.3)
                except TimeLimitExceeded:  # caught and dropped, as code inside a rewrite may do
                    pass
                _spin(5)  # still inside the inner block
    assert inner.reached and outer.reached
    assert time.process_time() - t0 < 2  # the outer limit ended it, not the end of the inner block


def test_a_forked_child_keeps_none_of_its_parents_limits():
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    with cpu_time_limit(30):
        child = context.Process(target=lambda: sender.send(len(limits._ACTIVE)))
        child.start()
        in_child = receiver.recv()
        child.join()
        assert len(limits._ACTIVE) == 1
    assert in_child == 0  # a deadline on the parent's clock would end the child's work at random
