"""A planner's own history (call logs, interval reports) turned into a calibrated scenario."""
