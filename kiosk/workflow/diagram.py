"""Draw the session's state diagram from the transition table (so it cannot drift from the code)."""

from __future__ import annotations

from kiosk.workflow.machine import (
    ACTIVE_STATES,
    END_STATES,
    OVERLAYS,
    RESUME,
    STAY,
    TRANSITIONS,
    State,
)

#: Targets a guard can pick, for the drawing.
GUARD_TARGETS = {
    "_after_document": (State.PHOTO, State.REFUSED),
    "_after_photo": (State.FINGERPRINTS, State.SIGNATURE, State.SUMMARY),
}


def mermaid() -> str:
    """The workflow as a Mermaid ``stateDiagram-v2``; cross-cutting rules are summarised."""
    lines = ["stateDiagram-v2", f"    [*] --> {State.WELCOME.value}"]
    cross_cutting = {"RequestHelp", "Cancel", "InactivityTimeout", "DeviceFailed",
                     "TakeOutOfService", "EndSession"}
    for (source, event), target in TRANSITIONS.items():
        name = event.__name__
        if name in cross_cutting and source is not State.INACTIVITY_WARNING:
            continue
        if target == STAY:
            lines.append(f"    {source.value} --> {source.value}: {name} (staff, recorded)")
            continue
        if target == RESUME:
            lines.append(f"    {source.value} --> [*]: {name} (back)")
            continue
        targets = ((target,) if isinstance(target, State)
                   else GUARD_TARGETS[getattr(target, "__name__", "")])
        for state in targets:
            lines.append(f"    {source.value} --> {state.value}: {name}")
    lines += [
        "    note right of help",
        f"        RequestHelp from every screen; overlays ({_names(OVERLAYS)}) return",
        "    end note",
        "    note right of aborted",
        f"        Cancel from {_names(ACTIVE_STATES)} and the overlays",
        "    end note",
        "    note right of out_of_service",
        "        TakeOutOfService (staff) from every screen but handoff; EndSession (staff)",
        "        from the steps and overlays ends in aborted",
        "    end note",
        "    note right of summary",
        "        RedoPhoto and SignAgain come back here (AcceptPhoto, SignatureCaptured)",
        "        without the fingerprints again",
        "    end note",
        "    note right of inactivity_warning",
        f"        InactivityTimeout: active steps warn first; {_names(END_STATES)} go to welcome",
        "    end note",
    ]
    return "\n".join(lines)


def _names(states: frozenset[State]) -> str:
    return ", ".join(sorted(state.value for state in states))
