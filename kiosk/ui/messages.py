"""The Textual message that carries the kiosk service's news onto the UI's own loop."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from kiosk.service import messages as news


@dataclass
class ServiceNews(Message):
    """One message of the service, posted from the service's threads (thread-safe)."""

    news: news.Message

    def can_replace(self, message: Message) -> bool:
        # Frames and live status arrive faster than the screen draws: only the newest matters
        # (each progress message carries the whole status, not a change).
        return (isinstance(message, ServiceNews)
                and type(message.news) is type(self.news)
                and isinstance(self.news, news.PreviewFrame | news.StepProgress))
