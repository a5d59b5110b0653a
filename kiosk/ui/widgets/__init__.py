"""Reusable Textual widgets of the kiosk UI."""
