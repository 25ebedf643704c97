"""finmodel: does a company's AI CapEx become a revenue asset?

Load a declarative YAML company model, project it into fleet, depreciation, P&L, cash flow,
PP&E and per-generation cohort economics, and judge the result.
"""

from ._errors import ExportError, FinmodelError, ModelError, Problem, ScenarioError
from ._loader import load_catalog, load_model
from ._scenarios import with_scenario
from .engine import Projection, Reason, Verdict, project
from .schema import CompanyModel

__all__ = [
    "CompanyModel",
    "ExportError",
    "FinmodelError",
    "ModelError",
    "Problem",
    "Projection",
    "Reason",
    "ScenarioError",
    "Verdict",
    "load_catalog",
    "load_model",
    "project",
    "with_scenario",
]
