"""The schema of params files, validated before anything runs.

A params file is YAML with shared sections (``data``, ``areas``, ``period``,
``seed``, ``sampler``) and a list of ``notebooks``, each with its own
``parameters``. Unknown keys are rejected everywhere. Every error names the
file, the line, the key, what was expected and what to do.

Relative paths in ``data.path`` are resolved against the folder of the params
file, so a scheduled job gives the same result from any working directory.

The same schema validates what a notebook is given when it runs on its own
(JupyterLab, or ``papermill notebooks/X.ipynb out.ipynb -f params/X.yaml``):
see :func:`notebook_config`. Each notebook's own parameters have their schema
beside their evaluation (``workbench/params/<evaluation>.py``); this module
holds the file's shared sections, the registry of notebooks and the loader.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import yaml
from pydantic import BaseModel, Field, PrivateAttr, ValidationError, field_validator, model_validator

from workbench.errors import ParamsError
from workbench.params.backtest import BacktestParams
from workbench.params.base import Strict, _month
from workbench.params.claims import ClaimsParams
from workbench.params.goal import GoalTrackingParams
from workbench.params.hotspot import HotspotParams
from workbench.params.nowcast import NowcastParams
from workbench.params.overview import OverviewParams
from workbench.params.scorecard import ScorecardParams
from workbench.params.vvu import VVUParams

if TYPE_CHECKING:
    from workbench.models.sampling import Sampler

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")

#: Folder holding the source notebooks (``notebooks/`` at the repository root).
NOTEBOOKS_DIR = Path(__file__).resolve().parents[2] / "notebooks"


# --------------------------------------------------------------------------- data


class DemoOptions(Strict):
    """Options of the embedded synthetic demo panel (:mod:`workbench.data.demo`)."""

    start: str = Field("2015-04", description="first month of the synthetic panel")
    end: str = Field("2025-12", description="last month; a fixed month, never 'today'")
    lsoa_fraction: float = Field(
        1.0, gt=0, le=1, description="share of each area's LSOAs to generate (1 = Essex-sized)"
    )

    _check_months = field_validator("start", "end", mode="before")(_month)

    @model_validator(mode="after")
    def _ordered(self) -> "DemoOptions":
        if self.start > self.end:
            raise ValueError(f"data.demo.start ({self.start}) is after data.demo.end ({self.end})")
        return self


#: Data sources, with the words every table and figure built on them carries.
SOURCE_LABELS = {
    "demo": "synthetic demo data",
    "tidy_csv": "analyst-supplied data",
    "policeuk": "data.police.uk street-level data",
    "policeuk_counts": "data.police.uk street-level data (monthly LSOA counts)",
    "homeoffice_quarterly": "Home Office police recorded crime",
    "ons_table": "ONS police recorded crime tables",
}


class DataSection(Strict):
    """Where the panel comes from.

    ``demo`` generates the synthetic Essex-like panel from ``seed``;
    ``tidy_csv`` reads a CSV with columns period, area, category, count;
    ``policeuk`` reads data.police.uk street files (a download folder or zip);
    ``policeuk_counts`` their monthly LSOA counts (month, force, lsoa_code, lsoa_name, crime_type, count);
    ``homeoffice_quarterly`` the Home Office quarterly force x offence group table;
    ``ons_table`` ONS Table P1 (force areas) or C2 (community safety partnerships).
    """

    source: Literal["demo", "tidy_csv", "policeuk", "policeuk_counts", "homeoffice_quarterly", "ons_table"] = "demo"
    path: str | None = Field(None, description="input file or folder (not used by 'demo')")
    force: str = Field("essex", description="force slug that a tidy CSV belongs to")
    forces: list[str] | None = Field(None, description="force slugs to keep (police.uk, Home Office, ONS); null keeps all")
    cache: bool = Field(True, description="keep parsed panels in a parquet cache keyed by the input files' hashes")
    demo: DemoOptions = Field(default_factory=DemoOptions)

    @model_validator(mode="after")
    def _path_matches_source(self) -> "DataSection":
        if self.source == "demo" and self.path is not None:
            raise ValueError("data.path is not used with source 'demo'; remove it or choose another source")
        if self.source != "demo" and self.path is None:
            raise ValueError(f"data.source '{self.source}' needs data.path: the file or folder to read")
        if self.forces is not None and not self.forces:
            raise ValueError("data.forces is an empty list; use null for every force")
        return self

    @property
    def label(self) -> str:
        """Words every table and figure built on this data carries."""
        return SOURCE_LABELS[self.source]


class PeriodSection(Strict):
    """Analysis window (inclusive months); ``null`` means from the first / to the last month in the data."""

    start: str | None = None
    end: str | None = None

    _check_months = field_validator("start", "end", mode="before")(_month)

    @model_validator(mode="after")
    def _ordered(self) -> "PeriodSection":
        if self.start and self.end and self.start > self.end:
            raise ValueError(f"period.start ({self.start}) is after period.end ({self.end})")
        return self


class SamplerSection(Strict):
    """MCMC settings passed to PyMC. ``nutpie`` is the default NUTS implementation."""

    draws: int = Field(1000, ge=10)
    tune: int = Field(1000, ge=10)
    chains: int = Field(4, ge=1, le=16)
    cores: int = Field(2, ge=1)
    target_accept: float = Field(0.9, gt=0.5, lt=1)
    nuts_sampler: Literal["nutpie", "pymc"] = "nutpie"
    adaptation: Literal["diag", "low_rank"] = Field(
        "diag", description="nutpie's mass-matrix adaptation; low_rank helps correlated posteriors")
    backend: Literal["jax", "numba"] = Field(
        "numba", description="how nutpie compiles a model: numba in half a minute to a minute and a half per model "
                             "the first time (cached on disk, then about 10 s), sampling 5-15x faster than jax; jax "
                             "in seconds, for small fits where compiling is most of the work")

    def settings(self) -> Sampler:
        """These settings as the plain :class:`workbench.models.sampling.Sampler` the models take."""
        from workbench.models.sampling import Sampler

        return Sampler(**self.model_dump())


def sampler_settings(sampler: SamplerSection | Sampler | None) -> Sampler | None:
    """What the models take from a ``sampler:`` section: its :meth:`SamplerSection.settings` (a
    :class:`workbench.models.sampling.Sampler`, or None, as it is)."""
    return sampler.settings() if isinstance(sampler, SamplerSection) else sampler


class DisclosureSection(Strict):
    """Disclosure control of the publication HTML: small counts suppressed, as UK official statistics do.

    The analyst's HTML and the executed notebook keep every value.
    """

    threshold: int = Field(5, ge=0, le=1000, description="counts from 1 to threshold - 1 are suppressed in publication tables; 0 = none")
    symbol: str = Field("[c]", min_length=1, max_length=12, description="shown in place of a suppressed count ([c] = confidential)")


class MatrixSection(Strict):
    """One params file, many runs: each value of ``over`` becomes a run of its own (its own folder and manifest)."""

    over: Literal["data.forces", "areas"] = Field(..., description="what each run keeps: one force, or one area")
    values: list[str] = Field(..., min_length=1, description="one run per value, e.g. force slugs or CSP names")

    @field_validator("values")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        seen = set()
        for v in value:
            if not NAME_RE.match(member_name(v)):
                raise ValueError(f"matrix value {v!r} gives no usable folder name")
            if member_name(v) in seen:
                raise ValueError(f"matrix value {v!r} is listed twice")
            seen.add(member_name(v))
        return value


def member_name(value: str) -> str:
    """The folder name of a matrix member: ``"Southend-on-Sea"`` → ``southend-on-sea``, ``"Castle Point"`` → ``castle-point``."""
    return re.sub(r"[^a-z0-9._-]+", "-", value.strip().lower()).strip("-")


#: Each notebook's own parameters. A notebook listed in a params file must be here.
NOTEBOOK_PARAMS: dict[str, type[Strict]] = {
    "00-data-overview": OverviewParams,
    "10-goal-tracking": GoalTrackingParams,
    "20-hotspot-policing": HotspotParams,
    "30-vvu-return": VVUParams,
    "40-scorecard": ScorecardParams,
    "50-claims": ClaimsParams,
    "90-backtest": BacktestParams,
    "15-where-we-stand": NowcastParams,
}

#: Notebook parameters that are paths: resolved against the params file's folder like ``data.path``.
PATH_PARAMS: dict[str, tuple[str, ...]] = {
    "20-hotspot-policing": ("centroids", "boundaries"), "40-scorecard": ("indicators_path", "boundaries"),
    "50-claims": ("claims_path", "homeoffice_path", "ons_p1_path", "ons_c2_path", "ons_p7_path", "policeuk_path"),
}
#: Notebook parameters that are lists of sources, each with a ``path`` resolved the same way.
LIST_PATH_PARAMS = ("15-where-we-stand",)
#: Input files checked when the params file is loaded (notebook -> parameter -> "module:function" that reads it and
#: raises a WorkbenchError naming the line and column), so a malformed file stops the run before anything runs.
FILE_CHECKS: dict[str, dict[str, str]] = {"50-claims": {"claims_path": "workbench.evaluations.claims:read_claims"}}

#: Names of the shared sections that the runner passes to every notebook.
SHARED_KEYS = ("run_name", "seed", "data", "areas", "period", "sampler", "disclosure")
#: Parameters every notebook declares besides the shared ones and its own.
RUNTIME_KEYS = ("results_dir", "notebooks")


class NotebookEntry(Strict):
    """One notebook of a run. Its ``parameters`` are checked against its own model by :func:`validate_run`."""

    name: str
    parameters: dict[str, Any] = Field(default_factory=dict)

    @field_validator("name")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in NOTEBOOK_PARAMS:
            known = ", ".join(sorted(NOTEBOOK_PARAMS))
            raise ValueError(f"unknown notebook '{value}'; known notebooks: {known}")
        return value


class RunParams(Strict):
    """A whole params file."""

    run_name: str = Field(..., description="folder name under outputs/")
    seed: int = Field(..., ge=0, lt=2**32)
    data: DataSection = Field(default_factory=DataSection)
    areas: list[str] | None = Field(None, description="area names to keep; null keeps every area")
    period: PeriodSection = Field(default_factory=PeriodSection)
    sampler: SamplerSection = Field(default_factory=SamplerSection)
    disclosure: DisclosureSection = Field(default_factory=DisclosureSection)
    matrix: MatrixSection | None = Field(None, description="one run per force or area (see MatrixSection)")
    notebooks: list[NotebookEntry] = Field(..., min_length=1)
    # Where the params came from (set by load_params), so later checks can name the file and line.
    _source: str | None = PrivateAttr(None)
    _yaml: Any = PrivateAttr(None)

    @field_validator("run_name")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not NAME_RE.match(value):
            raise ValueError(f"run_name must be letters, digits, '.', '_' or '-', got {value!r}")
        return value

    @field_validator("areas")
    @classmethod
    def _non_empty(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and not value:
            raise ValueError("areas is an empty list; use null for every area")
        return value

    def shared(self) -> dict[str, Any]:
        """The shared sections as plain values, as passed to every notebook."""
        return self.model_dump(mode="json", include=set(SHARED_KEYS))

    def members(self) -> list[tuple[str | None, "RunParams"]]:
        """The runs this file stands for: itself (name None), or one per matrix value with that value kept."""
        if self.matrix is None:
            return [(None, self)]
        out = []
        for v in self.matrix.values:
            if self.matrix.over == "data.forces":
                member = self.model_copy(update={"data": self.data.model_copy(update={"forces": [v]}), "matrix": None})
            else:
                member = self.model_copy(update={"areas": [v], "matrix": None})
            out.append((member_name(v), member))
        return out

    def where(self, loc: tuple[Any, ...] = ()) -> tuple[str, bool]:
        """``"FILE line N"`` of the key at ``loc`` (or of its nearest parent in the file), and whether the file sets
        that key itself (False: its default applies)."""
        source = self._source or "params"
        if self._yaml is None:
            return source, False
        line, found = _yaml_find(self._yaml, loc)
        return (f"{source} line {line}" if line else source), found

    def notebook(self, name: str) -> NotebookEntry:
        for entry in self.notebooks:
            if entry.name == name:
                return entry
        listed = ", ".join(e.name for e in self.notebooks)
        raise ParamsError(f"notebook '{name}' is not listed in this params file (listed: {listed})")


# --------------------------------------------------------------------------- loading


def _yaml_line(root: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """1-based line of the YAML node at ``loc`` (or of its nearest parent)."""
    return _yaml_find(root, loc)[0]


def _yaml_find(root: yaml.Node | None, loc: tuple[Any, ...]) -> tuple[int | None, bool]:
    """1-based line of the YAML node at ``loc`` (or of its nearest parent), and whether ``loc`` itself was found."""
    node, line = root, (root.start_mark.line + 1 if root is not None else None)
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == str(part):
                    node, line = value, key.start_mark.line + 1
                    break
            else:
                return line, False
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line, False
    return line, True


def _key(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def validate_run(raw: dict[str, Any]) -> tuple[RunParams | None, list[dict[str, Any]]]:
    """Validate a whole params mapping, each notebook's ``parameters`` against its own model.

    Returns the validated params (``None`` if anything is wrong) and every error
    found, in pydantic's error form with locations from the top of the file.
    """
    errors: list[dict[str, Any]] = []
    try:
        run: RunParams | None = RunParams.model_validate(raw)
    except ValidationError as exc:
        run, errors = None, list(exc.errors())
    entries = raw.get("notebooks") if isinstance(raw, dict) else None
    for i, entry in enumerate(entries if isinstance(entries, list) else []):
        if not isinstance(entry, dict) or entry.get("name") not in NOTEBOOK_PARAMS:
            continue
        model = NOTEBOOK_PARAMS[entry["name"]]
        values = entry.get("parameters") or {}
        if not isinstance(values, dict):
            continue  # reported by RunParams
        try:
            checked = model.model_validate(values).model_dump(mode="json")
        except ValidationError as exc:
            for err in exc.errors():
                errors.append({**err, "loc": ("notebooks", i, "parameters", *err["loc"]), "allowed": sorted(model.model_fields)})
            continue
        if run is not None:
            run.notebooks[i].parameters = checked
    return (run if not errors else None), errors


def format_errors(errors: list[dict[str, Any]], source: str, root: yaml.Node | None = None) -> str:
    """Turn pydantic errors into lines naming file, line, key, what was expected and the fix."""
    lines = []
    for err in errors:
        loc = tuple(p for p in err["loc"] if p not in ("function-after", "function-before"))
        key = _key(loc) or "(top level)"
        where = source
        line = _yaml_line(root, loc) if root is not None else None
        if line:
            where += f" line {line}"
        kind = err["type"]
        msg = err["msg"].removeprefix("Value error, ")
        if kind == "extra_forbidden":
            allowed = err.get("allowed") or _allowed_keys(loc[:-1])
            hint = f"expected one of: {', '.join(allowed)}. Fix: remove or rename it." if allowed else "Fix: remove it."
            lines.append(f"{where}: unknown key '{key}'; {hint}")
        elif kind == "missing":
            lines.append(f"{where}: missing key '{key}'. Fix: add it (see params/demo.yaml for an example).")
        else:
            got = err.get("input")
            got_text = "" if isinstance(got, (dict, list)) or got is None else f" (got {got!r})"
            lines.append(f"{where}: key '{key}': {msg}{got_text}.")
    return "\n".join(lines)


def _allowed_keys(parent: tuple[Any, ...]) -> list[str]:
    model: Any = RunParams
    for part in parent:
        if isinstance(part, int):
            continue
        if model is NotebookEntry and part == "parameters":
            return []
        field = getattr(model, "model_fields", {}).get(part)
        if field is None:
            return []
        ann = field.annotation
        args = getattr(ann, "__args__", ())
        model = next((a for a in (ann, *args) if isinstance(a, type) and issubclass(a, BaseModel)), None)
        if model is None:
            return []
    return sorted(getattr(model, "model_fields", {}))


def load_params(path: str | Path) -> RunParams:
    """Read and validate a params file.

    Raises
    ------
    ParamsError
        If the file is missing, is not YAML, or does not match the schema. The
        message names the file, line and key.
    """
    path = Path(path)
    if not path.is_file():
        hint = " (it is a folder)" if path.is_dir() else ""
        raise ParamsError(
            f"params file '{path}' not found{hint}. Fix: give the path of a YAML params file, e.g. params/demo.yaml."
        )
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        root = yaml.compose(text)
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ParamsError(f"{path}{line}: not valid YAML ({problem}). Fix the syntax there.") from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ParamsError(f"{path}: expected a mapping of keys (run_name, seed, data, notebooks, ...), got {type(raw).__name__}.")
    raw.setdefault("run_name", path.stem)
    params, errors = validate_run(raw)
    if errors:
        raise ParamsError(format_errors(errors, str(path), root))
    if params.data.path is not None:
        resolved = (path.parent / params.data.path).resolve()
        if not resolved.exists():
            line = _yaml_line(root, ("data", "path"))
            raise ParamsError(
                f"{path} line {line}: key 'data.path': '{params.data.path}' does not exist "
                f"(resolved against the params file's folder to {resolved}). Fix: point it at the data file or folder."
            )
        params.data.path = str(resolved)
    for k, entry in enumerate(params.notebooks):
        for key in PATH_PARAMS.get(entry.name, ()):
            value = entry.parameters.get(key)
            if value is None:
                continue
            resolved = (path.parent / str(value)).resolve()
            if not resolved.exists():
                line = _yaml_line(root, ("notebooks", k, "parameters", key))
                raise ParamsError(
                    f"{path} line {line}: key 'notebooks[{entry.name}].{key}': '{value}' does not exist (resolved "
                    f"against the params file's folder to {resolved}). Fix: point it at the file or folder."
                )
            entry.parameters[key] = str(resolved)
        for j, src in enumerate(entry.parameters.get("sources") or [] if entry.name in LIST_PATH_PARAMS else []):
            resolved = (path.parent / str(src["path"])).resolve()
            if not resolved.exists():
                line = _yaml_line(root, ("notebooks", k, "parameters", "sources", j, "path"))
                raise ParamsError(
                    f"{path} line {line}: key 'notebooks[{entry.name}].sources[{j}].path': '{src['path']}' does not "
                    f"exist (resolved against the params file's folder to {resolved}). Fix: point it at the file.")
            src["path"] = str(resolved)
        for key, reader in FILE_CHECKS.get(entry.name, {}).items():
            if entry.parameters.get(key) is not None:
                module, func = reader.split(":")
                getattr(importlib.import_module(module), func)(entry.parameters[key])
        nb = NOTEBOOKS_DIR / f"{entry.name}.ipynb"
        if not nb.is_file():
            raise ParamsError(f"{path}: notebook '{entry.name}' has no file {nb}. Fix: check the name.")
    params._source, params._yaml = str(path), root
    return params


# --------------------------------------------------------------------------- inside a notebook


@dataclass(frozen=True)
class NotebookConfig:
    """What a notebook works from: the validated shared sections and its own parameters."""

    name: str
    run: RunParams
    nb: Strict
    results_dir: str | None

    @property
    def seed(self) -> int:
        return self.run.seed

    @property
    def data(self) -> DataSection:
        return self.run.data

    @property
    def label(self) -> str:
        return self.run.data.label

    @property
    def disclosure(self) -> DisclosureSection:
        return self.run.disclosure


#: What a run starts from when nothing sets it (a notebook opened in JupyterLab); every other default is in the schema.
INTERACTIVE = {"run_name": "interactive", "seed": 20240401}
#: What every notebook's parameters cell declares: one params mapping, and the runner's results folder.
CELL_KEYS = ("params", "results_dir")


def notebook_config(name: str, params: dict[str, Any] | str | Path | None = None, results_dir: str | None = None,
                    scope: dict[str, Any] | None = None, **values: Any) -> NotebookConfig:
    """Validate what a notebook was given against the params schema: its one entry point.

    Every notebook's parameters cell declares ``params = {}`` and ``results_dir = None``, and its first cell calls
    ``notebook_config(NAME, params, results_dir, globals())``. Three ways fill them:

    * ``workbench run FILE.yaml`` injects ``params``: the shared sections and this notebook's own parameters,
      resolved (:func:`workbench.runner.notebook_parameters`);
    * ``papermill NB OUT -f FILE.yaml`` sets the file's top-level keys (``run_name``, ``seed``, ``data``, ...,
      ``notebooks``) as variables, read here from ``scope``; this notebook's entry in ``notebooks`` gives its own;
    * in JupyterLab, edit ``params`` (``{"top_n": 5}``), or set it to the path of a params file.

    Parameters
    ----------
    name
        The notebook's name (file stem), e.g. ``"00-data-overview"``.
    params
        One mapping of shared sections and own parameters (it may hold a params file's ``notebooks`` list), or the
        path of a params file.
    results_dir
        Folder for the notebook's results JSON; ``None`` writes nothing.
    scope
        The notebook's namespace (``globals()``): only the shared section names and ``notebooks`` are read from it.
    **values
        Shared sections and own parameters as keywords; they win over ``params``.

    Returns
    -------
    NotebookConfig
        The validated run and the notebook's own parameters, defaults filled in from the schema.
    """
    model = NOTEBOOK_PARAMS.get(name)
    if model is None:
        raise ParamsError(f"unknown notebook '{name}'; known notebooks: {', '.join(sorted(NOTEBOOK_PARAMS))}")
    if isinstance(params, (str, Path)):
        run = load_params(params)
        listed = any(e.name == name for e in run.notebooks)
        params = {**run.shared(), **(run.notebook(name).parameters if listed else {})}
    if params is not None and not isinstance(params, dict):
        raise ParamsError(f"notebook '{name}' parameters: 'params' must be a mapping or a params file's path, "
                          f"got {type(params).__name__}.")
    given = {k: v for k, v in (scope or {}).items() if k in (*SHARED_KEYS, "notebooks") and v is not None}
    given = {**INTERACTIVE, **given, **(params or {}), **values}
    shared = {k: given.pop(k) for k in SHARED_KEYS if k in given}
    own: dict[str, Any] = {}
    for entry in given.pop("notebooks", None) or []:
        if isinstance(entry, dict) and entry.get("name") == name:
            own.update(entry.get("parameters") or {})
    own.update(given)
    source = f"notebook '{name}' parameters"
    run, errors = validate_run({**shared, "notebooks": [{"name": name, "parameters": own}]})
    if errors:
        raise ParamsError(format_errors(errors, source))
    if run.data.path is not None and not Path(run.data.path).exists():
        raise ParamsError(f"{source}: key 'data.path': '{run.data.path}' does not exist. Fix: point it at the data.")
    nb = model.model_validate(run.notebooks[0].parameters)
    from workbench import fits
    from workbench.tables import use_disclosure

    use_disclosure(run.disclosure)  # every table the notebook shows: small counts suppressed in publication
    cfg = NotebookConfig(name=name, run=run, nb=nb, results_dir=results_dir)
    fits.use(cfg)  # with a results folder, every Bayesian fit is saved beside it (workbench.fits)
    return cfg
