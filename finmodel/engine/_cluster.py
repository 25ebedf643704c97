"""All-in capital cost per GPU of a cluster: nodes, switches, cabling and facility.

Used to derive a catalogue's ``cost_per_accelerator_usd`` from component prices. The switch
count follows a rail-optimised fabric: each GPU has one port; with up to ``switch_ports``
nodes one tier of rail switches suffices (one switch per GPU rail), beyond that a two-tier
leaf/spine fabric with half of each leaf's ports facing down.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


def rail_optimized_switch_count(nodes: int, gpus_per_node: int, switch_ports: int) -> int:
    """Switches needed to connect every GPU of ``nodes`` nodes (two nodes connect directly)."""
    if nodes <= 2:
        return 0
    gpus = nodes * gpus_per_node
    if nodes <= switch_ports:
        return gpus_per_node * math.ceil(nodes / switch_ports)
    leaves = math.ceil(gpus / (switch_ports // 2))
    spines = math.ceil(gpus / switch_ports)
    return leaves + spines


@dataclass(frozen=True)
class ClusterBuild:
    """A cluster's capital cost from its component prices (all in whole currency units)."""

    nodes: int
    gpus_per_node: int
    node_price: float
    switch_price: float
    switch_ports: int
    cabling_cost: float
    facility_per_node: float

    @property
    def gpus(self) -> int:
        return self.nodes * self.gpus_per_node

    @property
    def switches(self) -> int:
        return rail_optimized_switch_count(self.nodes, self.gpus_per_node, self.switch_ports)

    @property
    def total_cost(self) -> float:
        return (
            self.nodes * self.node_price
            + self.switches * self.switch_price
            + self.cabling_cost
            + self.nodes * self.facility_per_node
        )

    @property
    def cost_per_gpu(self) -> float:
        return self.total_cost / self.gpus
