"""What every command's door (``sim/<command>.py``, run as ``python -m sim.<command>``) does
around the command, with the standard library only (it runs before anything else is imported).

- :func:`loading`: the command's modules (pandas, Hydra, pydantic, the simulator) are imported
  with the garbage collector paused, and what they made is then set aside from it
  (:func:`gc.freeze`): module-level objects live as long as the process, so searching them for
  reference cycles while they load, and again at every later collection, is wasted work (a
  tenth of a second of every command's start-up, issue 23 item 16; it also spares the plot
  painter forked afterwards copying those pages when the collector would touch them). Only when
  the door runs as ``__main__``: importing a door as a library (``from sim.followup import
  follow_up`` in a notebook) leaves the caller's collector alone.
- :func:`ended`: the finished command's objects set aside the same way, so that the
  interpreter's shutdown does not search the whole heap for cycles (a fifth of a second).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def loading(name: str) -> Iterator[None]:
    """Import the command's modules in the ``with`` block without cycle searches when ``name``
    (the door's ``__name__``) is ``"__main__"``; anything else imports as usual."""
    if name != "__main__":
        yield
        return
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def ended(code: int | None = None) -> int | None:
    """``code``, once the command's work is done: every object it made is set aside from the
    garbage collector (:func:`gc.freeze`), so that the interpreter's shutdown does not search the
    whole heap of pandas, Hydra and the model for reference cycles (a fifth of a second, a sixth
    of a one-day ``python -m sim``, issue 23 item 16). Shutdown still runs the ``atexit``
    handlers (logging is flushed, helper processes stopped) and releases every object that no
    cycle holds, files included; a finished command's cyclic garbage is left to the operating
    system with the rest of the process."""
    gc.freeze()
    return code
