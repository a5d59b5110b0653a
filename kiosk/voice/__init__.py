"""The kiosk's voice: every instruction spoken in the citizen's language, and earcons.

- :mod:`kiosk.voice.espeak` — espeak-ng from the ``espeakng-loader`` wheel through ctypes, to
  PCM in memory (one lock: espeak-ng is not re-entrant);
- :mod:`kiosk.voice.synth` — the prompt cache (each sentence synthesised once) and WAV output;
- :mod:`kiosk.voice.earcons` — the tones, generated with numpy;
- :mod:`kiosk.voice.mixer` — what plays next, volume and mute (pure, over sample arrays);
- :mod:`kiosk.voice.player` — miniaudio playing the mixer on its own thread, or silence;
- :mod:`kiosk.voice.announcer` — when to speak (screens at once, guidance debounced);
- :mod:`kiosk.voice.prompts` — which catalogue texts a screen and a step speak;
- :mod:`kiosk.voice.voice` — :class:`KioskVoice`, which the touchscreen app feeds its news;
- :mod:`kiosk.voice.commands` — ``kiosk voice say``.

Nothing here imports espeak-ng or miniaudio until it is used, so the kiosk starts as fast
without them.
"""
