"""Pasboks: controller software for a self-service passport-renewal kiosk."""

__version__ = "0.1.0"
