"""`kiosk fingerprint quality|compare` on files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image

from kiosk.cli import main
from simulator.fingerprints import persona_finger


def _save(path: Path, pixels: np.ndarray) -> Path:
    Image.fromarray(pixels).save(path, dpi=(500, 500))
    return path


def test_quality_json_lines(tmp_path: Path, capsys, good_print: np.ndarray) -> None:
    good = _save(tmp_path / "good.png", good_print)
    blank = _save(tmp_path / "blank.png", np.full((200, 200), 255, np.uint8))
    assert main(["fingerprint", "quality", str(good), str(blank), "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["image"] for line in lines] == [str(good), str(blank)]
    assert lines[0]["score"] > lines[1]["score"] == 0
    assert lines[1]["feedback"] == ["no_finger"]
    assert {"score", "feedback", "measures", "usable"} <= set(lines[0])


def test_quality_text_in_danish_and_missing_file(tmp_path: Path, capsys) -> None:
    blank = _save(tmp_path / "blank.png", np.full((200, 200), 255, np.uint8))
    assert (
        main(["fingerprint", "quality", str(blank), str(tmp_path / "nope.png"), "--language", "da"])
        == 1
    )
    assert "Der er ingen finger" in capsys.readouterr().out


def test_compare_same_and_different(tmp_path: Path, capsys) -> None:
    a = _save(tmp_path / "a.png", persona_finger(5, 7, "good", 1))
    b = _save(tmp_path / "b.png", persona_finger(5, 7, "good", 2))
    c = _save(tmp_path / "c.png", persona_finger(6, 7, "good", 1))
    assert main(["fingerprint", "compare", str(a), str(b)]) == 0
    assert main(["fingerprint", "compare", str(a), str(c), "--json"]) == 1
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["same_finger"] is False
