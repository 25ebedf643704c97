"""Typed row identities: a line item's name plus what it is about.

A key renders as the row's stable text id (``capex[servers]``, ``units_in_service[H100,2024]``,
``training_units[H100]``), which is what the JSON, CSV and workbook show; blocks build keys,
never id strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ._ir import Ref


@dataclass(frozen=True, slots=True)
class Key:
    """A row: ``name`` qualified by a generation or an asset class, a vintage (the period a
    purchase was made), a use of capacity (a prefix: ``leasing_units``), an allocation band, a
    price tier, the date a contract was signed (``signed_contract_price_usd_per_hour[H100,2023-07]``)
    or a take-or-pay contract of the demand block (``contract_hours[coreweave_2025]``)."""

    name: str
    generation: str | None = None
    asset_class: str | None = None
    vintage: str | None = None
    use: str | None = None
    band: str | None = None
    tier: str | None = None
    signed: str | None = None
    contract: str | None = None
    id: str = field(init=False, repr=False, compare=False)
    """The row's text id, rendered once: graphs of long timelines read it hundreds of thousands of times."""

    def __post_init__(self) -> None:
        base = f"{self.use}_{self.name}" if self.use else self.name
        named = (self.generation, self.asset_class, self.vintage, self.band, self.tier, self.signed, self.contract)
        qualifiers = [q for q in named if q is not None]
        object.__setattr__(self, "id", f"{base}[{','.join(qualifiers)}]" if qualifiers else base)

    def __str__(self) -> str:
        return self.id

    def ref(self, *, lag: int = 0, at: int | None = None, fill: float = 0.0) -> Ref:
        """This row's value in the same column, ``lag`` columns earlier, or in column ``at``."""
        return Ref(self.id, lag=lag, at=at, fill=fill)


RowId = Key | str


def row_id(key: RowId) -> str:
    return key.id if isinstance(key, Key) else key
