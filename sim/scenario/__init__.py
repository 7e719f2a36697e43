"""Scenario composition: Hydra configs and data files in, a validated, checked Scenario out."""
