"""One helper for every status lifecycle: which state may follow which, and
the 409 that names what is allowed when something else is asked for.

Agreements, introductions and obligations each declare their table once
(state -> the states it may move to) and ask it; none compares statuses by
hand, and every refusal reads the same way:

    the agreement is proposed: it cannot become 'active' from proposed
    (allowed from proposed: signed, terminated)

Plain Python: no transport or storage imports."""
from collections.abc import Iterable, Mapping

from services.contracts.errors import Conflict


class StateMachine:
    """`transitions` maps each state to the states it may move to (a final
    state maps to nothing). `what` names the record in messages ("agreement");
    `allowed_key` is the field of the 409's details that lists what is allowed
    (each API keeps the name its clients already read; a call may name another
    when it refuses on behalf of a record of another kind)."""

    def __init__(self, transitions: Mapping[str, Iterable[str]], what: str,
                 allowed_key: str = "allowed_transitions"):
        self.transitions = {state: frozenset(targets) for state, targets in transitions.items()}
        unknown = set().union(*self.transitions.values()) - set(self.transitions)
        if unknown:
            raise ValueError(f"{what}: transitions to unknown states {sorted(unknown)}")
        self.what = what
        self.allowed_key = allowed_key

    @property
    def states(self):
        return tuple(self.transitions)

    @property
    def final_states(self):
        return tuple(state for state, targets in self.transitions.items() if not targets)

    def is_final(self, state):
        """True for a state with no way out (and for a state the table does not know)."""
        return not self.transitions.get(state)

    def allowed(self, state):
        """The states `state` may move to, sorted."""
        return sorted(self.transitions.get(state, ()))

    def can(self, state, target):
        return target in self.transitions.get(state, ())

    def refusal(self, state, target=None, *, why=None, allowed=None, details=None,
                allowed_key=None):
        """The Conflict (409) for asking `target` of a record in `state`: its
        message says why and names what is allowed from `state` (`allowed`
        when the caller narrows the table, e.g. to what a person may request);
        its details carry the state, the allowed list and `details`."""
        allowed = self.allowed(state) if allowed is None else list(allowed)
        if why is None:
            why = f"it cannot become '{target}' from {state}"
        return Conflict(
            f"the {self.what} is {state}: {why} (allowed from {state}: "
            f"{', '.join(allowed) or 'nothing, it is final'})",
            {"state": state, **(details or {}), allowed_key or self.allowed_key: allowed})

    def require(self, state, target, *, why=None, details=None):
        """Nothing if `state` may move to `target`; the refusal otherwise."""
        if not self.can(state, target):
            raise self.refusal(state, target, why=why, details=details)

    def require_not_final(self, state, why, details=None, allowed_key=None):
        """Nothing if `state` has a way out; the refusal (`why` it matters) otherwise."""
        if self.is_final(state):
            raise self.refusal(state, why=why, details=details, allowed_key=allowed_key)
