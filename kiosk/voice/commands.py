"""The ``kiosk voice ...`` subcommands: hear what the kiosk would say, without a sound card.

``kiosk voice say --language da "Læg dit pas på glasset" -o x.wav`` writes a 16-bit mono WAV
of the kiosk's own voice at its configured rate; ``--key ui.welcome.title`` speaks a catalogue
text instead. ``kiosk voice voices`` lists each kiosk language's espeak-ng voice and whether
the wheel has it. Operators use them to check a translation by ear, tests to check the voice.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from kiosk.cli_support import add_config_option, fail, load_config_or_fail
from kiosk.safetext import printable
from kiosk.voice.espeak import VOICES


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``kiosk voice`` and its subcommands to the CLI."""
    voice = subparsers.add_parser("voice", help="the kiosk's spoken prompts")
    sub = voice.add_subparsers(dest="voice_command", metavar="SUBCOMMAND")
    voice.set_defaults(handler=lambda _args: _usage(voice))

    say = sub.add_parser("say", help="write what the kiosk would say as a WAV file")
    say.add_argument("text", nargs="?", metavar="TEXT", help="the text to speak")
    say.add_argument("--key", metavar="AREA.KEY",
                     help="speak this catalogue text (e.g. ui.welcome.title) instead of TEXT")
    say.add_argument("--language", required=True, metavar="LANG",
                     help=f"one of {', '.join(VOICES)}")
    say.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.wav")
    say.add_argument("--rate", type=int, metavar="WPM",
                     help="words a minute, 80-400 (default: the config's voice.rate)")
    add_config_option(say)
    say.set_defaults(handler=_say)

    voices = sub.add_parser("voices", help="each kiosk language's voice in the espeak-ng wheel")
    voices.set_defaults(handler=_voices)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _say(args: argparse.Namespace) -> int:
    from kiosk.i18n import translate
    from kiosk.voice.espeak import EspeakUnavailable, synthesise
    from kiosk.voice.synth import write_wav

    language = str(args.language)
    if language not in VOICES:
        return fail(f"unknown language {printable(language)!r}; available: "
                    f"{', '.join(VOICES)}", 2)
    if (args.text is None) == (args.key is None):
        return fail("give either TEXT or --key AREA.KEY", 2)
    if args.key is not None:
        text = translate(str(args.key), language)
        if text == args.key:
            return fail(f"no text {printable(str(args.key))!r} in the catalogues", 2)
    else:
        text = str(args.text)
    if not text.strip():
        return fail("nothing to say: the text is empty", 2)
    rate = args.rate
    if rate is None:
        config = load_config_or_fail(args)
        if isinstance(config, int):
            return config
        rate = config.voice.rate
    if not 80 <= rate <= 400:
        return fail(f"--rate must be from 80 to 400 words a minute, not {rate}", 2)
    try:
        speech = synthesise(text, language, rate)
    except EspeakUnavailable as error:
        return fail(f"cannot speak: {printable(str(error))}")
    try:
        write_wav(args.output, speech)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        return fail(f"cannot write {printable(str(args.output))}: {reason}")
    print(f"{printable(str(args.output))}: {speech.seconds:.2f} s, {language}, {rate} wpm")
    return 0


def _voices(args: argparse.Namespace) -> int:
    from kiosk.voice.espeak import EspeakUnavailable, missing_voices

    try:
        missing = set(missing_voices())
    except EspeakUnavailable as error:
        return fail(f"cannot speak: {printable(str(error))}")
    for language, voice in VOICES.items():
        print(f"{language}\t{voice}\t{'MISSING' if language in missing else 'ok'}")
    return 1 if missing else 0
