"""The drawn diagram shows every transition of the table."""

from __future__ import annotations

from kiosk.workflow.diagram import mermaid


def test_main_path_is_drawn() -> None:
    text = mermaid()
    for edge in ("welcome --> identify: Start", "identify --> photo: DocumentRead",
                 "identify --> refused: DocumentRead", "photo_review --> signature: AcceptPhoto",
                 "summary --> consent: ContinueToConsent",
                 "consent --> handoff: GiveConsent", "summary --> photo: RedoPhoto",
                 "photo_review --> summary: AcceptPhoto", "summary --> signature: SignAgain",
                 "handoff --> done: HandoffCompleted",
                 "inactivity_warning --> welcome: InactivityTimeout"):
        assert edge in text
