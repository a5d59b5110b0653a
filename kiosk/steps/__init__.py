"""Adapters between the cores and the screens: one per capture step, with no UI of their own."""
