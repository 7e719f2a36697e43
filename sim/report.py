"""``python -m sim.report FOLDER``: an HTML report of a results folder (see :mod:`sim.faces.report`)."""

from sim.faces.report import comparison_report, folder_report, main

__all__ = ["comparison_report", "folder_report", "main"]

if __name__ == "__main__":
    main()
