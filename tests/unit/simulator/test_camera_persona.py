"""Persona files and keyframe interpolation."""

from __future__ import annotations

import pytest

from simulator.camera.persona import Keyframe, Persona, Pose, load_persona, persona_names

REQUIRED = {
    "compliant",
    "absent",
    "stepping-in",
    "too-far",
    "tilted",
    "dark",
    "blurred",
    "busy-background",
}


def test_every_required_persona_is_bundled_and_loads() -> None:
    names = set(persona_names())
    assert names >= REQUIRED
    for name in names:
        persona = load_persona(name)
        assert persona.description
        assert persona.meta.get("expect")


def test_stepping_in_enters_from_off_frame_then_stands_centred() -> None:
    p = load_persona("stepping-in")
    assert not p.pose_at(0.2).present
    entering = p.pose_at(1.0)
    assert entering.present and -0.75 < entering.x < 0.0
    settled = p.pose_at(5.0)
    assert settled.present and settled.x == 0.0 and settled.roll == 0.0 and settled.blur == 0.0


def test_leaving_ends_with_an_empty_scene() -> None:
    p = load_persona("leaving")
    assert p.pose_at(1.0).present and p.pose_at(1.0).x == 0.0
    assert p.pose_at(2.5).x > 0.0
    assert not p.pose_at(4.0).present


def test_looping_persona_repeats() -> None:
    p = load_persona("moving")
    assert p.loop
    assert p.pose_at(0.5).x == pytest.approx(p.pose_at(2.5).x)


def test_missing_keys_carry_over_from_the_previous_keyframe() -> None:
    p = load_persona("tilted")
    assert p.pose_at(0).roll == 15.0 and p.pose_at(0).scale == 1.0


def test_bad_personas_are_rejected(tmp_path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[[keyframe]]\nt = 0\nwobble = 1\n")
    with pytest.raises(ValueError, match="wobble"):
        load_persona(bad)
    with pytest.raises(ValueError, match="background"):
        Persona("x", (Keyframe(0, Pose()),), background="beach")
    with pytest.raises(FileNotFoundError):
        load_persona("no-such-persona")
