"""Long-lived worker processes under a per-item time limit: hangs are killed, crashes and errors
reported, and a dead worker is replaced."""
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


def test_a_worker_that_crashed_or_hung_is_replaced_for_the_next_items():
    outcomes = dict(map_isolated(workers.crash_or_hang_or_square, ["crash", 3, "hang", 4], workers=1, time_limit=1.5))
    assert "died" in outcomes[0].error and outcomes[2].timed_out
    assert (outcomes[1].value, outcomes[3].value) == (9, 16)


def test_workers_are_started_once_not_per_item():
    pids = {o.value for _, o in map_isolated(workers.pid, range(12), workers=2, time_limit=5)}
    assert 1 <= len(pids) <= 2
