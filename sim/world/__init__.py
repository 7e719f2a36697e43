"""The world the model runs in: calendar, demand, distributions, staffing and shifts, random streams."""
