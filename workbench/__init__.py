"""Evaluation and forecasting workbench for police and crime analysts.

The package behind the notebooks: data loading (:mod:`workbench.data`), the
params schema (:mod:`workbench.params`), the Papermill runner
(:mod:`workbench.runner`), evaluations (:mod:`workbench.evaluations`) and the
reporting helpers (:mod:`workbench.report`, :mod:`workbench.plots`).
"""

__version__ = "0.1.0"
