"""Errors a user can cause and fix: each carries a one-paragraph message naming the key."""

from __future__ import annotations


class ScenarioError(ValueError):
    """A scenario (config file, override or data file) is invalid.

    The message is a single paragraph meant for the terminal: it names the full key
    (e.g. ``staffing.table.mon[3]``), the value given and the allowed range.
    """


class StudyLimitError(ScenarioError):
    """A study stopped at one of its limits without an answer (e.g. the staffing search's
    round limit); the message names the setting to change. A :class:`ScenarioError`, so
    the commands report it as one paragraph."""


def fail(key: str, text: str) -> ValueError:
    """Build the error a validator raises: ``key`` is relative to the model being validated.

    The scenario loader prefixes the location of that model, so the user sees the full key.
    """
    return ValueError(f"{key}: {text}" if key else text)
