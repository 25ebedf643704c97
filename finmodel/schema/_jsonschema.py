"""The JSON Schema of a company model file, as editors need it.

Pydantic's schema describes the validated objects; a model *file* is a little looser: any
single value may be written as ``{value, source, note}`` (as the loader accepts), and a
company's ``gpus`` entries only override catalogue fields, so none of them is required.
"""

from __future__ import annotations

import copy
from typing import Any

from ._model import CompanyModel

_FIGURE_EXTRAS = {
    "source": {"type": "string", "description": "Where the figure comes from."},
    "note": {"type": "string", "description": "Estimate, derivation or caveat."},
}


def model_file_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) for a company model YAML file."""
    schema = CompanyModel.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "finmodel company model (schema_version 1)"
    definitions = schema.get("$defs", {})
    if "GpuGeneration" in definitions:
        override = copy.deepcopy(definitions["GpuGeneration"])
        override.pop("required", None)
        override["title"] = "GpuGenerationOverride"
        definitions["GpuGenerationOverride"] = override
        schema["properties"]["gpus"]["additionalProperties"] = {"$ref": "#/$defs/GpuGenerationOverride"}
    return _allow_figures(schema)


def _allow_figures(node: Any) -> Any:
    if isinstance(node, list):
        return [_allow_figures(item) for item in node]
    if not isinstance(node, dict):
        return node
    if node.get("type") in ("number", "integer", "string", "boolean"):
        plain = {key: value for key, value in node.items() if key not in ("description", "title", "default")}
        figure = {
            "type": "object",
            "properties": {"value": plain, **_FIGURE_EXTRAS},
            "required": ["value"],
            "additionalProperties": False,
        }
        outer = {key: value for key, value in node.items() if key in ("description", "title", "default")}
        return {**outer, "anyOf": [plain, figure]}
    return {key: _allow_figures(value) for key, value in node.items()}
