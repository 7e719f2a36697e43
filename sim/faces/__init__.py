"""The commands, plots, HTML reports and the web page: they call studies and read saved tables."""
