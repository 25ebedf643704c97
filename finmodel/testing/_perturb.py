"""Models around a user's model: the same plan with chosen figures moved within their declared ranges."""

from __future__ import annotations

import copy
import typing
from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st
from pydantic import BaseModel

from ..schema import USES, AgeBand, CompanyModel, closest
from ._bounds import PathKey, _strip, annotation_at, is_mix, leaves, plain_data


def locate(data: dict[str, Any], dotted: str) -> tuple[Any, str | int, PathKey]:
    """The container and key of a dotted path in model data; ``ValueError`` naming what does not exist."""
    container: Any = None
    key: str | int = ""
    path: PathKey = ()
    current: Any = data
    for part in dotted.split("."):
        if isinstance(current, list) and part.isdigit() and int(part) < len(current):
            container, key = current, int(part)
        elif isinstance(current, dict) and part in current:
            container, key = current, part
        else:
            options = [str(name) for name in current] if isinstance(current, dict) else []
            close = closest(part, options)
            hint = f"; did you mean {close!r}?" if close else ""
            raise ValueError(f"{dotted}: {'.'.join(map(str, (*path, part)))} is not in the model{hint}")
        path = (*path, key)
        current = container[key]
    return container, key, path


def around(model: CompanyModel, vary: Sequence[str], *, spread: float = 0.3) -> st.SearchStrategy[CompanyModel]:
    """Models equal to ``model`` except every bounded number under the dotted paths ``vary``
    (``"leasing.prices"``, ``"leasing.utilisation"``, ``"asset_classes.servers"``), each scaled by a
    factor within ``1 ± spread`` and clipped to its declared range. Zeros stay zero (a generation
    not bought stays unbought); mixes and age bands are renormalised to sum to one."""
    base = plain_data(model)
    for dotted in vary:
        locate(base, dotted)
    factors = st.floats(1 - spread, 1 + spread)

    @st.composite
    def perturbed(draw: st.DrawFn) -> CompanyModel:
        data = copy.deepcopy(base)
        for dotted in vary:
            container, key, path = locate(data, dotted)
            annotation = annotation_at(path)
            for leaf in list(leaves(container, key, annotation, path[:-1])):
                leaf.container[leaf.key] = leaf.bounds.clip(leaf.container[leaf.key] * draw(factors))
            _renormalise(container[key], annotation)
        return CompanyModel.model_validate(data)

    return perturbed()


def _renormalise(data: Any, annotation: Any) -> None:
    """Make every mix and every age band under ``data`` sum to one again."""
    bare, _ = _strip(annotation)
    if is_mix(annotation) and isinstance(data, dict) and sum(data.values()) > 0:
        total = sum(data.values())
        data.update({name: share / total for name, share in data.items()})
    elif is_mix(annotation) and isinstance(data, list) and sum(data) > 0:
        whole = sum(data)
        data[:] = [share / whole for share in data]
    elif isinstance(bare, type) and issubclass(bare, BaseModel) and isinstance(data, dict):
        if bare is AgeBand and sum(data[use] for use in USES) > 0:
            total = sum(data[use] for use in USES)
            data.update({use: data[use] / total for use in USES})
        for name, info in bare.model_fields.items():
            if data.get(name) is not None:
                inner = typing.Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation
                _renormalise(data[name], inner)
    elif typing.get_origin(bare) is dict and isinstance(data, dict):
        for item in data.values():
            _renormalise(item, typing.get_args(bare)[1])
    elif typing.get_origin(bare) in (tuple, list) and isinstance(data, list):
        for item in data:
            _renormalise(item, typing.get_args(bare)[0])
