"""Rows that no varied input reaches are computed once and broadcast; the rest per draw."""

from __future__ import annotations

import numpy as np
import pytest

from finmodel import project


def test_rows_no_varied_input_reaches_have_one_draw(make_model):
    model = make_model()
    varied = project(model, inputs={"leasing_utilisation": [0.2, 0.5, 0.9]})
    assert varied.values["capex_total"].shape[0] == 1
    assert varied.values["installed_units[X1]"].shape[0] == 1
    assert varied.values["leasing_revenue"].shape[0] == 3
    assert varied.values["verdict_code"].shape[0] == 3
    # Leasing revenue is linear in utilisation: 0.2 and 0.9 bracket 0.5 by the same rule.
    revenue = varied.series("leasing_revenue")
    assert revenue[1] == pytest.approx(revenue[0] + (revenue[2] - revenue[0]) * 3 / 7, rel=1e-12)


def test_broadcast_rows_equal_single_draw_projections(make_model):
    model = make_model()
    utilisation = [0.3, 0.7]
    together = project(model, inputs={"leasing_utilisation": utilisation})
    for index, value in enumerate(utilisation):
        alone = project(model, inputs={"leasing_utilisation": value})
        for name in together.graph.rows:
            np.testing.assert_array_equal(together.series(name)[index], alone.series(name)[0], err_msg=name)


def test_nothing_varied_is_one_draw_throughout(make_model):
    projection = project(make_model(), draws=4)
    assert projection.draws == 4
    assert {array.shape[0] for array in projection.values.values()} == {1}
    assert projection.metrics_by_draw.shape[0] == 4
