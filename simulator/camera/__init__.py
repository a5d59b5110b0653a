"""Simulated camera: personas rendered into frames and served as a real MJPEG-over-HTTP stream."""
