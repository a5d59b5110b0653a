"""What a screen may ask of the app it runs in (the app satisfies it; screens never import it)."""

from __future__ import annotations

from typing import Protocol

from kiosk.config import KioskConfig
from kiosk.service.kiosk import KioskService


class KioskView(Protocol):
    """The touchscreen app as its screens see it."""

    @property
    def service(self) -> KioskService:
        """The kiosk service the screens render and press buttons on."""
        ...

    @property
    def config(self) -> KioskConfig:
        """The kiosk's configuration."""
        ...

    @property
    def language(self) -> str:
        """The citizen's current language."""
        ...

    #: Large-text mode for this citizen's session.
    large_text: bool

    @property
    def dev_panel_shown(self) -> bool:
        """Whether the simulator's developer panel is shown."""
        ...

    def translate(self, key: str, **values: object) -> str:
        """A text in the citizen's language."""
        ...

    def translate_plural(self, key: str, count: int, **values: object) -> str:
        """A plural text for ``count`` in the citizen's language."""
        ...

    def has_text(self, key: str) -> bool:
        """True when ``key`` has a text."""
        ...

    def press(self, button: str) -> None:
        """The citizen tapped ``button``."""
        ...

    @property
    def notice(self) -> str | None:
        """A librarian's message to show on the citizen's screens now, or None."""
        ...

    def dismiss_notice(self) -> None:
        """The citizen tapped the librarian's message away."""
        ...

    def open_staff(self) -> None:
        """Show the staff sign-in, or staff mode when a librarian is signed in."""
        ...

    def close_staff(self) -> None:
        """Back to the citizen's screen (staff stay signed in until they sign out)."""
        ...
