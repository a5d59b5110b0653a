"""Synthetic fingerprints for the simulated reader: master prints per finger and impressions."""

from simulator.fingerprints.impression import CONDITIONS, Condition, impression, persona_finger
from simulator.fingerprints.master import MASTER_SIZE, master_print

__all__ = ["CONDITIONS", "MASTER_SIZE", "Condition", "impression", "master_print", "persona_finger"]
