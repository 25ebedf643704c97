"""The H100 cluster build-up of shared/reference/public-figures.md §8.1 (Aug 2024 prices)."""

from __future__ import annotations

import pytest

from finmodel.engine import ClusterBuild

NODE, SWITCH, FACILITY = 310_000, 36_000, 50_000


@pytest.mark.parametrize(
    ("nodes", "cables", "switches", "total", "per_gpu_rounded"),
    [
        (2, 12_960, 0, 732_960, 45_810),
        (64, 675_840, 8, 24_003_840, 46_883),
        (2_048, 41_943_040, 768, 806_871_040, 49_248),
    ],
)
def test_reference_table(nodes, cables, switches, total, per_gpu_rounded):
    build = ClusterBuild(nodes, 8, NODE, SWITCH, 64, cables, FACILITY)
    assert build.gpus == nodes * 8
    assert build.switches == switches
    assert build.total_cost == total
    # The table rounds half up (46,882.5 -> 46,883).
    assert int(build.cost_per_gpu + 0.5) == per_gpu_rounded
