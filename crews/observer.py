"""How a host (the server) follows runs and stops them: the hooks the flow calls.

The CLI needs none of this; the server records each stage attempt as a run row, streams
progress, and asks for a stop from another process. A stop is honoured mid-stage: a global
before-LLM hook refuses every further model call of a run whose stop was requested (crewai then
fails the kickoff), and the flow checks between steps; the stage ends ``stopped``, not failed.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Protocol

from crews.audit import current_run

if TYPE_CHECKING:
    from crews.flow import HiringState


class RunObserver(Protocol):
    """Called by the flow in the worker that runs it; must be quick and must not raise."""

    def stage_started(self, state: HiringState, stage: str) -> None: ...

    def stage_settled(self, state: HiringState, stage: str) -> None:
        """The stage reached its gate: awaiting a decision, failed or stopped."""
        ...

    def run_ended(self, state: HiringState) -> None:
        """The run completed or stopped."""
        ...

    def stop_requested(self, flow_id: str) -> bool: ...


_lock = threading.Lock()
_observer: RunObserver | None = None
_installed = False


def install_stop_hook(observer: RunObserver | None) -> None:
    """Make every LLM call of a run ask ``observer`` first (once per process; later calls
    switch the observer)."""
    global _observer, _installed
    with _lock:
        _observer = observer
        if _installed or observer is None:
            return
        _installed = True
    from crewai.hooks.llm_hooks import register_before_llm_call_hook

    def refuse_when_stopped(_context: Any) -> bool | None:
        flow_id = current_run.get()
        target = _observer
        if flow_id is not None and target is not None and target.stop_requested(flow_id):
            return False  # crewai fails the kickoff: no further model call for this run
        return None

    register_before_llm_call_hook(refuse_when_stopped)
