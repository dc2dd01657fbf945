"""MovieLens ratings, read from a file the learner downloaded, mapped onto the interactions table.

MovieLens (GroupLens Research, University of Minnesota; Harper & Konstan, "The MovieLens Datasets:
History and Context", ACM TiiS 5(4), 2015) is not shipped with the kit: download a release from
https://grouplens.org/datasets/movielens/ and put its ratings file under ``datasets/real/``
(``datasets/movielens.md`` says how). Nothing here touches the network.

Layouts, detected from the first line of the file:

- ``ratings.csv`` (ml-latest, ml-latest-small, ml-20m, ml-25m, ml-32m): the header line
  ``userId,movieId,rating,timestamp``, then comma-separated lines; ratings in half stars 0.5 … 5.
- ``ratings.dat`` (ml-1m, ml-10m): a first line containing ``::``, lines
  ``UserID::MovieID::Rating::Timestamp``, no header; ratings 0.5 … 5 (whole stars in ml-1m).
- ``u.data`` (ml-100k): a first line containing a tab, lines ``user item rating timestamp``
  separated by tabs, no header; ratings are whole stars 1 … 5.

Mapping onto :mod:`.schema`:

- ``user_id``, ``video_id``: dense codes 0 … n − 1 in the order of the sorted original ids
  (ml-100k's users 1 … 943 become 0 … 942), so codes do not depend on the order of the lines;
- ``time``: days since the first rating of the file, ``(timestamp − first timestamp) / 86400``;
- ``engagement``: ``rating / 5``, so a relevant event (engagement ≥ 0.8) is a rating of 4 or more;
- extra columns ``rating`` (as in the file), ``original_user_id``, ``original_video_id`` and
  ``timestamp`` (Unix seconds), to trace every row back to the file.

Rows are sorted by timestamp; ratings with the same timestamp keep the order of the file.

Reading is vectorised: pandas' C parser reads the whole file as numbers in one pass, and every value
is then checked with array operations. Only when the parser gives up on some line (too many fields,
or text that is not a number) are the lines split in Python, a chunk at a time, to find the first
bad one. A bad file raises one ValueError naming the file, the line (1-based, as an editor counts
lines) and the problem, and nothing is returned.
"""

from __future__ import annotations

import csv
import itertools
import os
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mlsd.cases.video_recs.schema import check_interactions, relevant

DOWNLOAD_URL = "https://grouplens.org/datasets/movielens/"
CSV_HEADER = "userId,movieId,rating,timestamp"
FIELDS = ("user", "movie", "rating", "timestamp")
FIELD_LABELS = {"user": "user id", "movie": "movie id", "rating": "rating", "timestamp": "timestamp"}
MAX_RATING = 5.0
SECONDS_PER_DAY = 86_400
LINES_PER_CHUNK = 1_000_000
ENCODING = "utf-8-sig"


@dataclass(frozen=True)
class Layout:
    """How one family of MovieLens releases writes its ratings file.

    Attributes
    ----------
    name : str
        The file and the releases that use it.
    separator : str
        What separates the four fields of a line.
    header_lines : int
        Lines before the first rating.
    rating_step : float
        The smallest rating, and the step between allowed ratings (1 for whole stars, 0.5 for half).
    """

    name: str
    separator: str
    header_lines: int
    rating_step: float

    @property
    def separator_name(self) -> str:
        """The separator as a message names it."""
        return "tabs" if self.separator == "\t" else repr(self.separator)

    @property
    def allowed_ratings(self) -> str:
        """The allowed ratings, as a message lists them."""
        return "1, 2, 3, 4, 5" if self.rating_step == 1 else "0.5, 1, 1.5, …, 5"


RATINGS_CSV = Layout("ratings.csv (ml-latest, ml-latest-small, ml-20m, ml-25m, ml-32m)", ",", 1, 0.5)
RATINGS_DAT = Layout("ratings.dat (ml-1m, ml-10m)", "::", 0, 0.5)
U_DATA = Layout("u.data (ml-100k)", "\t", 0, 1.0)


def load_movielens(path: str | os.PathLike) -> pd.DataFrame:
    """Read a MovieLens ratings file and map it onto the interactions table.

    Parameters
    ----------
    path : str or os.PathLike
        A ratings file in one of the layouts of the module docstring, e.g.
        ``datasets/real/ml-100k/u.data`` or ``datasets/real/ml-latest-small/ratings.csv``.

    Returns
    -------
    pandas.DataFrame
        One row per rating, sorted by time (stable): ``user_id``, ``video_id`` (dense codes in the
        order of the sorted original ids), ``time`` (days since the first rating), ``engagement``
        (``rating / 5``), ``rating``, ``original_user_id``, ``original_video_id``, ``timestamp``
        (Unix seconds). It passes :func:`~mlsd.cases.video_recs.schema.check_interactions`.

    Raises
    ------
    ValueError
        If the file is missing or empty, its layout is not recognised, or a line has the wrong number
        of fields, a field that is not a number, a negative or fractional id, a rating that is not
        allowed, or a fractional timestamp. The message names the file, the first bad line and the
        problem.
    """
    layout = detect_layout(path)
    numbers = _read_fast(path, layout)
    if numbers is None:
        numbers = _read_line_by_line(path, layout)
    else:
        _raise_at_first_bad_row(numbers, path, layout, first_row=0, lines=None)
    if numbers.empty:
        raise ValueError(f"{path}, line {layout.header_lines + 1}: the file ends after its header; expected ratings")
    return check_interactions(_interactions(numbers), source=str(path))


def detect_layout(path: str | os.PathLike) -> Layout:
    """The layout of a ratings file, from its first line.

    Parameters
    ----------
    path : str or os.PathLike
        The ratings file.

    Returns
    -------
    Layout
        :data:`RATINGS_CSV` if the first line is the header ``userId,movieId,rating,timestamp``;
        else :data:`RATINGS_DAT` if it contains ``::``; else :data:`U_DATA` if it contains a tab.

    Raises
    ------
    ValueError
        If the file is missing, empty, or its first line fits none of the layouts.
    """
    if not os.path.isfile(path):
        raise ValueError(
            f"{path}: no such file. MovieLens is not shipped with the kit: download a release from {DOWNLOAD_URL} "
            "and put its ratings file under datasets/real/, e.g. datasets/real/ml-100k/u.data; "
            "see datasets/movielens.md"
        )
    with open(path, encoding=ENCODING, errors="replace") as file:
        first_line = file.readline()
    if not first_line:
        raise ValueError(f"{path}: the file is empty; expected MovieLens ratings (see datasets/movielens.md)")
    first_line = first_line.rstrip("\n")
    if first_line.strip() == CSV_HEADER:
        return RATINGS_CSV
    if RATINGS_DAT.separator in first_line:
        return RATINGS_DAT
    if U_DATA.separator in first_line:
        return U_DATA
    raise ValueError(
        f"{path}, line 1: not a MovieLens ratings file: expected the header {CSV_HEADER!r} (ratings.csv), "
        f"'UserID::MovieID::Rating::Timestamp' (ratings.dat) or tab-separated 'user item rating timestamp' "
        f"(u.data); found {_shorten(first_line)!r}"
    )


def describe_interactions(interactions: pd.DataFrame) -> dict[str, int | float]:
    """Summary numbers of an interactions table, for a notebook to print.

    Parameters
    ----------
    interactions : pandas.DataFrame
        A table following :mod:`.schema`, with at least one event.

    Returns
    -------
    dict
        ``n_users``, ``n_videos`` (distinct codes present), ``n_events`` (rows), ``density``
        (``n_events / (n_users * n_videos)``, the filled share of the user × video matrix when each
        pair is rated once), ``span_days`` (last ``time`` minus first) and ``relevant_share`` (share of
        events with engagement ≥ 0.8, see :func:`~mlsd.cases.video_recs.schema.relevant`).
    """
    check_interactions(interactions)
    if interactions.empty:
        raise ValueError("interactions: no events to describe")
    n_users = int(interactions["user_id"].nunique())
    n_videos = int(interactions["video_id"].nunique())
    n_events = len(interactions)
    time = interactions["time"]
    return {
        "n_users": n_users,
        "n_videos": n_videos,
        "n_events": n_events,
        "density": n_events / (n_users * n_videos),
        "span_days": float(time.max() - time.min()),
        "relevant_share": float(relevant(interactions).mean()),
    }


def _read_fast(path, layout: Layout) -> pd.DataFrame | None:
    """Every rating line as four float64 columns, by pandas' C parser; None if some line defeats it.

    Blank lines and lines with too few fields become rows holding NaN, so row ``i`` is always line
    ``i + header_lines + 1``. A separator made of one repeated character (``::``) is read as that
    character, which leaves an empty column between values, because the C parser splits on single
    characters only.
    """
    width = len(layout.separator)
    try:
        table = pd.read_csv(
            path,
            sep=layout.separator[0],
            header=None,
            skiprows=layout.header_lines,
            dtype="float64",
            quoting=csv.QUOTE_NONE,
            skip_blank_lines=False,
            encoding=ENCODING,
            encoding_errors="replace",
        )
    except ValueError:
        return None
    if table.shape[1] != len(FIELDS) * width - (width - 1):
        return None
    value_columns = table.columns[::width]
    if table.drop(columns=value_columns).notna().any(axis=None):
        return None
    return table[value_columns].set_axis(list(FIELDS), axis=1)


def _read_line_by_line(path, layout: Layout) -> pd.DataFrame:
    """Rating lines split in Python a chunk at a time, raising at the first bad line.

    For files the C parser rejects: a line with the wrong number of fields, or a field that is not a
    number, becomes a row of NaN, which the checks then report.
    """
    chunks = []
    with open(path, encoding=ENCODING, errors="replace") as file:
        rating_lines = itertools.islice(file, layout.header_lines, None)
        first_row = 0
        while lines := [line.rstrip("\n") for line in itertools.islice(rating_lines, LINES_PER_CHUNK)]:
            numbers = _parse_lines(lines, layout.separator)
            _raise_at_first_bad_row(numbers, path, layout, first_row, lines)
            chunks.append(numbers)
            first_row += len(lines)
    if not chunks:
        return pd.DataFrame(columns=list(FIELDS), dtype="float64")
    return pd.concat(chunks, ignore_index=True)


def _parse_lines(lines: list[str], separator: str) -> pd.DataFrame:
    """The four fields of each line as float64; NaN where a field is not a number or the count is wrong."""
    missing = [""] * len(FIELDS)
    split = [fields if len(fields) == len(FIELDS) else missing for fields in (line.split(separator) for line in lines)]
    texts = pd.DataFrame(split, columns=list(FIELDS))
    return texts.apply(pd.to_numeric, errors="coerce").astype("float64")


def _rules(numbers: pd.DataFrame, layout: Layout) -> list[tuple[str, str, np.ndarray]]:
    """``(field, what is wrong, rows where it is wrong)`` for every rule, in the order they are reported."""
    rules = []
    for field in FIELDS:
        values = numbers[field].to_numpy()
        rules.append((field, "is not a number", ~np.isfinite(values)))
        if field in ("user", "movie"):
            rules.append((field, "is negative", values < 0))
            rules.append((field, "is not a whole number", np.floor(values) != values))
        elif field == "rating":
            steps = values / layout.rating_step
            allowed = (np.floor(steps) == steps) & (values >= layout.rating_step) & (values <= MAX_RATING)
            rules.append((field, f"is not one of {layout.allowed_ratings}", ~allowed))
        else:
            rules.append((field, "is not a whole number of seconds", np.floor(values) != values))
    return rules


def _raise_at_first_bad_row(numbers: pd.DataFrame, path, layout: Layout, first_row: int, lines: list[str] | None) -> None:
    """Raise ValueError for the first row of ``numbers`` that breaks a rule, if any.

    ``numbers`` holds rating rows ``first_row …`` of the file; ``lines`` their text, or None to read
    the bad line back from the file.
    """
    rules = _rules(numbers, layout)
    broken = np.logical_or.reduce([rows for _, _, rows in rules])
    if not broken.any():
        return
    row = int(np.argmax(broken))
    line_number = layout.header_lines + first_row + row + 1
    line = _line_at(path, line_number) if lines is None else lines[row]
    field, problem = next((field, problem) for field, problem, rows in rules if rows[row])
    raise ValueError(f"{path}, line {line_number}: {_explain(line, layout, field, problem)}")


def _explain(line: str, layout: Layout, field: str, problem: str) -> str:
    """What is wrong with one line, quoting the text at fault."""
    if not line.strip():
        return "the line is empty"
    fields = line.split(layout.separator)
    if len(fields) != len(FIELDS):
        return f"expected {len(FIELDS)} fields separated by {layout.separator_name}, found {len(fields)}: {_shorten(line)!r}"
    return f"the {FIELD_LABELS[field]} {fields[FIELDS.index(field)]!r} {problem}"


def _line_at(path, line_number: int) -> str:
    """The text of one line of the file (1-based), without its line break."""
    with open(path, encoding=ENCODING, errors="replace") as file:
        return next(itertools.islice(file, line_number - 1, None)).rstrip("\n")


def _shorten(text: str, limit: int = 80) -> str:
    """``text`` cut to ``limit`` characters for a message."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _dense_codes(ids: np.ndarray) -> np.ndarray:
    """Codes 0 … n − 1 in the order of the sorted distinct ids."""
    codes, _ = pd.factorize(ids, sort=True)
    return codes.astype(np.int64, copy=False)


def _interactions(numbers: pd.DataFrame) -> pd.DataFrame:
    """Checked rating rows mapped onto the schema, sorted by timestamp (stable)."""
    timestamp = numbers["timestamp"].to_numpy().astype(np.int64)
    order = np.argsort(timestamp, kind="stable")
    user, movie = (numbers[field].to_numpy().astype(np.int64)[order] for field in ("user", "movie"))
    rating, timestamp = numbers["rating"].to_numpy()[order], timestamp[order]
    return pd.DataFrame(
        {
            "user_id": _dense_codes(user),
            "video_id": _dense_codes(movie),
            "time": (timestamp - timestamp[0]) / SECONDS_PER_DAY,
            "engagement": rating / MAX_RATING,
            "rating": rating,
            "original_user_id": user,
            "original_video_id": movie,
            "timestamp": timestamp,
        },
        copy=False,
    )
