"""At most PARKMATCH_MATCHING_EVALUATIONS evaluations at once per matching
process; re-entrant, so an evaluation that starts another does not wait for
itself."""
import threading
import time

import pytest

from services.matching import config, usecases


def test_evaluations_are_limited_per_process_and_reentrant():
    slot = usecases._EvaluationSlots(limit=1)
    order = []
    first_inside = threading.Event()

    def first():
        with slot():
            with slot():  # nested: no deadlock
                first_inside.set()
                time.sleep(0.2)
                order.append("first done")

    def second():
        first_inside.wait(5)
        with slot():
            order.append("second inside")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert order == ["first done", "second inside"]


def test_two_slots_let_two_evaluations_overlap():
    slot = usecases._EvaluationSlots(limit=2)
    inside = []
    both = threading.Event()

    def evaluation():
        with slot():
            inside.append(1)
            if len(inside) == 2:
                both.set()
            both.wait(2)

    threads = [threading.Thread(target=evaluation) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert both.is_set()


def test_the_limit_is_fixed_once_evaluations_have_started():
    slot = usecases._EvaluationSlots(limit=1)
    slot.configure(3)
    with slot():
        pass
    slot.configure(3)  # the same limit again is fine (a second container in one process)
    with pytest.raises(RuntimeError, match="fixed"):
        slot.configure(1)


def test_the_limit_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv(config.EVALUATIONS_KEY, raising=False)
    assert config.evaluations() == config.DEFAULT_EVALUATIONS == 2
    monkeypatch.setenv(config.EVALUATIONS_KEY, "0")
    with pytest.raises(ValueError, match="at least 1"):
        config.evaluations()
