"""Evaluation and forecasting workbench for police and crime analysts.

The package behind the notebooks: data loading (:mod:`workbench.data`), the
params schema (:mod:`workbench.params`), the Papermill runner
(:mod:`workbench.runner`), evaluations (:mod:`workbench.evaluations`) and the
reporting helpers (:mod:`workbench.report`, :mod:`workbench.plots`).
"""

import os as _os

__version__ = "0.1.0"

# Models compile with numba (workbench.models.sampling). LLVM's level-1 optimisation compiles a model in about
# two-thirds of the time of numba's default level 3 and samples as fast; without fast-math neither level reorders
# floating-point arithmetic, so the draws are the same bit for bit. Read by numba when it is first imported.
_os.environ.setdefault("NUMBA_OPT", "1")
