"""HTML reports and map images of simulated scenarios (hex cartogram, charts, tables, words)."""

from sim.report.page import DEFAULT_BLOCS, comparison_html, report_html

__all__ = ["DEFAULT_BLOCS", "comparison_html", "report_html"]
