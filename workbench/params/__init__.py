"""The params schema: what a params file and each notebook may say, validated before anything runs.

One module per part, each notebook's schema beside its evaluation:

* :mod:`workbench.params.run` -- the file's shared sections, the registry of notebooks (``NOTEBOOK_PARAMS``), the
  loader (:func:`load_params`) and what a notebook starts from (:func:`notebook_config`);
* :mod:`workbench.params.base` -- strict sections, months, figures with a source;
* :mod:`workbench.params.forecast` -- the pooled Negative Binomial forecaster's settings;
* ``overview``, ``goal``, ``hotspot``, ``vvu``, ``scorecard``, ``claims``, ``backtest`` -- each notebook's own
  parameters, named as the evaluation in :mod:`workbench.evaluations` they configure.

Evidence (literature priors, VVU costs, forces with VRU funding) is data in ``params/reference/``
(:mod:`workbench.reference`). Everything is importable from ``workbench.params`` as before.
"""

from workbench.params.backtest import BacktestParams
from workbench.params.base import MONTH_RE, EffectPrior, Figure, Strict, reference_default
from workbench.params.claims import ClaimsParams
from workbench.params.forecast import (
    DEFAULT_SHOCKS, ForecastersParams, ForecastModelParams, ShockParams, forecaster_settings,
)
from workbench.params.goal import GoalTrackingParams
from workbench.params.hotspot import HotspotParams, HotspotPoint
from workbench.params.nowcast import NowcastModelParams, NowcastParams, SourceSpec
from workbench.params.overview import OverviewParams
from workbench.params.run import (
    CELL_KEYS, FILE_CHECKS, INTERACTIVE, NAME_RE, NOTEBOOK_PARAMS, NOTEBOOKS_DIR, PATH_PARAMS, RUNTIME_KEYS,
    SHARED_KEYS, SOURCE_LABELS, DataSection, DemoOptions, DisclosureSection, MatrixSection, NotebookConfig,
    NotebookEntry, PeriodSection, RunParams, SamplerSection, format_errors, load_params, member_name, notebook_config,
    sampler_settings, validate_run,
)
from workbench.params.scorecard import ScorecardParams
from workbench.params.vvu import CostsSection, DonorExclusion, VVUParams

__all__ = [
    "BacktestParams", "CELL_KEYS", "ClaimsParams", "CostsSection", "DEFAULT_SHOCKS", "DataSection", "DemoOptions",
    "DisclosureSection", "DonorExclusion", "EffectPrior", "FILE_CHECKS", "Figure", "ForecastersParams", "ForecastModelParams",
    "GoalTrackingParams", "HotspotParams", "HotspotPoint", "INTERACTIVE", "MONTH_RE", "MatrixSection", "NAME_RE",
    "NOTEBOOKS_DIR", "NOTEBOOK_PARAMS", "NotebookConfig", "NotebookEntry", "OverviewParams", "PATH_PARAMS",
    "PeriodSection", "RUNTIME_KEYS", "RunParams", "SHARED_KEYS", "SOURCE_LABELS", "SamplerSection",
    "ScorecardParams", "ShockParams", "Strict", "VVUParams", "forecaster_settings", "format_errors", "load_params",
    "member_name", "notebook_config", "reference_default", "sampler_settings", "validate_run",
]
