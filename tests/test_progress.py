"""Signs of life: a line on stderr once a phase has run a while, then now and then, never before."""

import io
import sys

from symderiv.obligation import Derivation, Size
from symderiv.progress import QUIET_FOR, REPEAT, Heartbeat


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def _obligation():
    d = Derivation("progress")
    d.claim("N7", "contraction")(lambda m: None)
    return d.obligations[0]


def test_a_phase_is_reported_only_after_it_has_run_a_while_and_then_now_and_then():
    clock = Clock()
    beat = Heartbeat(io.StringIO(), clock)
    beat.phase(_obligation(), Size.of(states=3, actions=3), "symbolic")
    clock.now = QUIET_FOR - 0.5
    assert beat.line() is None
    clock.now = QUIET_FOR + 0.5
    assert beat.line() == "  ... symbolic proof of N7 at 3x3: 6s"
    clock.now += REPEAT / 2
    assert beat.line() is None
    clock.now += REPEAT / 2
    assert "symbolic proof of N7 at 3x3" in beat.line()
    # A new phase starts quiet again.
    beat.phase(_obligation(), None, "build")
    assert beat.line() is None


def test_runs_in_workers_report_the_wait_for_the_next_verdict():
    clock = Clock()
    beat = Heartbeat(io.StringIO(), clock)
    beat.verdict(3, 10)
    clock.now = QUIET_FOR + 1
    assert beat.line() == "  ... waiting for the next verdict (3/10 done): 6s"


def test_with_several_pairs_running_the_longest_phase_is_reported_and_a_done_pair_is_not():
    clock, ob = Clock(), _obligation()
    beat = Heartbeat(io.StringIO(), clock)
    beat.phase(ob, Size.of(states=3, actions=3), "symbolic")
    clock.now = 2.0
    beat.phase(ob, Size.of(states=1, actions=2), "build")
    clock.now = QUIET_FOR + 1
    assert beat.line() == "  ... symbolic proof of N7 at 3x3: 6s (1 more running)"
    beat.phase(ob, Size.of(states=3, actions=3), "done")
    clock.now = QUIET_FOR + 2 + REPEAT
    assert beat.line() == f"  ... building the claim of N7 at 1x2: {QUIET_FOR + REPEAT:.0f}s"
    beat.phase(ob, Size.of(states=1, actions=2), "done")
    beat.verdict(1, 1)
    clock.now += QUIET_FOR
    assert beat.line() == f"  ... waiting for the next verdict (1/1 done): {QUIET_FOR:.0f}s"


def test_a_heartbeat_writes_to_stderr_as_it_is_when_made(monkeypatch):
    now = io.StringIO()
    monkeypatch.setattr(sys, "stderr", now)
    assert Heartbeat().stream is now  # not the stream of the run that first imported the module
