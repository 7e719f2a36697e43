"""Studies of many replications: the runner, precision, sweeps, staffing search, comparison, validation."""
