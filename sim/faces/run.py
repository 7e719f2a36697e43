"""``python -m sim``: the Hydra app that runs one scenario and writes its results (door: :mod:`sim.__main__`).

Examples::

    python -m sim                                  # the default scenario (December 2026)
    python -m sim staffing.agents=14 run.seed=7    # override any key
    python -m sim +experiment=tiny                 # apply an experiment delta
    python -m sim -m staffing.agents=11,12,13      # a Hydra multirun sweep
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from sim.faces.cli import hydra_entry, reports_errors
from sim.faces.output import write_run
from sim.faces.painter import ForkedPainter, forked_painter, start_painter
from sim.scenario.compose import scenarios_dir, validate

log = logging.getLogger("sim")


@hydra.main(version_base="1.3", config_path=str(scenarios_dir()), config_name="config")
@reports_errors  # a user error, also when found only while simulating: one paragraph, no traceback
def app(cfg: DictConfig) -> None:
    """Validate the composed scenario, simulate it, write results and print a summary.

    The plots are drawn by a process forked as the command started (:func:`main`; for the jobs
    of a sweep, as each job starts), which imports matplotlib while this one composes,
    validates and simulates (:mod:`sim.faces.painter`)."""
    with forked_painter(_FORKED.pop() if _FORKED else None) as draw:
        scenario = validate(cfg)
        out_dir = Path(HydraConfig.get().runtime.output_dir)
        t0 = time.perf_counter()
        summary = write_run(scenario, out_dir, draw=draw)
    print(summary.text)
    print(f"\n{summary.n_calls} calls simulated in {time.perf_counter() - t0:.1f} s; results in {out_dir}")


_FORKED: list[ForkedPainter] = []  # the painter main() forked before Hydra composed, for the (first) run
_hydra_main = hydra_entry(app)


def main() -> None:
    """Entry point of ``python -m sim``: fork the plots' painter first when the command line holds
    only overrides (a single run, not ``--help``, ``--cfg`` or ``-m``), then check the overrides
    and run the Hydra app."""
    painter = None if any(a.startswith("-") for a in sys.argv[1:]) else start_painter()
    if painter is not None:
        _FORKED.append(painter)
    try:
        _hydra_main()
    finally:
        while _FORKED:  # unused: the overrides were refused, or Hydra stopped before the run
            _FORKED.pop().close()


if __name__ == "__main__":
    main()
