"""finmodel: does a company's AI CapEx become a revenue asset?

Load a declarative YAML company model, project it into fleet, depreciation, P&L, cash flow,
PP&E and per-generation cohort economics, and judge the result. What a user calls is listed in
``__all__``; every error raised on purpose derives from :class:`FinmodelError`.
"""

__version__ = "0.1.0"

from ._build import BuildReport, ModelOutcome, Step, build, start_model, validate
from ._errors import (
    ExportError,
    FinmodelError,
    InputError,
    ModelError,
    Problem,
    RecalcError,
    ScenarioError,
    SimulationError,
)
from ._scenarios import with_scenario
from .engine import InputSpec, Projection, Reason, ScenarioProjections, Verdict, inputs, project, project_all_scenarios
from .loading import load_catalog, load_model
from .schema import CompanyModel
from .sensitivity import Sensitivity, sensitivity
from .simulate import Simulation, simulate
from .verify import WorkbookCheck, check_models

__all__ = [
    "BuildReport",
    "CompanyModel",
    "ExportError",
    "FinmodelError",
    "InputError",
    "InputSpec",
    "ModelError",
    "ModelOutcome",
    "Problem",
    "Projection",
    "Reason",
    "RecalcError",
    "ScenarioError",
    "ScenarioProjections",
    "Simulation",
    "SimulationError",
    "Sensitivity",
    "Step",
    "Verdict",
    "WorkbookCheck",
    "build",
    "check_models",
    "inputs",
    "load_catalog",
    "load_model",
    "project",
    "project_all_scenarios",
    "simulate",
    "sensitivity",
    "start_model",
    "validate",
    "with_scenario",
]
