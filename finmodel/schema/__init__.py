"""The model language: frozen pydantic objects that a YAML model file becomes."""

from ._blocks import (
    MONEY_UNITS,
    USES,
    AgeBand,
    AllocationRule,
    AssetClass,
    Capex,
    CapexPeriod,
    Company,
    Financing,
    LifeChange,
    Provenance,
    RunningCosts,
    Scenario,
    Timeline,
    VerdictRules,
)
from ._clearing import SERVING_ORDER, ComputeContract, DemandPath, InternalDemand, TokenDemand
from ._demand import Backlog, Demand, dated, quarters_declared, reported_columns
from ._gpus import GenerationPricing, GpuCatalog, GpuGeneration, PriceCurve
from ._history import Opening, OpeningBalance, OpeningVintage, ReportedSeries, ResalePoint
from ._jsonschema import model_file_schema
from ._leasing import CONTRACT_TIER, SPOT_TIER, InternalUse, Leasing, PriceTier
from ._methods import DepreciationMethod
from ._model import CompanyModel, name_problems
from ._sensitivity import TEST_KEYS, BreakEven, Grid, GridAxis, Lever, Scale, SensitivityBlock, TestKey
from ._suggest import closest
from ._types import parse_point_in_time

__all__ = [
    "Backlog",
    "Demand",
    "dated",
    "quarters_declared",
    "reported_columns",
    "SERVING_ORDER",
    "ComputeContract",
    "DemandPath",
    "InternalDemand",
    "TokenDemand",
    "Opening",
    "OpeningBalance",
    "OpeningVintage",
    "ReportedSeries",
    "ResalePoint",
    "DepreciationMethod",
    "CONTRACT_TIER",
    "MONEY_UNITS",
    "SPOT_TIER",
    "USES",
    "AgeBand",
    "AllocationRule",
    "AssetClass",
    "Capex",
    "CapexPeriod",
    "Company",
    "CompanyModel",
    "Financing",
    "GenerationPricing",
    "GpuCatalog",
    "GpuGeneration",
    "InternalUse",
    "Leasing",
    "LifeChange",
    "PriceCurve",
    "PriceTier",
    "Provenance",
    "RunningCosts",
    "Scenario",
    "SensitivityBlock",
    "Lever",
    "Grid",
    "GridAxis",
    "BreakEven",
    "TEST_KEYS",
    "Scale",
    "TestKey",
    "Timeline",
    "VerdictRules",
    "closest",
    "model_file_schema",
    "name_problems",
    "parse_point_in_time",
]
