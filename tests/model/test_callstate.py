"""The one declaration of per-call state: a repeat contact copies every attribute it declares,
and nothing is kept per call outside it."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import simpy

from sim.model.callbacks import CallbackRules
from sim.model.callstate import FIELDS, NAMES, NEW
from sim.model.engine import CallCentre
from sim.model.nextcontact import ContactRules
from sim.model.repeats import RepeatRules, Repeats
from sim.model.rules import Rules
from sim.model.transfers import TransferPolicy, TransferRules
from sim.world.demand import Calls
from sim.world.distributions import Exponential
from sim.world.staffing import Schedule


def hand_calls(arrival: list[float], talk: list[float], **given: object) -> Calls:
    """Calls with the given fields; every other field zero (callback answers: 3 attempts)."""
    n = len(arrival)
    columns: dict[str, np.ndarray] = {f.name: np.zeros(n) for f in dataclasses.fields(Calls)}
    columns.update(callback_answer_u=np.zeros((n, 3)), closes_at=np.full(n, 100_000.0), arrival=np.asarray(arrival, float),
                   talk=np.asarray(talk, float), logged=np.ones(n, bool), case=np.zeros(n, np.int64))
    columns.update({k: np.asarray(v) for k, v in given.items()})
    return Calls(**columns)


def constant(agents: int, close: float = 100_000.0) -> Schedule:
    return Schedule(np.array([0.0, close]), np.array([agents, 0]), np.array([True, False]))

ALL_ON = Rules(callbacks=CallbackRules(max_attempts=3), transfers=TransferRules(TransferPolicy.WARM, (-1, 1), 60.0),
               repeats=RepeatRules(max_attempts=3), contact=ContactRules(answer_draws=3, repeat_probability=0.5))


def centre(features: Rules = ALL_ON) -> CallCentre:
    calls = hand_calls([0, 10, 20], [100, 200, 300], patience=[50, 60, 70], case=[0, 1, 1], first_talk=[5, 6, 7],
                       callback_accept=[True, False, True], prefer_callback=[False, True, False])
    return CallCentre(simpy.Environment(), calls, [constant(1), constant(1)], features,
                      np.array([0.0, 86400.0]), np.array([3600.0, 90000.0]), np.random.default_rng(1), Exponential(600.0))


def same(a: object, b: object) -> bool:
    return a == b or (isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b))


@pytest.mark.parametrize("i", [0, 1, 2])
def test_a_repeat_contact_copies_every_declared_attribute(i: int) -> None:
    cc = centre()
    c, repeats = cc.calls, cc.repeats
    assert isinstance(repeats, Repeats)
    before = {name: list(getattr(c, name)) for name in NAMES}
    for name in ("answered_at", "fate", "cb_flag", "consult_state", "cb_attempts"):  # state of the first attempt
        getattr(c, name)[i] = before[name][i] = {float: 123.0, int: 7, bool: True}[type(before[name][i])]
    new = cc.repeats.next_contact.draws(i, 5000.0, 9000.0, np.random.default_rng(2))
    assert new.keys() == NEW, "nextcontact.py gives exactly the fields declared repeat='new'"
    j = c.append_copy(i, new)
    assert j == 3
    for fd in FIELDS:
        column = getattr(c, fd.name)
        assert len(column) == 4, f"{fd.name} was not extended"
        assert column[:3] == before[fd.name], f"{fd.name} of the earlier calls changed"
        expected = {"same": before[fd.name][i], "fresh": fd.start, "new": new.get(fd.name)}[fd.repeat]
        assert same(column[j], expected), f"{fd.name}: {column[j]!r} != {expected!r} (repeat={fd.repeat})"
    assert c.arrival[j] == 5000.0 and c.deadline[j] == 5000.0 + c.patience[i] and c.attempt[j] == c.attempt[i] + 1
    assert c.customer[j] == c.customer[i] and c.source[j] == i


def test_append_copy_refuses_an_incomplete_set_of_new_values() -> None:
    cc = centre()
    assert isinstance(cc.repeats, Repeats)
    new = cc.repeats.next_contact.draws(0, 5000.0, 9000.0, np.random.default_rng(2))
    del new["repeat"]
    with pytest.raises(ValueError, match="repeat"):
        cc.calls.append_copy(0, new)


def test_nothing_is_kept_per_call_outside_the_declaration() -> None:
    """Every list with one entry per call, on the call state, the centre or any of its parts,
    is a declared field (a part may hold the state's own list, never a copy)."""
    cc = centre()
    state = {k: v for k, v in vars(cc.calls).items() if isinstance(v, list)}
    assert set(state) == set(NAMES)
    for holder in (cc, cc.queues, cc.callbacks, cc.transfers, cc.repeats):
        for k, v in vars(holder).items():
            if isinstance(v, list) and len(v) == cc.calls.n0:
                assert k in state and v is state[k], f"{type(holder).__name__}.{k} is kept outside the declaration"


def test_exported_fields_reach_the_outcome_after_a_run_with_repeat_contacts() -> None:
    from sim.model import engine

    calls = hand_calls([0, 1, 2, 3], [900, 900, 900, 900], patience=[30.0] * 4, repeat=[True] * 4)
    rules = Rules(repeats=RepeatRules(max_attempts=3), contact=ContactRules(repeat_probability=1.0))
    out = engine.run(calls, [constant(1, 50_000.0)], rules,
                     np.array([0.0]), np.array([50_000.0]), np.random.default_rng(3), Exponential(100.0))
    n = len(out)
    assert n > 4 and (out.attempt > 1).sum() == n - 4
    for fd in FIELDS:
        if fd.export:
            assert getattr(out, fd.name).shape[0] == n, fd.name
