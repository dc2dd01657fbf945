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

Every layout has the fields ``user``, ``movie`` (integers >= 0), ``rating`` (a number on the
release's scale) and ``timestamp`` (a whole number of Unix seconds between 1995-01-01, before the
first MovieLens rating, and the present). The file is read by :func:`mlsd.readers.read_table`: a
bad file — a wrong field count, a value of the wrong type or out of its range, a last line cut
short — raises one :class:`~mlsd.readers.DataFileError` naming the file, the line and the problem.

Mapping onto :mod:`.schema`:

- ``user_id``, ``video_id``: dense codes 0 … n − 1 in the order of the sorted original ids
  (ml-100k's users 1 … 943 become 0 … 942), so codes do not depend on the order of the lines;
- ``time``: days since the first rating of the file, ``(timestamp − first timestamp) / 86400``;
- ``engagement``: ``rating / 5``, so a relevant event (engagement ≥ 0.8) is a rating of 4 or more;
- extra columns ``rating`` (as in the file), ``original_user_id``, ``original_video_id``,
  ``timestamp`` (Unix seconds) and ``file_row`` (the rating's position among the file's data
  lines, from 0), to trace every row back to the file — and to draw the published random splits,
  which shuffle the ratings in file order (:mod:`.published`).

Rows are sorted by timestamp; ratings with the same timestamp keep the order of the file.
"""

from __future__ import annotations

import os
import time
from functools import partial

import numpy as np
import pandas as pd

from mlsd.cases.video_recs.schema import check_table, relevant
from mlsd.readers import DataFileError, Field, Layout, check_file, read_table

DOWNLOAD_URL = "https://grouplens.org/datasets/movielens/"
CSV_HEADER = "userId,movieId,rating,timestamp"
MAX_RATING = 5.0
FIRST_TIMESTAMP = 788_918_400  # 1995-01-01 00:00 UTC; MovieLens opened in 1997
SECONDS_PER_DAY = 86_400
ENCODING = "utf-8-sig"
NOT_SHIPPED = (
    f"a MovieLens ratings file. MovieLens is not shipped with the kit: download a release from "
    f"{DOWNLOAD_URL} and put its ratings file under datasets/real/, e.g. "
    "datasets/real/ml-100k/u.data; see datasets/movielens.md"
)


def _is_rating(values: np.ndarray, step: float) -> np.ndarray:
    """Ratings ``step, 2 step, …, 5``: whole stars for ``step = 1``, half stars for 0.5."""
    steps = values / step
    return (np.floor(steps) == steps) & (values >= step) & (values <= MAX_RATING)


def _is_timestamp(values: np.ndarray) -> np.ndarray:
    """Unix seconds from 1995-01-01 to now."""
    return (values >= FIRST_TIMESTAMP) & (values <= time.time())


def _fields(rating_step: float, allowed_ratings: str) -> tuple[Field, ...]:
    """The four fields of every layout; ``rating_step`` is the release's smallest rating."""
    rating = partial(_is_rating, step=rating_step)
    when = "a Unix time between 1995-01-01 and the present"
    return (
        Field("user", int, low=0),
        Field("movie", int, low=0),
        Field("rating", float, allowed=rating, description=allowed_ratings),
        Field("timestamp", int, allowed=_is_timestamp, description=when),
    )


HALF_STARS = _fields(0.5, "one of 0.5, 1, 1.5, …, 5")
RATINGS_CSV = Layout(
    "MovieLens ratings.csv (ml-latest, ml-latest-small, ml-20m, ml-25m, ml-32m)",
    ",",
    HALF_STARS,
    header=CSV_HEADER,
)
RATINGS_DAT = Layout("MovieLens ratings.dat (ml-1m, ml-10m)", "::", HALF_STARS)
U_DATA = Layout("MovieLens u.data (ml-100k)", "\t", _fields(1.0, "one of 1, 2, 3, 4, 5"))


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
        (Unix seconds), ``file_row`` (the rating's position among the file's data lines, from 0).
        It passes :func:`~mlsd.cases.video_recs.schema.check_table`.

    Raises
    ------
    mlsd.readers.DataFileError
        A ValueError, if the file is missing or empty, its layout is not recognised, or a line has
        the wrong number of fields, a field of the wrong type or out of its range (see the module
        docstring), or the last line is cut short. The message names the file, the first bad line
        and the problem, and nothing is returned.
    """
    layout = detect_layout(path)
    return check_table(_interactions(read_table(path, layout)), source=str(path))


def detect_layout(path: str | os.PathLike) -> Layout:
    """The layout of a ratings file, from its first line.

    Parameters
    ----------
    path : str or os.PathLike
        The ratings file.

    Returns
    -------
    mlsd.readers.Layout
        :data:`RATINGS_CSV` if the first line is the header ``userId,movieId,rating,timestamp``;
        else :data:`RATINGS_DAT` if it contains ``::``; else :data:`U_DATA` if it contains a tab.

    Raises
    ------
    mlsd.readers.DataFileError
        If the file is missing (the message says where to get it), empty, or its first line fits
        none of the layouts.
    """
    path = check_file(path, NOT_SHIPPED)
    with open(path, encoding=ENCODING, errors="replace") as file:
        first_line = file.readline().rstrip("\n")
    if first_line.strip() == CSV_HEADER:
        return RATINGS_CSV
    if RATINGS_DAT.separator in first_line:
        return RATINGS_DAT
    if U_DATA.separator in first_line:
        return U_DATA
    raise DataFileError(
        path,
        1,
        f"not a MovieLens ratings file: expected the header {CSV_HEADER!r} (ratings.csv), "
        "'UserID::MovieID::Rating::Timestamp' (ratings.dat) or tab-separated "
        f"'user item rating timestamp' (u.data); found {_shortened(first_line)!r}",
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
        pair is rated once), ``span_days`` (last ``time`` minus first) and ``relevant_share``
        (share of events with engagement ≥ 0.8, see
        :func:`~mlsd.cases.video_recs.schema.relevant`).
    """
    check_table(interactions)
    if interactions.empty:
        raise ValueError("interactions: no events to describe")
    n_users = int(interactions["user_id"].nunique())
    n_videos = int(interactions["video_id"].nunique())
    n_events = len(interactions)
    time_of_event = interactions["time"]
    return {
        "n_users": n_users,
        "n_videos": n_videos,
        "n_events": n_events,
        "density": n_events / (n_users * n_videos),
        "span_days": float(time_of_event.max() - time_of_event.min()),
        "relevant_share": float(relevant(interactions).mean()),
    }


def _shortened(text: str, limit: int = 80) -> str:
    """``text`` cut to ``limit`` characters for a message."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _dense_codes(ids: np.ndarray) -> np.ndarray:
    """Codes 0 … n − 1 in the order of the sorted distinct ids."""
    codes, _ = pd.factorize(ids, sort=True)
    return codes.astype(np.int64, copy=False)


def _interactions(ratings: pd.DataFrame) -> pd.DataFrame:
    """Rating rows as read (``user``, ``movie``, ``rating``, ``timestamp``) mapped onto the schema,
    sorted by timestamp (stable)."""
    timestamp = ratings["timestamp"].to_numpy()
    order = np.argsort(timestamp, kind="stable")
    user, movie = (ratings[field].to_numpy()[order] for field in ("user", "movie"))
    rating, timestamp = ratings["rating"].to_numpy()[order], timestamp[order]
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
            "file_row": order.astype(np.int64, copy=False),
        },
        copy=False,
    )
