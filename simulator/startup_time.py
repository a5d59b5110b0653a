"""How long the simulator takes to come up, and to deliver its first frame and print.

``python -m simulator.startup_time`` prints the times of one cold start in a fresh process:
importing :mod:`simulator.attach`, making a :class:`~simulator.attach.Simulation`, ``start``;
then what the kiosk needs later, the first camera frame showing the citizen (over HTTP) and the
first fingerprint pressed, asked for at once (``--at 0``, the worst case) or ``--at`` seconds
after the start, as at the photo and fingerprint steps. Nothing is asserted: times depend on
the machine.
"""

from __future__ import annotations

import argparse
import time
import urllib.request


def main() -> None:
    """Print the start-up times of one cold simulator."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--at", type=float, default=0.0,
                        help="seconds after the start to ask for a frame and a print")
    at = parser.parse_args().at
    t0 = time.perf_counter()
    from kiosk.config import KioskConfig, SimulatorSettings
    from kiosk.devices import default_registry

    t1 = time.perf_counter()
    from simulator.attach import Simulation
    from simulator.scenario import load_scenario

    t2 = time.perf_counter()
    config = KioskConfig(simulator=SimulatorSettings(pacing=False))
    simulation = Simulation(load_scenario("happy"), config)
    t3 = time.perf_counter()
    settings = simulation.start(default_registry())
    t4 = time.perf_counter()
    time.sleep(max(0.0, at - (t4 - t1)))
    t_ask = time.perf_counter()
    try:
        snapshot = settings.camera.source.replace("stream.mjpg", "snapshot.jpg")
        with urllib.request.urlopen(snapshot, timeout=30) as response:
            response.read()
        t5 = time.perf_counter()
        world = simulation.world
        world.fingerprint.lift()
        simulation.controls.place_finger(7)
        t6 = time.perf_counter()
    finally:
        simulation.stop()
    print(f"import kiosk config       {t1 - t0:6.3f} s (the kiosk pays this anyway)")
    print(f"import simulator.attach   {t2 - t1:6.3f} s")
    print(f"Simulation(...)           {t3 - t2:6.3f} s")
    print(f"start(registry)           {t4 - t3:6.3f} s")
    print(f"  simulator ready after   {t4 - t1:6.3f} s (import + make + start)")
    print(f"asked at                  {t_ask - t1:6.3f} s")
    print(f"first camera frame        {t5 - t_ask:6.3f} s later")
    print(f"first fingerprint         {t6 - t5:6.3f} s after that")


if __name__ == "__main__":
    main()
