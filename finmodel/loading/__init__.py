"""YAML → frozen :class:`~finmodel.schema.CompanyModel`, with every problem located."""

from ._load import BUILTIN_CATALOG, builtin_catalog, load_catalog, load_model
from ._yaml import MAX_FILE_BYTES

__all__ = ["BUILTIN_CATALOG", "MAX_FILE_BYTES", "builtin_catalog", "load_catalog", "load_model"]
