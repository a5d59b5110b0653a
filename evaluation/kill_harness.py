"""Kill harness: ``kill -9`` at random moments never loses a reference the citizen was shown.

Usage::

    python evaluation/kill_harness.py [--runs 100] [--seed 1] [--jobs 2] [--scenario happy]
                                      [--hang-s 180] [--keep] [--json]

All runs share one temporary state (encrypted store, record key, log directory) under a fresh
harness directory, set by a generated config, so a kill in the middle of a write must not
damage the applications earlier runs stored. ``--jobs`` runs of
``kiosk simulate --no-ui --trace`` go at once (two processes writing one store are part of the
test), each with the simulator's pacing off and its own ``TMPDIR`` inside the harness
directory. ``--trace`` prints ``state SCREEN`` as each screen shows and ``shown REFERENCE`` the
moment the service announces the reference (after the store has committed it).

Each run is killed (``SIGKILL`` to its process group) at a moment drawn from ``(seed, run)``:

* ``uniform`` (half the runs): uniformly over 1.1 times the expected run time (the median of
  the runs that finished so far), so a few runs finish on their own;
* ``summary`` (a quarter): 0-500 ms after the trace shows the consent screen (after the
  summary): the consent tap, the hand-off, the done screen or the way back to welcome;
* ``handoff`` (a quarter): 0-60 ms after the trace shows the hand-off screen, the moment the
  record is built, sealed and committed (the commit window itself).

After each run the references it showed are looked up in the store. At the end:

* every shown reference is in the store and decrypts whole (``ApplicationStore.get``), and
  ``kiosk store status --json`` counts them; **lost** (shown, not stored) must be 0;
* ``kiosk store verify`` exits 0 (every record decrypts and has all its parts: no half record);
* every audit line parses, and every shown reference has its ``stored`` line;
* a byte scan of the harness directory (store, key, logs, the runs' ``TMPDIR`` s and stderr),
  the runs' output, and the files created in ``/tmp`` during the campaign finds none of the
  scenario holder's surname, given names and document number (case-insensitive) and no image:
  JPEG (SOI with a well-formed first segment), JPEG 2000 (JP2 box or raw codestream), PNG, WSQ
  and ISO/IEC 19794-4 record headers. Only where and what is printed, never the bytes.

It prints the numbers and exits 1 when anything is lost, verify fails, an audit line is broken
or plaintext is found; 3 when nothing is lost but some run failed or hung by itself (the kiosk
did not finish a run nobody killed). The harness directory is removed unless ``--keep``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import queue
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

#: Which kill each run gets, in turn: half uniform, half close to the hand-off.
DEFAULT_MIX = ("uniform", "summary", "uniform", "handoff")
#: Screen whose trace line starts the clock of a targeted kill, and the delay drawn after it.
TRIGGERS: dict[str, tuple[str, float]] = {"summary": ("consent", 0.5), "handoff": ("handoff", 0.06)}
#: The uniform kills cover this much of the expected run time (the rest finish by themselves).
UNIFORM_SPAN = 1.1
#: Expected run time (spawn to exit) until a run has finished on its own.
FIRST_GUESS_S = 20.0
#: Entries of /tmp that belong to the machinery running this session, not to the kiosk.
TMP_IGNORED = ("bash_jobs.", "bash_tool_")

REFERENCE = re.compile(r"PB-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]")
#: Image and biometric record signatures (those shorter than 8 bytes are rare enough in
#: ciphertext for the volumes here, except JPEG's, which is checked for a real first segment).
SIGNATURES: dict[str, bytes] = {
    "jp2": b"\x00\x00\x00\x0cjP  ",
    "j2k-codestream": b"\xff\x4f\xff\x51",
    "png": b"\x89PNG\r\n\x1a\n",
    "wsq": b"\xff\xa0\xff\xa8",
    "iso19794-4": b"FIR\x00010\x00",
}
JPEG_SOI = b"\xff\xd8\xff"
#: Markers a JPEG's first segment starts with (APPn, DQT, SOFn, DHT, COM).
_JPEG_FIRST = frozenset([*range(0xE0, 0xF0), 0xDB, *range(0xC0, 0xC4), 0xC4, 0xFE])


# --- the plan -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunPlan:
    """When one run is killed: ``mode`` and a fraction (uniform) or a delay (targeted)."""

    index: int
    mode: str
    #: uniform: fraction of the expected run time; targeted: seconds after the trigger.
    draw: float

    @classmethod
    def make(cls, seed: int, index: int, mix: Sequence[str]) -> RunPlan:
        rng = random.Random(f"kill-harness:{seed}:{index}")
        mode = mix[index % len(mix)]
        if mode == "uniform":
            return cls(index, mode, rng.uniform(0.0, UNIFORM_SPAN))
        if mode not in TRIGGERS:
            raise ValueError(f"unknown kill mode {mode!r}")
        return cls(index, mode, rng.uniform(0.0, TRIGGERS[mode][1]))


@dataclass
class RunResult:
    """What one run showed and how it ended (references and screen names only)."""

    index: int
    mode: str
    killed: bool = False
    #: The last screen the trace showed before the process died ("" when none).
    phase: str = ""
    shown: list[str] = field(default_factory=list)
    exit_code: int | None = None
    seconds: float = 0.0
    hung: bool = False
    #: Shown references not in the store right after the run (should never happen).
    missing_now: list[str] = field(default_factory=list)

    @property
    def kill_phase(self) -> str:
        """Where the kill landed: a screen, ``after-shown``, ``startup``, or ``not-killed``."""
        if not self.killed:
            return "not-killed"
        if self.shown:
            return "after-shown"
        return self.phase or "startup"


@dataclass
class Report:
    """The campaign's numbers."""

    runs: int = 0
    jobs: int = 0
    seed: int = 0
    scenario: str = ""
    tmp: str = ""
    kills: int = 0
    kills_by_mode: dict[str, int] = field(default_factory=dict)
    kills_by_phase: dict[str, int] = field(default_factory=dict)
    finished: int = 0
    failed: int = 0
    hung: int = 0
    shown: int = 0
    shown_and_found: int = 0
    lost: list[str] = field(default_factory=list)
    missing_after_run: int = 0
    pending: int | None = None
    stored_not_shown: int = 0
    verify_exit: int | None = None
    verify_output: str = ""
    audit_lines: int = 0
    audit_broken: int = 0
    audit_missing_stored: int = 0
    files_scanned: int = 0
    bytes_scanned: int = 0
    plaintext_hits: list[str] = field(default_factory=list)
    #: What the scan finds in one decrypted record (shows that it would find plaintext).
    control: list[str] = field(default_factory=list)
    wall_s: float = 0.0
    expected_run_s: float = 0.0

    @property
    def ok(self) -> bool:
        """Nothing lost, verify clean, audit whole, no plaintext."""
        return (not self.lost and self.verify_exit == 0 and not self.audit_broken
                and not self.audit_missing_stored and not self.plaintext_hits
                and not self.missing_after_run)

    @property
    def exit_code(self) -> int:
        """1: lost or found something; 3: a run failed or hung by itself; 0: all well."""
        if not self.ok:
            return 1
        return 3 if self.failed or self.hung else 0

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        return data


# --- the shared state -----------------------------------------------------------------------


def private_tmp_command(tmp: Path, command: Sequence[str]) -> list[str]:
    """``command`` run in a mount namespace of its own where ``tmp`` is mounted on /tmp.

    Whatever a run writes to /tmp (a library that ignores TMPDIR) lands in the harness
    directory, where it is scanned, and files other programs put in the shared /tmp meanwhile
    are not mistaken for the kiosk's. The shell ``exec`` s the command: same process.
    """
    tmp.mkdir(parents=True, exist_ok=True, mode=0o1777)
    tmp.chmod(0o1777)
    user = [] if os.geteuid() == 0 else ["--map-root-user"]
    return ["unshare", "--mount", "--propagation", "private", *user, "sh", "-c",
            'mount --bind "$0" /tmp && exec "$@"', str(tmp), *command]


def _under_tmp(path: Path) -> bool:
    tmp = Path("/tmp").resolve()
    resolved = path.resolve()
    return resolved == tmp or tmp in resolved.parents


def can_use_private_tmp() -> bool:
    """Whether ``unshare`` can give a run a /tmp of its own here (root or user namespaces).

    Not when the checkout or the Python it runs lives under /tmp (a CI clone there): the
    private /tmp would hide them from the run.
    """
    if sys.platform != "linux" or shutil.which("unshare") is None:
        return False
    if any(_under_tmp(path) for path in (ROOT, Path(sys.prefix), Path(sys.executable))):
        return False
    with tempfile.TemporaryDirectory(prefix="kill-harness-probe-") as probe:
        marker = Path(probe) / "tmp"
        try:
            done = subprocess.run(
                private_tmp_command(marker, ["sh", "-c", ": > /tmp/probe"]),
                capture_output=True, timeout=30, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return False
        return done.returncode == 0 and (marker / "probe").exists()


@dataclass(frozen=True)
class Layout:
    """The harness directory: one config, one store, key and log directory for every run."""

    root: Path
    #: Each run gets a /tmp of its own inside the harness directory (a mount namespace).
    private_tmp: bool = False

    @property
    def config(self) -> Path:
        return self.root / "kiosk.toml"

    @property
    def store(self) -> Path:
        return self.root / "state" / "store"

    @property
    def key(self) -> Path:
        return self.root / "keys" / "record.key"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    def tmpdir(self, index: int) -> Path:
        return self.root / "tmp" / f"run-{index:04d}"

    def stderr(self, index: int) -> Path:
        return self.root / "stderr" / f"run-{index:04d}.txt"

    def write_config(self) -> None:
        for directory in (self.root / "tmp", self.root / "stderr"):
            directory.mkdir(parents=True, exist_ok=True)
        self.config.write_text(
            'kiosk_id = "kill-harness"\n\n'
            "[simulator]\npacing = false\n\n"
            f"[storage]\ndirectory = {json.dumps(str(self.store))}\n"
            f"key_file = {json.dumps(str(self.key))}\n\n"
            f"[logs]\ndirectory = {json.dumps(str(self.logs))}\n", encoding="utf-8")

    def environment(self, index: int | None) -> dict[str, str]:
        """A child's environment: only the generated config, and a TMPDIR of its own."""
        env = {name: value for name, value in os.environ.items()
               if not name.startswith("PASBOKS_") and name != "CREDENTIALS_DIRECTORY"}
        tmp = self.root / "tmp" / "cli" if index is None else self.tmpdir(index)
        tmp.mkdir(parents=True, exist_ok=True)
        env.update(TMPDIR=str(tmp), PYTHONDONTWRITEBYTECODE="1",
                   PASBOKS_CONFIG=str(self.config))
        return env

    @contextlib.contextmanager
    def opened_store(self) -> Iterator[Any]:
        """The shared store, opened in this process (None while no run has made it yet)."""
        from kiosk.store.db import DB_FILE, ApplicationStore
        from kiosk.store.keys import read_key_file

        if not self.key.exists() or not (self.store / DB_FILE).exists():
            yield None
            return
        store = ApplicationStore(self.store, read_key_file(self.key), retention_s=96 * 3600)
        try:
            yield store
        finally:
            store.close()


# --- one run --------------------------------------------------------------------------------


class Run:
    """One ``kiosk simulate --no-ui --trace`` process, read line by line as it prints."""

    def __init__(self, layout: Layout, plan: RunPlan, scenario: str) -> None:
        self.plan = plan
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.output: list[str] = []
        self.started = time.monotonic()
        command = [sys.executable, "-m", "kiosk.cli", "simulate", "--scenario", scenario,
                   "--no-ui", "--trace", "--json", "--config", str(layout.config)]
        if layout.private_tmp:
            command = private_tmp_command(layout.tmpdir(plan.index) / "slash-tmp", command)
        with layout.stderr(plan.index).open("wb") as stderr:
            self.process = subprocess.Popen(
                command,
                stdout=subprocess.PIPE, stderr=stderr, stdin=subprocess.DEVNULL,
                env=layout.environment(plan.index), cwd=layout.root, start_new_session=True)
        self._reader = threading.Thread(target=self._read, name=f"run-{plan.index}",
                                        daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for raw in self.process.stdout:
            self.lines.put(raw.decode("utf-8", "replace").rstrip("\n"))
        self.lines.put(None)

    def wait_for(self, screen: str, deadline: float) -> bool:
        """Read the trace until ``screen`` shows; False when the process ended or time ran out."""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                return False
            if line is None:
                self.lines.put(None)
                return False
            self.output.append(line)
            if line == f"state {screen}":
                return True

    def kill(self) -> bool:
        """SIGKILL the run's process group; True when it was still running."""
        if self.process.poll() is not None:
            return False
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        return True

    def finish(self, killed: bool, hung: bool = False) -> RunResult:
        code = self.process.wait()
        self._reader.join()
        # Everything the process printed before it died is still in the pipe: read it all.
        while (line := self.lines.get()) is not None:
            self.output.append(line)
        result = RunResult(self.plan.index, self.plan.mode, killed=killed, hung=hung,
                           exit_code=code, seconds=time.monotonic() - self.started)
        for line in self.output:
            word, _, rest = line.partition(" ")
            if word == "state":
                result.phase = rest
            elif word == "shown" and REFERENCE.fullmatch(rest):
                result.shown.append(rest)
        return result


def run_one(layout: Layout, plan: RunPlan, scenario: str, expected_s: float,
            hang_s: float) -> tuple[RunResult, list[str]]:
    """Start one run, kill it as planned (unless it ends first); its result and its output."""
    run = Run(layout, plan, scenario)
    deadline = run.started + hang_s
    killed = hung = False
    if plan.mode == "uniform":
        moment = run.started + plan.draw * expected_s
        try:
            run.process.wait(timeout=max(0.0, moment - time.monotonic()))
        except subprocess.TimeoutExpired:
            killed = run.kill()
    else:
        screen, _ = TRIGGERS[plan.mode]
        if run.wait_for(screen, deadline):
            time.sleep(plan.draw)
            killed = run.kill()
        elif run.process.poll() is None:  # the screen never came: a hang
            hung = run.kill()
    if not killed and not hung:
        try:
            run.process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            hung = run.kill()
    result = run.finish(killed, hung)
    return result, run.output


# --- checks ---------------------------------------------------------------------------------


def holder_needles(scenario: str) -> dict[str, bytes]:
    """The scenario holder's surname, given names and document number, lower-case UTF-8."""
    from simulator.scenario import load_scenario

    passport = load_scenario(scenario).passport
    needles = {"surname": passport.surname, "document number": passport.number}
    for position, name in enumerate(passport.given_names.split(), start=1):
        needles[f"given name {position}"] = name
    return {label: value.lower().encode("utf-8") for label, value in needles.items()
            if len(value) >= 3}


def _jpeg_hits(data: bytes) -> int:
    """SOI markers followed by a well-formed first segment (random bytes rarely are)."""
    hits = 0
    start = data.find(JPEG_SOI)
    while start != -1:
        marker = data[start + 3:start + 4]
        if marker and marker[0] in _JPEG_FIRST and len(data) >= start + 6:
            length = int.from_bytes(data[start + 4:start + 6], "big")
            if length >= 2 and data[start + 4 + length:start + 5 + length] == b"\xff":
                hits += 1
        start = data.find(JPEG_SOI, start + 1)
    return hits


def scan_bytes(data: bytes, needles: dict[str, bytes]) -> list[str]:
    """What of the holder's data or which image kinds ``data`` holds (labels, never bytes)."""
    found = []
    lowered = data.lower()
    found += [label for label, needle in needles.items() if needle in lowered]
    found += [label for label, signature in SIGNATURES.items() if signature in data]
    if _jpeg_hits(data):
        found.append("jpeg")
    return found


def _files(top: Path, since: float | None = None,
           skip: Callable[[Path], bool] = lambda path: False) -> Iterator[Path]:
    for directory, subdirectories, names in os.walk(top, onerror=lambda error: None):
        here = Path(directory)
        subdirectories[:] = [name for name in subdirectories if not skip(here / name)]
        for name in names:
            path = here / name
            if skip(path):
                continue
            try:
                info = path.lstat()
            except OSError:
                continue
            if not path.is_file() or path.is_symlink():
                continue
            if since is not None and max(info.st_mtime, info.st_ctime) < since:
                continue
            yield path


def scan_files(paths: Iterable[Path], needles: dict[str, bytes], report: Report) -> None:
    """Scan each file's bytes; hits go to ``report`` as ``path: labels``."""
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError:
            continue  # gone in the meantime (another program's temporary file)
        report.files_scanned += 1
        report.bytes_scanned += len(data)
        found = scan_bytes(data, needles)
        if found:
            report.plaintext_hits.append(f"{path}: {', '.join(found)}")


def check_store(layout: Layout, shown: dict[str, int], needles: dict[str, bytes],
                report: Report) -> None:
    """Every shown reference is stored and whole; the CLI's status and verify agree."""
    from kiosk.store.errors import StoreError

    with layout.opened_store() as store:
        stored = {item.reference for item in store.pending()} if store is not None else set()
        for reference in shown:
            if reference not in stored:
                report.lost.append(reference)
                continue
            try:
                parts = store.get(reference)
            except StoreError as error:
                report.lost.append(f"{reference} ({error.code})")
                continue
            report.shown_and_found += 1
            if not report.control:
                # The scan's positive control: a decrypted record shows what it looks for.
                report.control = sorted({label for data in parts.values()
                                         for label in scan_bytes(data, needles)})
    report.stored_not_shown = len(stored - set(shown))
    env = layout.environment(None)
    status = subprocess.run([sys.executable, "-m", "kiosk.cli", "store", "status", "--json"],
                            capture_output=True, text=True, env=env, check=False,
                            cwd=layout.root, timeout=120)
    with contextlib.suppress(ValueError, IndexError):
        report.pending = int(json.loads(status.stdout.splitlines()[-1])["pending"])
    verify = subprocess.run([sys.executable, "-m", "kiosk.cli", "store", "verify"],
                            capture_output=True, text=True, env=env, check=False,
                            cwd=layout.root, timeout=300)
    report.verify_exit = verify.returncode
    report.verify_output = (verify.stdout + verify.stderr).strip().splitlines()[-1:][0] \
        if (verify.stdout + verify.stderr).strip() else ""


def check_audit(layout: Layout, shown: dict[str, int], report: Report) -> None:
    """Every audit line parses; every shown reference has its ``stored`` line."""
    stored: set[str] = set()
    for path in sorted(layout.logs.glob("audit.jsonl*")):
        if path.name.endswith(".lock"):
            continue
        for text in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if not text.strip():
                continue
            report.audit_lines += 1
            try:
                line = json.loads(text)
            except ValueError:
                report.audit_broken += 1
                continue
            if line.get("event") == "stored":
                stored.add(str(line.get("reference")))
    report.audit_missing_stored = len(set(shown) - stored)


# --- the campaign ---------------------------------------------------------------------------


def run_campaign(runs: int, seed: int, jobs: int, scenario: str = "happy", *,
                 mix: Sequence[str] = DEFAULT_MIX, workdir: Path | None = None,
                 tmp_roots: Sequence[Path] = (Path("/tmp"),),
                 tmp_ignored: Sequence[Path] = (), private_tmp: bool | None = None,
                 hang_s: float = 180.0, keep: bool = False,
                 say: Callable[[str], None] = lambda text: None) -> Report:
    """Run the campaign and check the store; the numbers (see the module docstring).

    ``private_tmp`` (default: when ``unshare`` can) gives each run a /tmp of its own inside
    the harness directory; otherwise the files created in ``tmp_roots`` during the campaign
    (outside ``tmp_ignored``) are scanned, and another program's files there count too.
    """
    started_wall = time.time()
    started = time.monotonic()
    needles = holder_needles(scenario)
    private = can_use_private_tmp() if private_tmp is None else private_tmp
    if private and workdir is None and os.access("/var/tmp", os.W_OK):
        workdir = Path("/var/tmp")  # the runs' own /tmp would hide a harness inside /tmp
    root = Path(tempfile.mkdtemp(prefix="kill-harness-", dir=workdir)).resolve()
    if Path("/tmp").resolve() in root.parents:
        private = False
    layout = Layout(root, private)
    layout.write_config()
    report = Report(runs=runs, jobs=jobs, seed=seed, scenario=scenario,
                    tmp="private per run (mount namespace), scanned in the harness directory"
                    if layout.private_tmp else
                    f"shared: files created in {', '.join(map(str, tmp_roots))} scanned")
    plans: queue.Queue[RunPlan] = queue.Queue()
    for index in range(runs):
        plans.put(RunPlan.make(seed, index, mix))
    results: list[RunResult] = []
    outputs: list[str] = []
    finished_s: list[float] = []
    lock = threading.Lock()

    def expected() -> float:
        with lock:
            return statistics.median(finished_s) if finished_s else FIRST_GUESS_S

    def worker() -> None:
        while True:
            try:
                plan = plans.get_nowait()
            except queue.Empty:
                return
            result, output = run_one(layout, plan, scenario, expected(), hang_s)
            with layout.opened_store() as store:
                stored = {item.reference for item in store.pending()} if store else set()
            result.missing_now = [ref for ref in result.shown if ref not in stored]
            with lock:
                results.append(result)
                outputs.extend(output)
                if not result.killed and not result.hung and result.exit_code == 0:
                    finished_s.append(result.seconds)
            say(f"run {plan.index:4d} {plan.mode:<8} {result.kill_phase:<13} "
                f"exit {result.exit_code:>4} {result.seconds:6.1f} s "
                f"shown {len(result.shown)}"
                + (f" MISSING {len(result.missing_now)}" if result.missing_now else ""))

    try:
        threads = [threading.Thread(target=worker, name=f"job-{job}") for job in range(jobs)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        shown: dict[str, int] = {}
        for result in sorted(results, key=lambda item: item.index):
            for reference in result.shown:
                shown[reference] = result.index
            if result.killed:
                report.kills += 1
                report.kills_by_mode[result.mode] = report.kills_by_mode.get(result.mode, 0) + 1
            if result.hung:
                report.hung += 1
            elif not result.killed:
                if result.exit_code == 0:
                    report.finished += 1
                else:
                    report.failed += 1
            report.missing_after_run += len(result.missing_now)
        report.kills_by_phase = dict(Counter(result.kill_phase for result in results
                                             if result.killed).most_common())
        report.shown = len(shown)
        report.expected_run_s = round(expected(), 2)
        check_store(layout, shown, needles, report)
        check_audit(layout, shown, report)
        # The runs' output (the trace and the summary) holds no personal data either.
        found = scan_bytes("\n".join(outputs).encode("utf-8"), needles)
        if found:
            report.plaintext_hits.append(f"<runs' output>: {', '.join(found)}")
        scan_files(_files(root), needles, report)
        # The checkout and its venv (a CI clone may live in /tmp) are code, not the runs' output.
        ignored = [root.resolve(), ROOT, Path(sys.prefix).resolve(),
                   *(path.resolve() for path in tmp_ignored)]

        def skip(path: Path) -> bool:
            if path.name.startswith(TMP_IGNORED) and path.parent in tmp_roots:
                return True
            resolved = path.resolve()
            return any(resolved == top or top in resolved.parents for top in ignored)

        for top in [] if layout.private_tmp else tmp_roots:
            scan_files(_files(top, since=started_wall - 1.0, skip=skip), needles, report)
    finally:
        report.wall_s = round(time.monotonic() - started, 1)
        if keep:
            say(f"harness directory kept: {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    return report


def describe(report: Report) -> str:
    """The numbers, one per line."""
    phases = ", ".join(f"{phase} {count}" for phase, count in report.kills_by_phase.items())
    modes = ", ".join(f"{mode} {count}" for mode, count in sorted(report.kills_by_mode.items()))
    lines = [
        f"runs                {report.runs} ({report.scenario}, seed {report.seed}, "
        f"{report.jobs} at once; expected run {report.expected_run_s:.1f} s)",
        f"kills               {report.kills} (by mode: {modes or '-'})",
        f"  by phase          {phases or '-'}",
        f"finished unkilled   {report.finished}",
        f"failed by itself    {report.failed}",
        f"hung                {report.hung}",
        f"references shown    {report.shown}",
        f"shown and found     {report.shown_and_found}",
        f"lost                {len(report.lost)}"
        + (f" ({', '.join(report.lost)})" if report.lost else ""),
        f"missing after a run {report.missing_after_run}",
        f"stored, not shown   {report.stored_not_shown} (killed after the commit, before "
        "the reference showed)",
        f"pending (status)    {report.pending}",
        f"store verify        exit {report.verify_exit}: {report.verify_output}",
        f"audit lines         {report.audit_lines} ({report.audit_broken} broken, "
        f"{report.audit_missing_stored} shown without a 'stored' line)",
        f"scanned             {report.files_scanned} files, {report.bytes_scanned} bytes "
        "(store, key, logs, TMPDIRs, stderr, output)",
        f"/tmp                {report.tmp}",
        f"plaintext hits      {len(report.plaintext_hits)}",
        *(f"  {hit}" for hit in report.plaintext_hits),
        f"scan control        a decrypted record shows: {', '.join(report.control) or '-'}",
        f"wall time           {report.wall_s:.1f} s",
        f"result              {'OK' if report.ok else 'FAILED'}",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--scenario", default="happy")
    parser.add_argument("--hang-s", type=float, default=180.0,
                        help="a run still going after this long is a hang")
    parser.add_argument("--keep", action="store_true", help="keep the harness directory")
    parser.add_argument("--shared-tmp", action="store_true",
                        help="no private /tmp per run: scan the files created in /tmp during "
                        "the campaign instead (other programs' files count too)")
    parser.add_argument("--quiet", action="store_true", help="no line per run")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.jobs < 1:
        parser.error("--runs and --jobs must be at least 1")

    def say(text: str) -> None:
        if not args.quiet:
            print(text, flush=True)

    report = run_campaign(args.runs, args.seed, args.jobs, args.scenario, hang_s=args.hang_s,
                          keep=args.keep, say=say,
                          private_tmp=False if args.shared_tmp else None)
    print(json.dumps(report.as_dict(), indent=2) if args.json else describe(report))
    return report.exit_code


if __name__ == "__main__":
    sys.exit(main())
