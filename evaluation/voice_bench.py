"""Synthesis time of the kiosk's spoken prompts, per language: cold (first time) and cached.

Usage: ``python evaluation/voice_bench.py [--rate 150] [--repeat 3] [--json]``.

The prompts are the ones the kiosk speaks: every screen's instruction (``kiosk.voice.prompts``),
the photo guidance texts, the fingerprint feedback texts, "place your <finger>" for the ten
fingers and "lift your finger". Each language is measured on a fresh prompt cache:

- *first*: the language's first prompt (espeak-ng loads the voice and its dictionary);
- *cold*: the median time to synthesise one prompt not yet in the cache (the rest);
- *cached*: the median time to fetch a prompt already in the cache (what the kiosk pays the
  second time a sentence is said);
- audio seconds and the real-time factor (synthesis time / audio length) of the cold prompts.

``--repeat`` renders the cold set again that many times with fresh caches and keeps the best
median (the machine is shared; the best run is the least disturbed). The CPU load at start is
printed for context.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

from kiosk.fingerprint.positions import FingerPosition
from kiosk.i18n import catalog, translate
from kiosk.service.messages import StepProgress
from kiosk.voice.espeak import VOICES, synthesise
from kiosk.voice.prompts import progress_text, screen_text
from kiosk.voice.synth import PromptCache
from kiosk.workflow import State


def prompts(language: str) -> list[str]:
    """Every distinct sentence the kiosk may speak in ``language``."""

    def t(key: str, **values: object) -> str:
        return translate(key, language, **values)

    texts = [screen_text(state, t) for state in State]
    english = catalog("en")
    guidance = sorted(key for key in english
                      if key.startswith(("photo.", "fingerprint.feedback_")))
    texts += [t(key) for key in guidance if "{" not in english[key]]
    for position in FingerPosition:
        progress = StepProgress(kiosk_id="bench", state=State.FINGERPRINTS,
                                key="ui.fingerprints.place",
                                values={"finger_key": position.text_key})
        texts.append(progress_text(progress, t))
    texts += [t("ui.fingerprints.lift"), t("ui.identify.waiting"), t("ui.signature.waiting")]
    unique = list(dict.fromkeys(text for text in texts if text.strip()))
    return unique


def measure(language: str, texts: list[str], rate: int, repeat: int) -> dict[str, float]:
    """Times (ms) for one language."""
    best_cold: float | None = None
    first_ms = 0.0
    audio_s: list[float] = []
    cold_ms: list[float] = []
    cached_ms: list[float] = []
    for run in range(repeat):
        cache = PromptCache(synthesise)
        run_cold: list[float] = []
        run_audio: list[float] = []
        for index, text in enumerate(texts):
            started = time.perf_counter()
            speech = cache.speech(language, text, rate)
            elapsed = (time.perf_counter() - started) * 1000
            if index == 0:
                if run == 0:
                    first_ms = elapsed
                continue
            run_cold.append(elapsed)
            run_audio.append(speech.seconds)
        median = statistics.median(run_cold)
        if best_cold is None or median < best_cold:
            best_cold, cold_ms, audio_s = median, run_cold, run_audio
        hits = []
        for text in texts:
            started = time.perf_counter()
            cache.speech(language, text, rate)
            hits.append((time.perf_counter() - started) * 1000)
        cached_ms += hits
    rtf = [ms / 1000 / seconds for ms, seconds in zip(cold_ms, audio_s, strict=True)
           if seconds > 0]
    return {
        "prompts": len(texts),
        "first_ms": first_ms,
        "cold_median_ms": statistics.median(cold_ms),
        "cold_max_ms": max(cold_ms),
        "cached_median_ms": statistics.median(cached_ms),
        "audio_median_s": statistics.median(audio_s),
        "rtf_median": statistics.median(rtf),
    }


def main() -> None:
    """Measure every kiosk language and print a table (or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=int, default=150, help="words a minute (config default)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    results = {language: measure(language, prompts(language), args.rate, args.repeat)
               for language in VOICES}
    if args.json:
        print(json.dumps({"rate": args.rate, "load1": load, "cpus": os.cpu_count(),
                          "languages": results}, indent=2))
        return
    print(f"rate {args.rate} wpm, load average {load:.1f} on {os.cpu_count()} CPUs, "
          f"best of {args.repeat} cold runs")
    print(f"{'lang':5} {'prompts':>7} {'first ms':>9} {'cold med ms':>12} {'cold max ms':>12} "
          f"{'cached med ms':>14} {'audio med s':>12} {'RTF':>6}")
    for language, row in results.items():
        print(f"{language:5} {row['prompts']:7.0f} {row['first_ms']:9.1f} "
              f"{row['cold_median_ms']:12.1f} {row['cold_max_ms']:12.1f} "
              f"{row['cached_median_ms']:14.4f} {row['audio_median_s']:12.2f} "
              f"{row['rtf_median']:6.3f}")


if __name__ == "__main__":
    main()
