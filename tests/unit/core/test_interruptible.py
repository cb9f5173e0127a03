"""An interrupt Python swallowed (raised in a finalizer) is raised again by the next wait."""

from __future__ import annotations

import sys
import threading

import pytest

from wirereader.core import interruptible


class _FinalisedDuringInterrupt:
    """Stands for the finalizer the main thread ran when Ctrl-C's handler raised."""

    def __init__(self, interrupt: type[BaseException]) -> None:
        self.interrupt = interrupt

    def __del__(self) -> None:
        raise self.interrupt()


@pytest.fixture
def hook(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    reported: list[object] = []
    monkeypatch.setattr(sys, "unraisablehook", reported.append)
    monkeypatch.setattr(interruptible, "_swallowed", [])
    monkeypatch.setattr(interruptible, "_hook_installed", False)
    interruptible.keep_swallowed_interrupts()
    return reported


def test_an_interrupt_swallowed_by_a_finalizer_ends_the_next_wait(hook: list[object]) -> None:
    obj = _FinalisedDuringInterrupt(KeyboardInterrupt)
    del obj  # Python reports the exception to the unraisable hook and goes on
    condition = threading.Condition()
    asked = iter([False, False, True])  # without the kept interrupt: two ticks, then ready
    with pytest.raises(KeyboardInterrupt), condition:
        interruptible.wait_until(condition, lambda: next(asked))
    assert hook == []  # kept, not reported
    with condition:
        interruptible.wait_until(condition, lambda: True)  # raised once only


def test_other_swallowed_errors_are_reported_as_before(hook: list[object]) -> None:
    obj = _FinalisedDuringInterrupt(ValueError)
    del obj
    assert len(hook) == 1
    condition = threading.Condition()
    asked = iter([False, True])
    with condition:
        interruptible.wait_until(condition, lambda: next(asked))  # nothing to raise
