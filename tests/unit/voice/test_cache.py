"""Prompts are rendered once: the second request of a (language, text, rate) comes from memory;
a new rate or language is a new prompt; the cache forgets the least recently used beyond its
size. The first test renders with espeak-ng itself."""

from __future__ import annotations

import numpy as np
import pytest

from kiosk.voice.espeak import Speech
from kiosk.voice.synth import PromptCache


class Counting:
    """A render that counts its calls (around a real one, or making a tone of the text)."""

    def __init__(self, real: bool) -> None:
        self.calls: list[tuple[str, str, int]] = []
        self.real = real

    def __call__(self, text: str, language: str, rate: int) -> Speech:
        self.calls.append((text, language, rate))
        if self.real:
            from kiosk.voice.espeak import synthesise

            return synthesise(text, language, rate)
        return Speech(np.full(len(text) * 10, rate, dtype=np.int16), 22050)


def test_a_second_request_is_not_synthesised_again() -> None:
    pytest.importorskip("espeakng_loader", reason="no voice test: the espeakng-loader wheel is "
                        "not installed")
    render = Counting(real=True)
    cache = PromptCache(render)
    first = cache.speech("da", "Læg dit pas på glasset", 150)
    again = cache.speech("da", "Læg dit pas på glasset", 150)
    assert len(render.calls) == 1 and cache.rendered == 1
    assert again is first
    assert len(first.samples) > 0
    assert not first.samples.flags.writeable  # shared: nobody may change it in place


def test_language_text_and_rate_each_make_a_new_prompt() -> None:
    render = Counting(real=False)
    cache = PromptCache(render)
    cache.speech("da", "Hej", 150)
    cache.speech("en", "Hej", 150)
    cache.speech("da", "Hej", 180)
    cache.speech("da", "Hej!", 150)
    cache.speech("da", "Hej", 150)
    assert render.calls == [("Hej", "da", 150), ("Hej", "en", 150), ("Hej", "da", 180),
                            ("Hej!", "da", 150)]
    assert len(cache) == 4


def test_the_least_recently_used_prompt_is_forgotten_beyond_the_size() -> None:
    render = Counting(real=False)
    cache = PromptCache(render, max_prompts=2)
    cache.speech("en", "one", 150)
    cache.speech("en", "two", 150)
    cache.speech("en", "one", 150)  # used again: "two" is now the oldest
    cache.speech("en", "three", 150)
    assert ("en", "one", 150) in cache
    assert ("en", "two", 150) not in cache
    assert ("en", "three", 150) in cache
    cache.speech("en", "two", 150)
    assert [call[0] for call in render.calls] == ["one", "two", "three", "two"]
