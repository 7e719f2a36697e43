"""Time to the first result on the managers' page (issue 14: within 15 s on 2 cores).

Starts ``python -m sim.app`` with an empty results folder, opens it in headless system
Chromium (Playwright), changes Mon-Fri closing to 16:00 on the default scenario (December
2026, 20 replications per scenario, baseline + one variant) and presses Run; prints the time
from the click to the first KPI cards and to all 20 replications, then presses Run again with
nothing changed (the result then comes from the results folder).

    python benchmarks/app_first_result.py
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    results = tempfile.mkdtemp(prefix="app_bench_")
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)}
    proc = subprocess.Popen([sys.executable, "-m", "sim.app", "--port", str(port), "--results", results],
                            cwd=ROOT, env=env, start_new_session=True, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), 0.5).close()
                break
            except OSError:
                time.sleep(0.2)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}/")
            page.wait_for_selector("#hours_mon")
            for day in ("mon", "tue", "wed", "thu", "fri"):
                page.fill(f"#hours_{day}", "08:00-16:00")
            page.wait_for_timeout(800)
            for run, what in ((1, "fresh results folder"), (2, "unchanged, from the results folder")):
                t0 = time.perf_counter()
                page.click("#run")
                page.wait_for_selector(f"#run-status[data-run='{run}']", timeout=60_000)
                page.wait_for_selector("#kpi-cards", timeout=120_000)
                first, reps = time.perf_counter() - t0, page.get_attribute("#kpi-cards", "data-replications")
                page.wait_for_selector("#run-status[data-state=finished]", timeout=600_000)
                page.wait_for_selector("#kpi-cards[data-replications='20']", timeout=60_000)
                done = time.perf_counter() - t0
                page.wait_for_selector("#plot_agents img[data-replications='20']", timeout=60_000)
                print(f"{what}: first cards {first:.1f} s after the click ({reps} replications per scenario), "
                      f"all 20 after {done:.1f} s, with the plots {time.perf_counter() - t0:.1f} s; page: {page.inner_text('#run-status')}")
            browser.close()
        print(f"load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} cores")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
        shutil.rmtree(results, ignore_errors=True)


if __name__ == "__main__":
    main()
