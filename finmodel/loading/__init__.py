"""YAML → frozen :class:`~finmodel.schema.CompanyModel`, with every problem located."""

from ._load import load_catalog, load_model
from ._yaml import MAX_FILE_BYTES

__all__ = ["MAX_FILE_BYTES", "load_catalog", "load_model"]
