"""as.factor of a number column: levels in numeric order, as H2O-3 gives them (-3, 1, 2, 10)."""
import numpy as np
import pyarrow as pa

from h2odash.engine.frames import Frame


def test_number_levels_are_in_numeric_order(engine):
    values = [10, 2, 1, -3, 2, None]
    engine.store.put("f", Frame("f", pa.table({"v": pa.array(values), "r": [1.5, 10.25, 2.5, 1.5, None, 2.5]})))
    factor = engine.rapids("(as.factor (cols f 0))")
    distinct = sorted({v for v in values if v is not None})
    assert factor.domain(0) == [str(v) for v in distinct]
    assert factor.table.column(0).to_pylist() == [None if v is None else str(v) for v in values]
    reals = engine.rapids("(as.factor (cols f 1))")
    assert reals.domain(0) == ["1.5", "2.5", "10.25"]


def test_many_rows_keep_their_values(engine):
    rng = np.random.default_rng(3)
    values = rng.poisson(4, 100_000)
    engine.store.put("p", Frame("p", pa.table({"v": values})))
    factor = engine.rapids("(as.factor (cols p 0))")
    assert [int(x) for x in factor.domain(0)] == sorted(set(values.tolist()))
    assert np.array_equal(np.array(factor.table.column(0).to_pylist(), dtype=int), values)
