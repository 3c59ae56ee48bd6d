"""One process per item under a time limit: hangs are killed, crashes and errors reported."""
import time

from fragmentforge.video.isolated import map_isolated
from tests import workers


def _run(func, items, limit=5.0):
    return dict(map_isolated(func, items, workers=2, time_limit=limit))


def test_values_come_back_by_index():
    outcomes = _run(workers.square, [1, 2, 3])
    assert {i: o.value for i, o in outcomes.items()} == {0: 1, 1: 4, 2: 9}
    assert all(o.ok for o in outcomes.values())


def test_exception_is_reported_not_raised():
    outcome = _run(workers.raise_value_error, ["x"])[0]
    assert not outcome.ok and "ValueError: bad item x" in outcome.error


def test_crash_is_reported_with_exit_code():
    outcome = _run(workers.segfault, [0])[0]
    assert not outcome.ok and "died" in outcome.error and "-11" in outcome.error


def test_hang_is_killed_at_the_limit_and_the_others_finish():
    started = time.monotonic()
    outcomes = _run(workers.hang, [60, 0], limit=1.5)
    assert time.monotonic() - started < 20
    assert outcomes[0].timed_out and "time limit of 1.5 s" in outcomes[0].error
    assert outcomes[1].ok and outcomes[1].value == "woke up"
