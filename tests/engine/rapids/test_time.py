"""Time prims: parts of times in the engine's time zone, as.Date, mktime and moment, checked
against pandas."""
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from h2odash.engine.errors import InvalidArgument
from h2odash.engine.frames import Frame

RNG = np.random.default_rng(11)
MILLIS = np.concatenate([RNG.integers(-2_000_000_000_000, 4_000_000_000_000, 300), [0]]).astype(np.int64)
MISSING = RNG.random(len(MILLIS)) < 0.05


@pytest.fixture
def eng(engine):
    times = pa.array(MILLIS, type=pa.timestamp("ms"), mask=MISSING)
    texts = pd.to_datetime(MILLIS, unit="ms").strftime("%Y-%m-%d")
    engine.store.put("fr", Frame("fr", pa.table({"t": times, "d": pa.array(list(texts), pa.string(), mask=MISSING)})))
    return engine


def numbers(result, i=0):
    return result.table.column(i).to_pandas().astype(float).to_numpy()


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Asia/Kolkata"])
@pytest.mark.parametrize("op, part", [
    ("year", lambda s: s.dt.year), ("month", lambda s: s.dt.month), ("day", lambda s: s.dt.day),
    ("hour", lambda s: s.dt.hour), ("minute", lambda s: s.dt.minute), ("second", lambda s: s.dt.second),
    ("millis", lambda s: s.dt.microsecond // 1000), ("week", lambda s: s.dt.isocalendar().week),
])
def test_parts_of_times_in_the_time_zone(eng, zone, op, part):
    eng.rapids(f"(setTimeZone '{zone}')")
    result = eng.rapids(f"({op} (cols fr 't'))")
    local = pd.Series(pd.to_datetime(MILLIS, unit="ms", utc=True)).dt.tz_convert(zone)
    expected = part(local).astype(float).where(~MISSING).to_numpy()
    assert result.names == ["t"] and result.types == ["int"]
    assert np.array_equal(numbers(result), expected, equal_nan=True)


def test_day_of_week_is_a_factor_from_monday(eng):
    result = eng.rapids("(dayOfWeek (cols fr 't'))")
    assert result.domain(0) == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    expected = pd.Series(pd.to_datetime(MILLIS, unit="ms")).dt.day_name().str[:3]
    assert result.table.column(0).cast(pa.string()).to_pylist() == [None if m else d for d, m in zip(expected, MISSING)]


def test_parts_of_a_number(eng):
    assert eng.rapids("(year 1700000000123)") == 2023.0
    assert eng.rapids("(millis 1700000000123)") == 123.0


def test_as_date_parses_in_the_time_zone(eng):
    eng.rapids("(setTimeZone 'Europe/Paris')")
    result = eng.rapids("(as.Date (cols fr 'd') '%Y-%m-%d')")
    midnight = pd.Series(pd.to_datetime(MILLIS, unit="ms").normalize()).dt.tz_localize("Europe/Paris")
    since_epoch = (midnight - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(milliseconds=1)
    expected = since_epoch.astype(float).where(~MISSING).to_numpy()
    assert np.array_equal(numbers(result), expected, equal_nan=True)
    with pytest.raises(InvalidArgument, match="does not match"):
        eng.rapids("(as.Date (cols fr 'd') '%d/%m/%Y')")
    with pytest.raises(InvalidArgument, match="not accepted"):
        eng.rapids("(as.Date (cols fr 'd') '%Q')")


def test_mktime_counts_months_and_days_from_zero(engine):
    assert engine.rapids("(mktime 2020 0 4 10 30 15 250)") == pd.Timestamp("2020-01-05 10:30:15.250").value // 10 ** 6
    years = pa.array([2020, 1999, None, 2000], pa.int32())
    months = pa.array([1, 11, 0, 1], pa.int32())
    engine.store.put("p", Frame("p", pa.table({"y": years, "m": months})))
    result = engine.rapids("(mktime (cols p 'y') (cols p 'm') 27 0 0 0 0)")
    expected = [pd.Timestamp(2020, 2, 28).value // 10 ** 6, pd.Timestamp(1999, 12, 28).value // 10 ** 6, np.nan,
                pd.Timestamp(2000, 2, 28).value // 10 ** 6]
    assert result.names == ["msec"] and np.array_equal(numbers(result), expected, equal_nan=True)
    engine.rapids("(setTimeZone 'Asia/Tokyo')")
    assert engine.rapids("(mktime 2020 0 4 9 0 0 0)") == pd.Timestamp("2020-01-05").value // 10 ** 6
    with pytest.raises(InvalidArgument, match="impossible"):
        engine.rapids("(mktime 2021 1 28 0 0 0 0)")   # 29 February 2021


def test_moment_is_utc_with_missing_for_impossible_dates(engine):
    engine.rapids("(setTimeZone 'Asia/Tokyo')")
    one = engine.rapids("(moment 2020 2 29 12 0 0 0)")
    assert one.types == ["time"] and one.names == ["time"]
    assert one.table.column(0).cast(pa.int64()).to_pylist() == [pd.Timestamp("2020-02-29 12:00").value // 10 ** 6]
    engine.store.put("y", Frame("y", pa.table({"y": pa.array([2020, 2021, None], pa.int32())})))
    many = engine.rapids("(moment (cols y 'y') 2 29 0 0 0 0)")
    assert many.table.column(0).cast(pa.int64()).to_pylist() == [pd.Timestamp("2020-02-29").value // 10 ** 6,
                                                                 None, None]
