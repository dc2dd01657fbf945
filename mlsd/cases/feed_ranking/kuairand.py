"""KuaiRand-Pure, read from files the learner brings, mapped onto the feed's impressions table.

KuaiRand (Gao et al., "KuaiRand: An Unbiased Sequential Recommendation Dataset with Randomly
Exposed Videos", CIKM 2022; licence CC BY-SA 4.0) logs the feeds of the Kuaishou app over
2022-04-08 … 2022-05-08, and inserts randomly chosen videos into them. The kit does not ship it
and never downloads it: put the release under ``datasets/real/`` (``datasets/kuairand.md`` says
how). Nothing here touches the network.

What is read (:func:`load_kuairand`): one log file, or a folder holding the release's files —
``log_standard_*_pure`` and ``log_random_*_pure`` (the logs) and, optionally,
``video_features_basic_pure`` (each video's author, upload date and tags), each as ``.csv`` or as
``.parquet`` (the Parquet one is read when both exist); a folder whose ``data/`` holds them, as
the release unpacks, works too. ``user_features_pure`` is not read: no column of the schema comes
from it.

A log has the header :data:`LOG_HEADER`; the columns of :data:`LOG_FIELDS` are required, in any
order, and other columns are ignored. A CSV log is read by :func:`mlsd.readers.read_table`, with
a layout built from its own header, so a bad line — a wrong field count, a value that is not an
integer or out of range, a last line cut short — raises one :class:`~mlsd.readers.DataFileError`
naming the file, the line and the problem. A Parquet file gets the same checks, naming the row.
The features file quotes its lists of tags (``"12,65"``), which the shared reader does not parse,
so it is read by Python's ``csv`` module with the same checks and errors.

Mapping onto :mod:`.schema`, one row per log row, sorted by ``time_ms`` (stable: standard logs,
then random logs, each in file order):

- ``member_id``, ``post_id``: dense codes of ``user_id``, ``video_id`` (order of the sorted ids);
- ``creator_id``: dense code of the video's ``author_id``; ``topic``: its first ``tag`` as the
  release numbers it; ``post_age_hours``: hours since the start of its ``upload_dt`` (a date, read
  in Beijing time, so at most 24 hours older than the truth) — all ``<NA>``/NaN without the
  features file, for a video it does not list, or (age) for an upload date after the impression;
- ``time``: days since midnight (Beijing time, UTC+8) of the first impression's day; ``day`` its
  whole day (the calendar day in Beijing, from 0) and ``hour`` the Beijing hour of ``time_ms`` —
  the hour the release's ``hourmin`` rounds to — one clock for the three columns;
- ``session_id``: KuaiRand logs no sessions; a member's session ends where the next impression
  comes more than ``session_gap_minutes`` later (:func:`session_ids`);
- ``position``: ``<NA>`` (not logged); ``source``: ``"tab N"`` from ``tab``, the app's page;
  ``format``: ``"video"``; ``random_order``: ``is_rand == 1``;
- ``click``, ``like``, ``comment``, ``share``, ``hide``: ``is_click`` (a click in the two-column
  page, a *valid play* — 7 s, or the whole video if shorter — in the single-column one),
  ``is_like``, ``is_comment``, ``is_forward``, ``is_hate``;
- ``dwell_seconds``: ``play_time_ms / 1000`` after a click, else 0, as the schema requires: the
  play time of a play that is not a valid play is dropped (it stays in ``play_time_ms``);
- after the schema's columns: ``long_view`` (a play of 18 s, or of the whole video if shorter),
  ``duration_ms``, ``play_time_ms``, ``is_follow``, ``is_profile_enter``, and, to trace a row back
  to the release, ``original_user_id``, ``original_video_id``, ``time_ms``.
"""

from __future__ import annotations

import csv
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow
import pyarrow.parquet as pq

from mlsd.cases.feed_ranking.schema import COLUMNS, HEADS, check_table, head_labels
from mlsd.readers import CUT_SHORT, DataFileError, Field, Layout, check_file, read_table
from mlsd.validation import check_number

DOWNLOAD_URL = "https://zenodo.org/records/10439422"
"""Where the release's ``KuaiRand-Pure.tar.gz`` is published (also linked from kuairand.com)."""
LOG_HEADER = (
    "user_id,video_id,date,hourmin,time_ms,is_click,is_like,is_follow,is_comment,is_forward,"
    "is_hate,long_view,play_time_ms,duration_ms,profile_stay_time,comment_stay_time,"
    "is_profile_enter,is_rand,tab"
)
"""The first line of every log file of the release."""
STANDARD_LOGS = "log_standard_*_pure"
RANDOM_LOGS = "log_random_*_pure"
VIDEO_FEATURES = "video_features_basic_pure"
SUFFIXES = (".parquet", ".csv")
"""The file types read, the preferred first."""
SESSION_GAP_MINUTES = 30.0
"""The default gap between two impressions of a member that starts a new session."""
BEIJING_OFFSET_MS = 8 * 3_600_000
"""Beijing time is UTC+8 all year (China has no daylight saving time)."""
MS_PER_HOUR = 3_600_000
MS_PER_DAY = 24 * MS_PER_HOUR
FIRST_TIME_MS = 1_577_836_800_000  # 2020-01-01 00:00 UTC; the logs start on 2022-04-08
ENCODING = "utf-8-sig"
NOT_SHIPPED = (
    "KuaiRand-Pure (CC BY-SA 4.0). The kit does not ship it and never downloads it: download "
    f"KuaiRand-Pure.tar.gz from {DOWNLOAD_URL}, unpack it under datasets/real/ and pass "
    "datasets/real/KuaiRand-Pure/data; see datasets/kuairand.md"
)


def _is_time_ms(values: np.ndarray) -> np.ndarray:
    """Unix milliseconds from 2020-01-01 to now."""
    return (values >= FIRST_TIME_MS) & (values <= time.time() * 1000)


FLAGS = ("is_click", "is_like", "is_follow", "is_comment", "is_forward", "is_hate", "long_view",
         "is_profile_enter", "is_rand")
LOG_FIELDS = {
    field.name: field
    for field in (
        Field("user_id", int, low=0),
        Field("video_id", int, low=0),
        Field("time_ms", int, allowed=_is_time_ms,
              description="a Unix time in milliseconds between 2020-01-01 and the present"),
        *(Field(flag, int, low=0, high=1) for flag in FLAGS),
        Field("play_time_ms", int, low=0),
        Field("duration_ms", int, low=0),
        Field("tab", int, low=0),
    )
}
"""The log's columns the table is built from: every log must have them."""
UNUSED_LOG_FIELDS = {
    name: Field(name, int, optional=True)
    for name in ("date", "hourmin", "profile_stay_time", "comment_stay_time")
}
"""The release's other log columns: read from a CSV (it must be parsed whole), checked, dropped."""
LOG_LAYOUT = (
    f"a KuaiRand log: comma-separated, the header {LOG_HEADER!r} (columns in any order; other "
    "columns ignored)"
)
VIDEO_HEADER = (
    "video_id,author_id,video_type,upload_dt,upload_type,visible_status,video_duration,"
    "server_width,server_height,music_id,music_type,tag"
)
VIDEO_COLUMNS = ("video_id", "author_id", "upload_dt", "tag")
"""The columns of the video features file that are read: every such file must have them."""
VIDEO_LAYOUT = (
    f"KuaiRand's video_features_basic_pure: comma-separated, the header {VIDEO_HEADER!r} (other "
    "columns ignored); video_id an integer >= 0, each at most once; author_id an integer >= 0, "
    "upload_dt a date YYYY-MM-DD, tag integers >= 0 separated by commas (the first is read), each "
    "of the three may be empty"
)
EXTRA_COLUMNS = ("long_view", "duration_ms", "play_time_ms", "is_follow", "is_profile_enter",
                 "original_user_id", "original_video_id", "time_ms")
"""The columns after the schema's, in order."""


def load_kuairand(path: str | os.PathLike,
                  session_gap_minutes: float = SESSION_GAP_MINUTES) -> pd.DataFrame:
    """Read KuaiRand-Pure, or one of its log files, and map it onto the impressions table.

    Parameters
    ----------
    path : str or os.PathLike
        A folder holding the release's files (the module docstring lists them), such as
        ``datasets/real/KuaiRand-Pure/data`` or ``datasets/real/KuaiRand-Pure``; or one log file,
        ``.csv`` or ``.parquet`` (then there are no video features).
    session_gap_minutes : float
        A member's session ends where the next impression comes more than this many minutes
        later (> 0).

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`~.schema.COLUMNS`, then :data:`EXTRA_COLUMNS`, mapped as the module
        docstring says; one row per log row, sorted by ``time_ms`` (stable), index and
        ``impression_id`` 0 … n − 1. It passes :func:`~.schema.check_table`.

    Raises
    ------
    mlsd.readers.DataFileError
        A ValueError, if ``path`` does not exist, a folder holds no log, a file is not ``.csv`` or
        ``.parquet``, is empty, lacks a required column (the message names them and the layout),
        or has a bad line or row; the message names the file, the line and the problem.
    """
    gap_minutes = check_number("session_gap_minutes", session_gap_minutes, 0, low_open=True)
    logs, videos = release_files(path)
    log = pd.concat([read_log(log_path) for log_path in logs], ignore_index=True)
    features = None if videos is None else read_video_features(videos)
    table = _impressions(log, features, gap_ms=gap_minutes * 60_000)
    return check_table(table, source=str(path))


def release_files(path: str | os.PathLike) -> tuple[list[Path], Path | None]:
    """The log files to read, standard logs first, and the video features file (None if absent).

    A folder's files are found by name (the module docstring), in it or in its ``data/``; for each
    name, the ``.parquet`` file is taken when there is one, else the ``.csv``. A file is taken as
    the one log, without features.
    """
    path = Path(path)
    if path.is_file():
        if path.suffix.lower() not in SUFFIXES:
            raise DataFileError(path, None, f"not a .csv or .parquet file; expected {LOG_LAYOUT}")
        return [path], None
    if not path.is_dir():
        raise DataFileError(path, None, f"no such file or folder; expected {NOT_SHIPPED}")
    for folder in (path, path / "data"):
        logs = _named(folder, STANDARD_LOGS) + _named(folder, RANDOM_LOGS)
        if logs:
            videos = _named(folder, VIDEO_FEATURES)
            return logs, videos[0] if videos else None
    expected = f"{STANDARD_LOGS}.csv or {RANDOM_LOGS}.csv (or .parquet), in it or in its data/"
    raise DataFileError(path, None, f"the folder holds no KuaiRand-Pure log: expected {expected}. "
                                    f"The release: {NOT_SHIPPED}")


def _named(folder: Path, pattern: str) -> list[Path]:
    """Files of ``folder`` named ``pattern`` plus a suffix of :data:`SUFFIXES`, one per name (the
    first suffix found), sorted by name."""
    if not folder.is_dir():
        return []
    chosen = {}
    for suffix in reversed(SUFFIXES):
        chosen.update({file.stem: file for file in folder.glob(pattern + suffix) if file.is_file()})
    return [chosen[stem] for stem in sorted(chosen)]


def read_log(path: str | os.PathLike) -> pd.DataFrame:
    """The columns of :data:`LOG_FIELDS` of one log file, ``.csv`` or ``.parquet``, checked.

    Returns int64 columns, but int8 for the 0/1 flags; row ``i`` is the file's row ``i``.
    """
    path = check_file(path, LOG_LAYOUT)
    table = _read_log_parquet(path) if path.suffix.lower() == ".parquet" else _read_log_csv(path)
    return pd.DataFrame(
        {name: table[name].to_numpy(dtype=np.int8 if name in FLAGS else np.int64)
         for name in LOG_FIELDS},
        copy=False,
    )


def _read_log_csv(path: Path) -> pd.DataFrame:
    """Every column of a CSV log by the shared reader, with a layout built from its header."""
    with open(path, encoding=ENCODING, errors="replace") as file:
        header = file.readline().strip()
    names = header.split(",")
    _check_columns(path, 1, names, LOG_FIELDS, LOG_LAYOUT)
    known = {**LOG_FIELDS, **UNUSED_LOG_FIELDS}
    fields = [known.get(name) or Field(name or f"column {number}", str, optional=True)
              for number, name in enumerate(names, start=1)]
    return read_table(path, Layout(f"{LOG_LAYOUT}, {len(names)} a line", ",", fields, header))


def _check_columns(path: Path, line: int | None, names: list[str], required, layout: str) -> None:
    """One error if ``names`` (a file's columns) lacks a ``required`` one or repeats any."""
    missing = [name for name in required if name not in names]
    if missing:
        found = _shortened(",".join(names))
        raise DataFileError(path, line, f"missing columns {missing}: found the columns {found!r}; "
                                        f"expected {layout}")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise DataFileError(path, line, f"the columns {repeated} appear more than once; "
                                        f"expected {layout}")


def _read_log_parquet(path: Path) -> pd.DataFrame:
    """The required columns of a Parquet log, each checked as the CSV reader checks its field."""
    table = _parquet_columns(path, LOG_FIELDS, LOG_LAYOUT)
    for field in LOG_FIELDS.values():
        values = _parquet_integers(path, table[field.name], field.name)
        allowed = field.allows(values)
        if not allowed.all():
            row = int(np.argmin(allowed))
            problem = f"{values[row]} is not allowed: {field.what_is_allowed}"
            raise DataFileError(path, None, f"row {row} (from 0): field {field.name} = {problem}")
    return table


def _parquet_columns(path: Path, required, layout: str) -> pd.DataFrame:
    """The ``required`` columns of a Parquet file as a DataFrame, at least one row."""
    try:
        names = pq.read_schema(path).names
        _check_columns(path, None, names, required, layout)
        table = pq.read_table(path, columns=list(required)).to_pandas()
    except (pyarrow.ArrowException, OSError) as error:
        raise DataFileError(path, None, f"cannot read it as Parquet ({error}); expected "
                                        f"{layout}") from None
    if table.empty:
        raise DataFileError(path, None, f"the table has no rows; expected {layout}")
    return table


def _parquet_integers(path: Path, column: pd.Series, name: str) -> np.ndarray:
    """A Parquet column of whole numbers as int64; one error at its first empty or other value."""
    numbers = pd.to_numeric(column, errors="coerce") if column.dtype == object else column
    if not pd.api.types.is_numeric_dtype(numbers) or pd.api.types.is_bool_dtype(numbers):
        raise DataFileError(path, None, f"field {name} holds {column.dtype} values; expected "
                                        "integers")
    values = numbers.to_numpy(dtype=np.float64, na_value=np.nan)
    whole = np.isfinite(values) & (np.floor(values) == values)
    if not whole.all():
        row = int(np.argmin(whole))
        value = column.iloc[row]
        what = "is empty" if pd.isna(value) else f"= {value!r} is not an integer"
        raise DataFileError(path, None, f"row {row} (from 0): field {name} {what}")
    return numbers.to_numpy(dtype=np.int64)


def read_video_features(path: str | os.PathLike) -> pd.DataFrame:
    """Each video's author, upload day and first tag, from ``video_features_basic_pure``.

    Returns
    -------
    pandas.DataFrame
        ``video_id`` (int64), ``author_id`` and ``first_tag`` (``Int64``, ``<NA>`` where empty)
        and ``upload_day`` (float64: days since 1970-01-01 of the upload date, NaN where empty);
        one row per video.

    Raises
    ------
    mlsd.readers.DataFileError
        If the file is missing, empty, lacks a column of :data:`VIDEO_COLUMNS`, a line has the
        wrong number of fields or a bad value, a video appears twice, or the last line is cut
        short.
    """
    path = check_file(path, VIDEO_LAYOUT)
    if path.suffix.lower() == ".parquet":
        texts, where = _parquet_columns(path, VIDEO_COLUMNS, VIDEO_LAYOUT), None
    else:
        texts, where = _video_csv_texts(path)
    return _video_values(path, texts, where)


def _video_csv_texts(path: Path) -> tuple[pd.DataFrame, np.ndarray]:
    """The text of each column of :data:`VIDEO_COLUMNS` of a CSV, and each row's line number."""
    with open(path, "rb") as file:
        file.seek(-1, os.SEEK_END)
        if file.read(1) not in (b"\n", b"\r"):
            raise DataFileError(path, None, CUT_SHORT)
    with open(path, encoding=ENCODING, errors="replace", newline="") as file:
        reader = csv.reader(file)
        names = next(reader)
        _check_columns(path, 1, names, VIDEO_COLUMNS, VIDEO_LAYOUT)
        indices = [names.index(name) for name in VIDEO_COLUMNS]
        rows, lines = [], []
        for row in reader:
            if len(row) != len(names):
                problem = f"expected {len(names)} fields separated by ',', found {len(row)}"
                raise DataFileError(path, reader.line_num, f"{problem}; the line reads "
                                                           f"{_shortened(','.join(row))!r}")
            rows.append([row[index] for index in indices])
            lines.append(reader.line_num)
    if not rows:
        raise DataFileError(path, 2, f"the file ends after its header; expected {VIDEO_LAYOUT}")
    return pd.DataFrame(rows, columns=list(VIDEO_COLUMNS), dtype=object), np.array(lines)


def _video_values(path: Path, texts: pd.DataFrame, lines: np.ndarray | None) -> pd.DataFrame:
    """The typed columns of :func:`read_video_features` from a file's columns (texts for a CSV,
    typed values for Parquet); ``lines`` gives each row's line (None: name rows instead)."""
    def fail(bad: np.ndarray, problem: str):
        row = int(np.argmax(bad))
        where, line = (f"row {row} (from 0): ", None) if lines is None else ("", int(lines[row]))
        raise DataFileError(path, line, f"{where}field {problem(texts.iloc[row])}")

    video = _whole_numbers(texts["video_id"])
    bad = np.isnan(video) | (video < 0)
    if bad.any():
        fail(bad, lambda row: f"video_id = {row['video_id']!r} is not an integer >= 0")
    repeated = pd.Series(video).duplicated().to_numpy()
    if repeated.any():
        fail(repeated, lambda row: f"video_id = {row['video_id']} appears twice: one line a video")
    author = _whole_numbers(texts["author_id"])
    bad = _present(texts["author_id"]) & (np.isnan(author) | (author < 0))
    if bad.any():
        fail(bad, lambda row: f"author_id = {row['author_id']!r} is not an integer >= 0, or empty")
    first_tag = _whole_numbers(_first_tags(texts["tag"]))
    bad = _present(texts["tag"]) & (np.isnan(first_tag) | (first_tag < 0))
    if bad.any():
        fail(bad, lambda row: f"tag = {row['tag']!r} is not integers >= 0 separated by commas, "
                              "or empty")
    upload_day = _days_since_epoch(texts["upload_dt"])
    bad = _present(texts["upload_dt"]) & np.isnan(upload_day)
    if bad.any():
        fail(bad, lambda row: f"upload_dt = {row['upload_dt']!r} is not a date YYYY-MM-DD, or "
                              "empty")
    return pd.DataFrame({
        "video_id": video.astype(np.int64),
        "author_id": _nullable(author),
        "first_tag": _nullable(first_tag),
        "upload_day": upload_day,
    })


def _present(column: pd.Series) -> np.ndarray:
    """Where a column holds a value: neither missing nor the empty text."""
    return (column.notna() & (column.astype(str).str.strip() != "")).to_numpy()


def _whole_numbers(column: pd.Series) -> np.ndarray:
    """A column as float64: its whole numbers, NaN where missing or anything else (``12.0`` is 12,
    as pandas writes an integer column with missing values)."""
    values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    return np.where(np.floor(values) == values, values, np.nan)


def _first_tags(column: pd.Series) -> pd.Series:
    """The first of the comma-separated tags of each value (a number stays as it is)."""
    if pd.api.types.is_numeric_dtype(column):
        return column
    return column.astype(str).str.split(",", n=1).str[0].str.strip().where(column.notna())


def _days_since_epoch(column: pd.Series) -> np.ndarray:
    """Days from 1970-01-01 to each date (text YYYY-MM-DD, or dates), NaN where missing or not a
    date."""
    if pd.api.types.is_datetime64_any_dtype(column):
        dates = column
    else:
        dates = pd.to_datetime(column.astype(str).str.strip().where(column.notna()),
                               format="%Y-%m-%d", errors="coerce")
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_localize(None)
    return ((dates - pd.Timestamp("1970-01-01")) / pd.Timedelta(days=1)).to_numpy(
        dtype=np.float64, na_value=np.nan)


def _nullable(values: np.ndarray) -> pd.arrays.IntegerArray:
    """Whole numbers in float64 as ``Int64``, ``<NA>`` where NaN."""
    missing = np.isnan(values)
    return pd.arrays.IntegerArray(np.where(missing, 0, values).astype(np.int64), missing)


def session_ids(member: np.ndarray, time_ms: np.ndarray, gap_ms: float) -> np.ndarray:
    """Session codes: a member's impressions in time order, split where the next one comes more
    than ``gap_ms`` after the previous one; numbered 0, 1, … in the order of their first
    impression (a tie: the lower member first).

    Parameters
    ----------
    member, time_ms : numpy.ndarray
        Each impression's member code and time, any order.
    gap_ms : float
        The gap that starts a new session, in the unit of ``time_ms``.

    Returns
    -------
    numpy.ndarray
        int32 codes, one per impression, in the order of the arguments.
    """
    order = np.lexsort((time_ms, member))
    members, times = member[order], time_ms[order]
    starts = np.ones(len(order), dtype=bool)
    starts[1:] = (members[1:] != members[:-1]) | (np.diff(times) > gap_ms)
    in_member_order = np.cumsum(starts) - 1
    by_first_impression = np.lexsort((members[starts], times[starts]))
    rank = np.empty(len(by_first_impression), dtype=np.int32)
    rank[by_first_impression] = np.arange(len(by_first_impression), dtype=np.int32)
    codes = np.empty(len(order), dtype=np.int32)
    codes[order] = rank[in_member_order]
    return codes


def _dense_codes(ids: np.ndarray) -> np.ndarray:
    """Codes 0 … n − 1 in the order of the sorted distinct ids, as int32."""
    codes, _ = pd.factorize(ids, sort=True)
    return codes.astype(np.int32, copy=False)


def _impressions(log: pd.DataFrame, videos: pd.DataFrame | None, gap_ms: float) -> pd.DataFrame:
    """Log rows (the columns of :data:`LOG_FIELDS`) mapped onto the schema, sorted by time."""
    order = np.argsort(log["time_ms"].to_numpy(), kind="stable")
    column = {name: log[name].to_numpy()[order] for name in log.columns}
    time_ms, n = column["time_ms"], len(order)
    local_ms = time_ms + BEIJING_OFFSET_MS
    first_day = local_ms[0] // MS_PER_DAY
    member = _dense_codes(column["user_id"])
    tabs, tab_code = np.unique(column["tab"], return_inverse=True)
    click = column["is_click"]
    table = {
        "impression_id": np.arange(n, dtype=np.int64),
        "time": (local_ms - first_day * MS_PER_DAY) / MS_PER_DAY,
        "day": (local_ms // MS_PER_DAY - first_day).astype(np.int32),
        "hour": (local_ms % MS_PER_DAY // MS_PER_HOUR).astype(np.int8),
        "session_id": session_ids(member, time_ms, gap_ms),
        "member_id": member,
        "post_id": _dense_codes(column["video_id"]),
        **_video_columns(column["video_id"], time_ms, videos),
        "position": pd.arrays.IntegerArray(np.zeros(n, np.int64), np.ones(n, bool)),
        "source": np.array([f"tab {tab}" for tab in tabs], dtype=object)[tab_code],
        "format": np.full(n, "video", dtype=object),
        "random_order": column["is_rand"] == 1,
        "click": click,
        "like": column["is_like"],
        "comment": column["is_comment"],
        "share": column["is_forward"],
        "hide": column["is_hate"],
        "dwell_seconds": np.where(click == 1, column["play_time_ms"] / 1000, 0.0),
        "long_view": column["long_view"],
        "duration_ms": column["duration_ms"],
        "play_time_ms": column["play_time_ms"],
        "is_follow": column["is_follow"],
        "is_profile_enter": column["is_profile_enter"],
        "original_user_id": column["user_id"],
        "original_video_id": column["video_id"],
        "time_ms": time_ms,
    }
    return pd.DataFrame({name: table[name] for name in (*COLUMNS, *EXTRA_COLUMNS)}, copy=False)


def _video_columns(video_id: np.ndarray, time_ms: np.ndarray,
                   videos: pd.DataFrame | None) -> dict[str, object]:
    """``creator_id``, ``topic`` and ``post_age_hours`` of each impression, from the features."""
    n = len(video_id)
    if videos is None:
        unknown = pd.arrays.IntegerArray(np.zeros(n, np.int64), np.ones(n, bool))
        age = np.full(n, np.nan)
        return {"creator_id": unknown, "topic": unknown.copy(), "post_age_hours": age}
    row = pd.Index(videos["video_id"]).get_indexer(video_id)
    listed = row >= 0

    def per_impression(values: np.ndarray) -> np.ndarray:
        return np.where(listed, values[row], np.nan)

    author = per_impression(videos["author_id"].to_numpy(dtype=np.float64, na_value=np.nan))
    known = ~np.isnan(author)
    creator = np.zeros(n, dtype=np.int64)
    creator[known] = _dense_codes(author[known])
    upload_ms = per_impression(videos["upload_day"].to_numpy()) * MS_PER_DAY - BEIJING_OFFSET_MS
    age = (time_ms - upload_ms) / MS_PER_HOUR
    return {
        "creator_id": pd.arrays.IntegerArray(creator, ~known),
        "topic": _nullable(per_impression(videos["first_tag"].to_numpy(dtype=np.float64,
                                                                        na_value=np.nan))),
        "post_age_hours": np.where(age >= 0, age, np.nan),
    }


def describe_kuairand(impressions: pd.DataFrame) -> dict[str, int | float]:
    """Summary numbers of a table from :func:`load_kuairand`, for a notebook to print.

    Returns
    -------
    dict
        ``impressions``, ``members``, ``posts``, ``sessions`` (distinct codes), ``random_share``
        (share of rows with ``random_order``), ``days`` (last ``day`` + 1), then the positive
        rate of each head of :data:`~.schema.HEADS` (``click_rate``, ``long_dwell_rate``, …) by
        :func:`~.schema.head_labels`, on all rows.
    """
    check_table(impressions)
    if impressions.empty:
        raise ValueError("impressions: no rows to describe")
    rates = head_labels(impressions).mean()
    return {
        "impressions": len(impressions),
        "members": int(impressions["member_id"].nunique()),
        "posts": int(impressions["post_id"].nunique()),
        "sessions": int(impressions["session_id"].nunique()),
        "random_share": float(impressions["random_order"].mean()),
        "days": int(impressions["day"].max()) + 1,
        **{f"{head}_rate": float(rates[head]) for head in HEADS},
    }


def _shortened(text: str, limit: int = 80) -> str:
    """``text`` cut to ``limit`` characters for a message."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
