"""The kiosk's own subcommands: ``run``, ``simulate`` and ``devices check``."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.config import ConfigError, KioskConfig, load_config
from kiosk.journal import JournalHandler, under_systemd
from kiosk.native_stderr import divert_native_stderr
from kiosk.safetext import printable

if TYPE_CHECKING:
    from kiosk.service.bus import Subscription
    from kiosk.service.kiosk import KioskService

    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]


def register(subparsers: Subparsers) -> None:
    """Add ``run``, ``simulate`` and ``devices`` to the CLI."""
    run = subparsers.add_parser("run", help="start the touchscreen UI (on the simulator when "
                                "no config names real devices)")
    _config_option(run)
    run.add_argument("--scenario", help="citizen the simulator plays (default: happy)")
    run.set_defaults(handler=_run)

    simulate = subparsers.add_parser("simulate", help="a scripted citizen goes through the "
                                     "kiosk against the simulator")
    simulate.add_argument("--scenario", required=True,
                          help="a bundled scenario name or a scenario file")
    front = simulate.add_mutually_exclusive_group()
    front.add_argument("--headless", action="store_true",
                       help="through the real UI with no terminal needed; print a summary")
    front.add_argument("--no-ui", action="store_true",
                       help="drive the kiosk service directly (no UI loaded); print a summary")
    simulate.add_argument("--json", action="store_true", help="print the summary as JSON")
    simulate.add_argument("--trace", action="store_true",
                          help="print one line per screen as it shows ('state SCREEN') and "
                          "'shown REFERENCE' the moment the reference reaches the citizen")
    _config_option(simulate)
    simulate.set_defaults(handler=_simulate)

    workflow = subparsers.add_parser("workflow", help="the session workflow")
    workflow_commands = workflow.add_subparsers(dest="workflow_command", metavar="COMMAND",
                                                required=True)
    diagram = workflow_commands.add_parser("diagram", help="print the state diagram (Mermaid), "
                                           "drawn from the transition table")
    diagram.set_defaults(handler=_workflow_diagram)

    devices = subparsers.add_parser("devices", help="device self-test and health")
    device_commands = devices.add_subparsers(dest="devices_command", metavar="COMMAND",
                                             required=True)
    check = device_commands.add_parser("check", help="open each configured device, probe it, "
                                       "print one line each")
    _config_option(check)
    check.add_argument("--json", action="store_true", help="one JSON object per device")
    check.add_argument("--simulate-fault", action="append", default=[], metavar="FAULT",
                       help="on the simulator, inject a fault first: DEVICE:FAULT "
                       "(scanner:unplug, fingerprint:silent, camera:unplug...) or "
                       "DEVICE-unplugged; may be repeated")
    check.set_defaults(handler=_devices_check)


def _config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, metavar="FILE",
                        help="TOML config file (default: $PASBOKS_CONFIG, else the simulator)")


def _load(args: argparse.Namespace) -> KioskConfig | None:
    """The configuration, or None after one line per problem on stderr."""
    try:
        return load_config(args.config)
    except ConfigError as error:
        for line in str(error).splitlines() or ["(no detail)"]:
            print(f"kiosk: invalid configuration: {line}", file=sys.stderr)
        return None


def _run(args: argparse.Namespace) -> int:
    import threading

    from kiosk.composition import StartupError, build_kiosk
    from kiosk.ui.app import KioskApp
    from simulator.scenario import ScenarioError, load_scenario

    config = _load(args)
    if config is None:
        return 2
    _log_to_file(config)
    try:
        scenario = load_scenario(args.scenario or config.simulator.persona)
        kiosk = build_kiosk(config, scenario=scenario)
    except (ScenarioError, StartupError) as error:
        print(f"kiosk: {error}", file=sys.stderr)
        return 1
    try:
        if args.scenario and kiosk.simulation is not None:
            # A scenario named on the command line plays its taps and faults too.
            from simulator.play import play

            threading.Thread(target=lambda: asyncio.run(play(kiosk, scenario)),
                             name="scenario", daemon=True).start()
        if config.display.graphics == "auto" and sys.stdin.isatty() and sys.stdout.isatty():
            # Ask the terminal once, before Textual owns it, whether it draws real pixels.
            from kiosk.ui.widgets.graphics import probe_once

            probe_once()
        KioskApp(kiosk.service).run()
    finally:
        kiosk.close()
    return 0


def _simulate(args: argparse.Namespace) -> int:
    from kiosk.composition import StartupError, build_kiosk
    from simulator.play import SimulationSummary, play, simulator_config
    from simulator.scenario import ScenarioError, load_scenario

    config = _load(args)
    if config is None:
        return 2
    try:
        scenario = load_scenario(args.scenario)
    except ScenarioError as error:
        print(f"kiosk: {error}", file=sys.stderr)
        return 2
    if args.headless or args.no_ui:
        # The summary is the output; device faults the scenario provokes are expected and
        # stay quiet, while errors (a bug's traceback) still show.
        logging.basicConfig(level=logging.ERROR, format="kiosk: %(levelname)s %(message)s")
    else:
        _log_to_file(config)
    try:
        kiosk = build_kiosk(simulator_config(config), scenario)
    except StartupError as error:
        print(f"kiosk: {error}", file=sys.stderr)
        return 1
    if kiosk.store_error is not None:
        # The kiosk would stay out of service: a scripted citizen could only wait.
        kiosk.close()
        print(f"kiosk: the application store cannot be used: {kiosk.store_error}",
              file=sys.stderr)
        return 1
    trace = _trace(kiosk.service) if args.trace else None
    try:
        if args.no_ui:
            summary: SimulationSummary = asyncio.run(play(kiosk, scenario))
        else:
            # Only here is the UI loaded: --no-ui imports no Textual module at all.
            from kiosk.ui.app import KioskApp
            from kiosk.ui.headless import run_in_app

            app = KioskApp(kiosk.service)
            summary = asyncio.run(run_in_app(
                app, lambda driver: play(kiosk, scenario, driver), headless=args.headless))
    finally:
        if trace is not None:
            trace.close()
        kiosk.close()
    if args.json:
        steps = _step_seconds((step.screen, step.seconds) for step in summary.steps)
        print(json.dumps(summary.as_dict() | {"step_seconds": steps}))
    else:
        print(f"scenario  {summary.scenario}")
        for step in summary.steps:
            print(f"  {step.screen:<20} {step.seconds:7.2f} s")
        print(f"taps      {summary.taps}")
        print(f"faults    {', '.join(summary.faults) or 'none'}")
        print(f"outcome   {summary.outcome}"
              + (f" ({summary.refusal})" if summary.refusal else ""))
        print(f"reference {summary.reference or '-'}")
        print(f"time      {summary.seconds:.1f} s")
        if summary.error:
            print(f"error     {summary.error}")
    return 0 if summary.completed else 1


#: Screens outside the citizen's errand: before the start and after the reference.
_NOT_STEPS = frozenset({"welcome", "done", "aborted", "refused", "out_of_service"})


def _step_seconds(visits: Iterable[tuple[str, float]]) -> dict[str, float]:
    """Seconds per step (the same screen's visits added up) from the service's state changes
    (``(screen, seconds)``), and ``total``: from Start to the reference (the steps' sum,
    without welcome and done)."""
    seconds: dict[str, float] = {}
    for screen, spent in visits:
        if screen not in _NOT_STEPS:
            seconds[screen] = seconds.get(screen, 0.0) + spent
    total = sum(seconds.values())
    return {name: round(value, 3) for name, value in seconds.items()} | {"total": round(total, 3)}


def _trace(service: KioskService) -> Subscription:
    """Print each screen as it shows and each reference the moment the citizen is shown it.

    One flushed line per change, written on the publishing thread before the service goes
    on, so a process killed a moment later has already told what it showed. The service
    publishes ``ApplicationCompleted`` only after the store has committed the application:
    a ``shown`` line is the promise ``kill -9`` tests hold the store to.
    """
    from kiosk.service.messages import ApplicationCompleted, Message, StateChanged

    def line(text: str) -> None:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()

    def hear(message: Message) -> None:
        if isinstance(message, StateChanged):
            line(f"state {message.new.value}")
        elif isinstance(message, ApplicationCompleted):
            line(f"shown {message.reference}")

    subscription = service.bus.subscribe(hear)
    line(f"state {service.state.value}")
    return subscription


def _devices_check(args: argparse.Namespace) -> int:
    from kiosk.composition import StartupError, build_kiosk

    config = _load(args)
    if config is None:
        return 2
    try:
        kiosk = build_kiosk(config, run=False)
    except StartupError as error:
        print(f"kiosk: {error}", file=sys.stderr)
        return 1
    try:
        for fault in args.simulate_fault:
            if kiosk.simulation is None:
                print("kiosk: --simulate-fault needs the simulator (no config with [devices])",
                      file=sys.stderr)
                return 2
            try:
                kiosk.simulation.inject(_fault_spec(fault))
            except ValueError as error:
                print(f"kiosk: {error}", file=sys.stderr)
                return 2
        results = kiosk.service.check_devices()
    finally:
        kiosk.close()
    for name, device, health in results:
        if args.json:
            print(json.dumps({"device": name, "driver": type(device).__name__, "ok": health.ok,
                              "code": health.code, "latency_ms": round(health.latency_ms, 1),
                              "detail": health.detail}))
        else:
            status = "ok" if health.ok else f"FAILED ({health.code})"
            print(f"{name:<12} {status:<32} {health.latency_ms:8.1f} ms  {health.detail}")
    return 0 if all(health.ok for _, _, health in results) else 1


def _workflow_diagram(args: argparse.Namespace) -> int:
    from kiosk.workflow.diagram import mermaid

    print(mermaid())
    return 0


def _fault_spec(fault: str) -> str:
    """``scanner-unplugged`` -> ``scanner:unplug``; ``device:fault`` passes through."""
    if ":" in fault:
        return fault
    device, _, name = fault.partition("-")
    return f"{device}:{'unplug' if name == 'unplugged' else name}"


def _log_to_file(config: KioskConfig) -> None:
    """The UI owns the terminal, so logs go to a file, and under systemd to the journal as
    well (no personal data is ever logged)."""
    directory = config.logs.directory
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        divert_native_stderr(str(directory / "native.log"))
        logging.basicConfig(filename=directory / "kiosk.log", level=logging.INFO,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        if under_systemd():
            # The appliance: the same records in the journal too (journalctl -t pasboks-kiosk).
            logging.getLogger().addHandler(JournalHandler())
    except OSError as error:
        # Before the UI takes the terminal: one line, and the kiosk does not start without
        # its log (the audit trail is written to the same directory).
        reason = error.strerror or str(error)
        print(f"kiosk: the log directory {printable(directory)} cannot be used ({reason}; "
              "logs.directory)", file=sys.stderr)
        raise SystemExit(1) from None
