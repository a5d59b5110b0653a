"""What every byte codec reports when a frame breaks its protocol: a named, content-free error."""

from __future__ import annotations


class FrameError(Exception):
    """A frame that breaks its protocol: garbage, bad checksum, truncation, wrong length.

    Codecs return these from ``feed`` (they never raise them), so one bad frame does not stop the
    stream; drivers turn them into :class:`drivers.errors.DeviceProtocolError`. The detail never
    quotes the frame's data: an MRZ frame carries personal data.
    """

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        #: Stable name of what broke, e.g. ``bcc_mismatch``, ``truncated_frame``, ``garbage``.
        self.reason = reason
        #: Words for staff: sizes and byte positions only, never payload.
        self.detail = detail

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FrameError) and (other.reason, other.detail) == (
            self.reason,
            self.detail,
        )

    def __hash__(self) -> int:
        return hash((self.reason, self.detail))
