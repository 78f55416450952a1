"""Export: LaTeX, the printable report (plain text, HTML, LaTeX, dict) and matplotlib figures.

The top layer: it may use every other subpackage.  matplotlib is optional (``symsched[plot]``) and
imported only when a plot function is called.
"""

from .display import Report, format_value, report
from .latex import LATEX_PACKAGES, latex_escape, latex_number, latex_preamble, latex_sequence, latex_table, to_latex
from .plots import plot_density, plot_frontier, plot_profile, plot_schedule

__all__ = ["to_latex", "latex_number", "latex_sequence", "latex_table", "latex_escape", "latex_preamble",
           "LATEX_PACKAGES",
           "Report", "report", "format_value",
           "plot_profile", "plot_schedule", "plot_frontier", "plot_density"]

# -- hand a schedule to a sampler (issue #14) --
from .schedule_export import EXPORT_FORMATS, export_schedule

__all__ += ["export_schedule", "EXPORT_FORMATS"]

# -- the model's graph and tables (issue #18) --
from .plots import plot_model

__all__ += ["plot_model"]
