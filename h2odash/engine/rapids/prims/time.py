"""Dates and times: the parts of a time (``year``, ``month``, ``week``, ``day``, ``dayOfWeek``,
``hour``, ``minute``, ``second``, ``millis``), ``as.Date``, ``mktime`` and ``moment``.

Times are milliseconds since the epoch; their parts are read in the engine's time zone
(``setTimeZone``, UTC by default), as H2O-3 reads them in its cluster's. ``moment`` works in UTC,
as H2O-3's does.
"""
from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from h2odash.engine.frames import Frame

from ..interpreter import Interpreter, RapidsError, prim
from .. import values as v
from .levels import enum_array

DAYS_OF_WEEK = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]   # H2O-3's (Joda's) order


def _zone(ix: Interpreter) -> str:
    return getattr(ix.engine, "time_zone", None) or "UTC"


# pyarrow's time-zone rules stop at 2037 (no daylight saving after it), where Java's go on.
# Between 1901 and 2099 the calendar repeats every 28 years (10227 days, whole weeks), so a
# later time is moved back by whole cycles, read, and its year moved forward again.
_CYCLE_MS = 10227 * 86_400_000
_RULES_END_MS = 2145916800000          # 2038-01-01


def _cycles_back(millis: np.ndarray) -> np.ndarray:
    """How many 28-year cycles bring each time before 2038 (0 for earlier times)."""
    with np.errstate(invalid="ignore"):
        late = millis >= _RULES_END_MS
        return np.where(late, np.floor((np.where(late, millis, 0) - _RULES_END_MS) / _CYCLE_MS) + 1, 0) \
            .astype(np.int64)


def _as_timestamps(millis: np.ndarray, zone: str) -> tuple[pa.TimestampArray, np.ndarray]:
    """Milliseconds (float, NaN missing; fractions cut toward zero as H2O-3 reads them) as
    timestamps in ``zone``, moved back by the returned number of 28-year cycles."""
    missing = np.isnan(millis)
    whole = np.trunc(np.where(missing, 0, millis)).astype(np.int64)
    cycles = _cycles_back(whole)
    return pa.array(whole - cycles * _CYCLE_MS, type=pa.timestamp("ms", tz=zone), mask=missing), cycles


def _local_to_epoch(naive_millis: np.ndarray, missing: np.ndarray, zone: str) -> np.ndarray:
    """Local wall-clock milliseconds in ``zone`` as milliseconds since the epoch (NaN missing)."""
    cycles = _cycles_back(np.where(missing, 0, naive_millis))
    shifted = np.where(missing, 0, naive_millis).astype(np.int64) - cycles * _CYCLE_MS
    local = pa.array(shifted, type=pa.timestamp("ms"), mask=missing)
    zoned = pc.assume_timezone(local, timezone=zone, ambiguous="earliest", nonexistent="latest")
    epoch = zoned.cast(pa.int64()).cast(pa.float64()).fill_null(math.nan).to_numpy(zero_copy_only=False)
    return epoch + cycles * _CYCLE_MS


def _time_part(name: str, extract, levels: list[str] | None = None):
    """Register the operation ``name``: ``extract`` (timestamps to integers) applied to a number
    or to a one-column frame of times (or numbers read as milliseconds)."""
    def part(ix: Interpreter, value):
        zone = _zone(ix)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if math.isnan(value):
                return float("nan")
            times, cycles = _as_timestamps(np.array([float(value)]), zone)
            return float(extract(times)[0].as_py()) + (28 * float(cycles[0]) if name == "year" else 0.0)
        fr = v.frame(value, name)
        if fr.ncols != 1:
            raise RapidsError(f"'{name}' works on a single column; got {fr.ncols} columns.")
        if fr.types[0] not in ("time", "int", "real"):
            raise RapidsError(f"'{name}' needs a time column; column '{fr.names[0]}' is {fr.types[0]}.")
        times, cycles = _as_timestamps(v.column_floats(fr, 0), zone)
        numbers = extract(times).cast(pa.float64()).fill_null(math.nan).to_numpy(zero_copy_only=False)
        if name == "year":
            numbers = numbers + 28 * cycles
        if levels is not None:
            missing = np.isnan(numbers)
            return v.make_frame(fr.names, [enum_array(np.where(missing, 0, numbers).astype(np.int64), levels,
                                                      missing)], ["enum"])
        return v.numbers_frame(fr.names, [numbers])

    part.__name__ = f"time_{name}"
    prim(name)(part)
    return part


year = _time_part("year", pc.year)
month = _time_part("month", pc.month)                        # 1 to 12
week = _time_part("week", pc.iso_week)                       # ISO week of the year, as Joda
day = _time_part("day", pc.day)                              # day of the month
day_of_week = _time_part("dayOfWeek", pc.day_of_week, DAYS_OF_WEEK)   # Monday is 0
hour = _time_part("hour", pc.hour)
minute = _time_part("minute", pc.minute)
second = _time_part("second", pc.second)
millis = _time_part("millis", pc.millisecond)


# -- as.Date --------------------------------------------------------------------------------
# strptime directives H2O-3 accepts, written as pyarrow's strptime reads them ("" where H2O-3
# accepts a directive and ignores it when parsing).
_DIRECTIVES = {
    "a": "%a", "A": "%A", "b": "%b", "h": "%b", "B": "%B", "c": "%a %b %d %H:%M:%S %Y", "d": "%d",
    "D": "%m/%d/%y", "e": "%d", "F": "%Y-%m-%d", "g": "", "G": "", "H": "%H", "I": "%I", "j": "%j",
    "k": "%H", "l": "%I", "m": "%m", "M": "%M", "n": "", "p": "%p", "r": "%I:%M:%S %p", "R": "%H:%M",
    "S": "%S", "t": "", "T": "%H:%M:%S", "V": "", "x": "%y/%m/%d", "y": "%y", "Y": "%Y", "z": "%z", "Z": "",
}


def strptime_format(pattern: str) -> str:
    """H2O-3's strptime-style pattern as pyarrow's ``strptime`` reads it."""
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if c != "%":
            out.append(c)
            i += 1
            continue
        if i + 1 < len(pattern) and pattern[i + 1] == "%":
            out.append("%%")
            i += 2
            continue
        i += 1
        if i < len(pattern) and pattern[i] in "0E" and i + 1 < len(pattern):
            i += 1                    # %0d, %Ey: the modifier is ignored for parsing
        if i >= len(pattern) or pattern[i] not in _DIRECTIVES:
            token = pattern[i] if i < len(pattern) else ""
            raise RapidsError(f"'%{token}' is not accepted in a date format.")
        out.append(_DIRECTIVES[pattern[i]])
        i += 1
    return "".join(out)


@prim("as.Date")
def as_date(ix: Interpreter, fr, pattern):
    """Text (strings or factor levels) parsed with a strptime-style format, in the engine's time
    zone, as milliseconds since the epoch (a numeric column, as H2O-3 gives it)."""
    fr = v.frame(fr, "as.Date")
    if fr.ncols != 1 or fr.types[0] not in ("enum", "string"):
        raise RapidsError("as.Date requires a single column of factors or strings.")
    pattern = v.string(pattern, "as.Date", "the format")
    if not pattern:
        raise RapidsError("as.Date requires a non-empty format string.")
    texts = v.labels_of(fr, 0)
    try:
        parsed = pc.strptime(texts, format=strptime_format(pattern), unit="ms", error_is_null=True)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as failure:
        raise RapidsError(f"as.Date cannot use the format '{pattern}': {failure}") from None
    unreadable = pc.and_(pc.is_valid(texts), pc.is_null(parsed))
    if pc.any(unreadable).as_py():
        first = pc.filter(texts, unreadable)[0].as_py()
        raise RapidsError(f"Invalid format: '{first}' does not match the date format '{pattern}'.")
    naive = parsed.cast(pa.int64()).cast(pa.float64()).fill_null(math.nan).to_numpy(zero_copy_only=False)
    if isinstance(naive, pa.ChunkedArray):
        naive = naive.to_numpy()
    return v.numbers_frame(fr.names, [_local_to_epoch(naive, np.isnan(naive), _zone(ix))])


# -- mktime, moment ---------------------------------------------------------------------------------
_PARTS = ("year", "month", "day", "hour", "minute", "second", "millisecond")


def _parts(op: str, args: tuple, frames_as_scalars: bool) -> tuple[list[np.ndarray], int | None]:
    """The seven parts as float arrays (numbers broadcast), and the row count if any is a frame."""
    columns: list = []
    rows = None
    for name, arg in zip(_PARTS, args):
        if isinstance(arg, Frame):
            if arg.ncols != 1:
                raise RapidsError(f"'{op}': the {name} must be a number or a single column; got {arg.ncols} columns.")
            if arg.types[0] not in ("int", "real"):
                raise RapidsError(f"'{op}': the {name} column is not numeric.")
            if frames_as_scalars and arg.nrows == 1:
                columns.append(float(v.column_floats(arg, 0)[0]))
                continue
            if arg.nrows == 0:
                raise RapidsError(f"'{op}': the {name} column has no rows.")
            if rows is not None and arg.nrows != rows:
                raise RapidsError(f"'{op}': columns of {rows} and {arg.nrows} rows cannot be combined.")
            rows = arg.nrows
            columns.append(v.column_floats(arg, 0))
        else:
            columns.append(v.number(arg, op, f"the {name}"))
    length = rows if rows is not None else 1
    return [np.broadcast_to(np.asarray(c, dtype=np.float64), (length,)) for c in columns], rows


def _civil_millis(parts: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Milliseconds of local calendar times (months 1-12, days 1-31) counted as if in UTC, and
    which rows are valid dates and times (missing parts and impossible fields are not)."""
    year, month, day, hour, minute, second, milli = (np.trunc(p) for p in parts)
    valid = ~np.any([np.isnan(p) for p in parts], axis=0)
    valid &= (month >= 1) & (month <= 12) & (day >= 1) & (day <= 31) & (hour >= 0) & (hour <= 23) \
        & (minute >= 0) & (minute <= 59) & (second >= 0) & (second <= 59) & (milli >= 0) & (milli <= 999) \
        & (np.abs(year) < 200_000)
    y, m, d = (np.where(valid, a, 1).astype(np.int64) for a in (year, month, day))
    y = np.where(valid, y, 1970)
    months = ((y - 1970) * 12 + (m - 1)).astype("datetime64[M]")
    dates = months.astype("datetime64[D]") + (d - 1)
    valid &= dates.astype("datetime64[M]") == months          # no 30 February
    days = dates.astype(np.int64).astype(np.float64)
    clock = ((np.where(valid, hour, 0) * 60 + np.where(valid, minute, 0)) * 60 + np.where(valid, second, 0)) * 1000 \
        + np.where(valid, milli, 0)
    return np.where(valid, days * 86_400_000 + clock, np.nan), valid


@prim("mktime")
def mktime(ix: Interpreter, year, month, day, hour, minute, second, millisecond):
    """Milliseconds since the epoch of a local time in the engine's time zone. Months and days
    count from 0, as H2O-3's ``mktime`` does. Numbers give a number; any column gives a column
    ``msec`` (numbers broadcast)."""
    parts, rows = _parts("mktime", (year, month, day, hour, minute, second, millisecond), frames_as_scalars=False)
    parts[1] = parts[1] + 1
    parts[2] = parts[2] + 1
    naive, valid = _civil_millis(parts)
    given = ~np.any([np.isnan(p) for p in parts], axis=0)
    if np.any(given & ~valid):
        bad = int(np.flatnonzero(given & ~valid)[0])
        fields = ", ".join(f"{n}={p[bad]:g}" for n, p in zip(_PARTS, parts))
        raise RapidsError(f"'mktime' got an impossible date or time ({fields}; month and day counted from 1 here).")
    epoch = _local_to_epoch(np.where(valid, naive, 0), ~valid, _zone(ix))
    if rows is None:
        return float(epoch[0])
    return v.numbers_frame(["msec"], [epoch])


@prim("moment")
def moment(ix: Interpreter, year, month, day, hour, minute, second, millisecond):
    """A time column ``time`` from its parts in UTC (months and days from 1); impossible dates
    and missing parts give missing times. One-row columns count as numbers."""
    parts, rows = _parts("moment", (year, month, day, hour, minute, second, millisecond), frames_as_scalars=True)
    epoch, _ = _civil_millis(parts)
    missing = np.isnan(epoch)
    times = pa.array(np.where(missing, 0, epoch).astype(np.int64), type=pa.timestamp("ms"), mask=missing)
    return v.make_frame(["time"], [times], ["time"])
