"""Drift statistics and alert rules: has what the model sees in production moved away from its training data?

Each statistic compares a ``reference`` sample (what the model was trained or validated on) with a
``current`` sample (a recent window of production traffic) of one feature, and returns a Python
``float``; 0 means "the same distribution".

- :func:`psi` and :func:`psi_categorical` — population stability index over shares of bins or
  categories; the usual alerting statistic, with an accepted rule of thumb.
- :func:`js_divergence` — Jensen–Shannon divergence of the same binned shares; bounded in [0, 1].
- :func:`ks_statistic` — two-sample Kolmogorov–Smirnov distance; the largest gap between the two
  empirical CDFs, no binning.
- :func:`drift_report` — one statistic per (window, feature) with an ``ok`` / ``warn`` / ``alert``
  status, the table a monitoring job produces every day; :func:`first_alert` finds its first
  window that raises one.
- :func:`binned_shares` and :func:`category_shares` — the shares the binned statistics compare, to
  show which bins moved.

Binning convention, shared by :func:`psi`, :func:`js_divergence` and :func:`binned_shares`: the
interior edges are the reference's quantiles at ``1/bins, 2/bins, ..., (bins-1)/bins`` (numpy's
default linear interpolation), so each bin holds about ``1/bins`` of the reference. Repeated edges,
which ties in the reference produce, are merged, so a reference with few distinct values gets fewer
bins than asked for. The outer bins are open to ``-inf`` and ``+inf``, so current values outside
the reference's range still land in a bin. Bins are closed on the left: a value equal to an edge
belongs to the bin above it.

Rule of thumb for PSI (Siddiqi 2006; Yurdakul 2018): below 0.1 the population is stable, 0.1 to
0.25 is a moderate shift worth a look, above 0.25 a major shift. These are the defaults of
:func:`drift_report`; for JS and KS there is no agreed rule, so pass thresholds of your own.

Numeric inputs must be finite (a missing value is an error, not a silent drop: monitor the share of
missing values as a feature of its own). Categorical inputs may hold missing values, which count as
a category of their own.

References
----------
Siddiqi, N. (2006). Credit Risk Scorecards: Developing and Implementing Intelligent Credit Scoring.
Wiley.

Yurdakul, B. (2018). Statistical Properties of Population Stability Index. Dissertation, Western
Michigan University.

Lin, J. (1991). Divergence measures based on the Shannon entropy. IEEE Transactions on Information
Theory, 37(1), 145-151.

Hodges, J. L. (1958). The significance probability of the Smirnov two-sample test. Arkiv för
Matematik, 3(5), 469-486.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from mlsd.validation import as_1d, check_choice, check_int, check_number

__all__ = [
    "EMPTY_BIN_SHARE",
    "binned_shares",
    "category_shares",
    "drift_report",
    "first_alert",
    "js_divergence",
    "ks_statistic",
    "psi",
    "psi_categorical",
]

EMPTY_BIN_SHARE = 1e-4
"""Share given to an empty bin in PSI, whose ``ln(c / r)`` would otherwise be infinite.

Small against the ``1/bins`` share of an ordinary bin, so it barely moves the other terms, and large
enough that one empty bin adds a finite, visible amount: a bin holding 10% of one sample and none of
the other contributes ``0.1 * ln(0.1 / 1e-4) ≈ 0.69`` — an alert on its own, as it should be.
"""

STATISTICS = ("psi", "js", "ks")


def psi(reference, current, *, bins: int = 10) -> float:
    """Population stability index of a numeric feature.

    Formula: ``PSI = sum_i (c_i - r_i) * ln(c_i / r_i)``, where ``r_i`` and ``c_i`` are the shares of
    the reference and the current sample in bin ``i``. It is the symmetric Kullback–Leibler
    divergence ``KL(c || r) + KL(r || c)`` of the binned distributions, so it is >= 0 and 0 only
    when every bin holds the same share of both samples.

    Convention: the bins are the reference's quantile bins (see the module docstring: repeated edges
    merged, outer bins open, closed on the left); a bin empty in either sample gets the share
    :data:`EMPTY_BIN_SHARE` (1e-4) instead of 0 for that sample. Because the bins come from the
    reference, ``psi(a, b)`` and ``psi(b, a)`` differ slightly in general.

    Parameters
    ----------
    reference, current : array-like of shape (n,) and (m,)
        Finite numbers; the lengths may differ.
    bins : int, default 10
        Number of quantile bins asked for, >= 2 (deciles by default).

    Returns
    -------
    float
        PSI >= 0. Rule of thumb: < 0.1 stable, 0.1–0.25 moderate shift, > 0.25 major shift.

    References
    ----------
    Siddiqi (2006), Credit Risk Scorecards; Yurdakul (2018), Statistical Properties of Population
    Stability Index.
    """
    reference_shares, current_shares = _binned_share_arrays(reference, current, bins)
    return _psi_of_shares(reference_shares, current_shares)


def psi_categorical(reference, current) -> float:
    """Population stability index of a categorical feature.

    Formula: as :func:`psi`, ``PSI = sum_k (c_k - r_k) * ln(c_k / r_k)``, with one bin per category.

    Convention: the categories are those of both samples; one that only the current sample holds (a
    new city, a new app version) has a reference share of 0, floored to :data:`EMPTY_BIN_SHARE`
    like any empty bin, so it shows up as drift. Missing values (None, NaN) count as a category of
    their own. Unlike :func:`psi`, the result is symmetric: ``psi_categorical(a, b) ==
    psi_categorical(b, a)``.

    Parameters
    ----------
    reference, current : array-like of shape (n,) and (m,)
        Hashable values (strings, ints, bools, ...); the lengths may differ.

    Returns
    -------
    float
        PSI >= 0, read with the same rule of thumb as :func:`psi`.

    References
    ----------
    Siddiqi (2006), Credit Risk Scorecards.
    """
    shares = category_shares(reference, current)
    return _psi_of_shares(shares["reference_share"].to_numpy(), shares["current_share"].to_numpy())


def ks_statistic(reference, current) -> float:
    """Two-sample Kolmogorov–Smirnov statistic: the largest gap between the two empirical CDFs.

    Formula: ``D = max_x |F_ref(x) - F_cur(x)|``, where ``F(x)`` is the share of a sample ``<= x``;
    the maximum is taken over every value of both samples, where the step functions jump.

    Convention: ties are exact — a value repeated in a sample moves its CDF by its whole count at
    once. Equals ``scipy.stats.ks_2samp(reference, current).statistic``. No binning, so it sees
    shifts that fall within one bin, but it weighs the middle of the distribution most and hardly
    reacts to changes in the tails.

    Parameters
    ----------
    reference, current : array-like of shape (n,) and (m,)
        Finite numbers; the lengths may differ.

    Returns
    -------
    float
        D in [0, 1].

    References
    ----------
    Hodges (1958), Arkiv för Matematik 3(5).
    """
    reference_values = as_1d(reference, "reference")
    current_values = as_1d(current, "current")
    return _ks_of_sorted(np.sort(reference_values), np.sort(current_values))


def js_divergence(reference, current, *, bins: int = 10) -> float:
    """Jensen–Shannon divergence of a numeric feature's binned distributions, in bits.

    Formula: ``JS = (KL(r || m) + KL(c || m)) / 2`` with ``m = (r + c) / 2`` and
    ``KL(p || m) = sum_i p_i * log2(p_i / m_i)`` over the bin shares ``r`` and ``c``; terms with
    ``p_i = 0`` are 0.

    Convention: the same bins as :func:`psi`. No floor is needed: ``m_i > 0`` wherever ``p_i > 0``.
    Base 2 bounds it in [0, 1] (1 when the samples share no bin). It is the square of
    ``scipy.spatial.distance.jensenshannon(r, c, base=2)``.

    Parameters
    ----------
    reference, current : array-like of shape (n,) and (m,)
        Finite numbers; the lengths may differ.
    bins : int, default 10
        Number of quantile bins asked for, >= 2.

    Returns
    -------
    float
        JS in [0, 1], symmetric in the two shares.

    References
    ----------
    Lin (1991), IEEE Transactions on Information Theory 37(1).
    """
    reference_shares, current_shares = _binned_share_arrays(reference, current, bins)
    return _js_of_shares(reference_shares, current_shares)


def binned_shares(reference, current, *, bins: int = 10) -> pd.DataFrame:
    """The reference's quantile bins and the share of each sample in them.

    Parameters
    ----------
    reference, current : array-like of shape (n,) and (m,)
        Finite numbers.
    bins : int, default 10
        Number of quantile bins asked for, >= 2; repeated edges are merged (module docstring).

    Returns
    -------
    pandas.DataFrame
        One row per bin ``[low, high)``: ``low``, ``high``, ``reference_share``, ``current_share``.
        The shares are raw (empty bins hold 0) and each column sums to 1.
    """
    reference_values = as_1d(reference, "reference")
    current_values = as_1d(current, "current")
    edges = _quantile_edges(reference_values, check_int("bins", bins, 2))
    return pd.DataFrame(
        {
            "low": edges[:-1],
            "high": edges[1:],
            "reference_share": _shares_in_bins(reference_values, edges),
            "current_share": _shares_in_bins(current_values, edges),
        }
    )


def category_shares(reference, current) -> pd.DataFrame:
    """The share of each category in both samples.

    Parameters
    ----------
    reference, current : array-like of shape (n,) and (m,)
        Hashable values; missing values (None, NaN) count as one category.

    Returns
    -------
    pandas.DataFrame
        Indexed by category — the reference's categories first, most frequent first, then those
        only the current sample holds — with columns ``reference_share`` and ``current_share``
        (raw: 0 where a sample lacks the category; each column sums to 1).
    """
    return _share_table(_category_counts(reference, "reference"), _category_counts(current, "current"))


def drift_report(
    reference: pd.DataFrame,
    windows: pd.DataFrame,
    window_column: str,
    columns: list[str],
    *,
    statistic: str = "psi",
    warn: float = 0.1,
    alert: float = 0.25,
    bins: int = 10,
) -> pd.DataFrame:
    """Drift of each feature in each window of production data against a reference, with a status.

    Convention: numeric columns use :func:`psi` (or :func:`js_divergence`, :func:`ks_statistic`);
    columns of object, category, string or bool dtype use :func:`psi_categorical` (or the
    Jensen–Shannon divergence of their :func:`category_shares`; KS needs numbers). Status:
    ``value < warn`` is ``"ok"``, ``warn <= value < alert`` is ``"warn"``, ``value >= alert`` is
    ``"alert"`` — each lower threshold inclusive. The defaults 0.1 and 0.25 are the PSI rule of
    thumb (Siddiqi 2006); with ``statistic="js"`` or ``"ks"`` choose thresholds of your own.

    Parameters
    ----------
    reference : pandas.DataFrame
        The baseline sample (training or validation data), holding every column of ``columns``.
    windows : pandas.DataFrame
        Production rows holding ``window_column`` and every column of ``columns``.
    window_column : str
        The column naming each row's window (a day, a week, a model version); it may not be missing.
    columns : list of str
        The features to compare.
    statistic : {"psi", "js", "ks"}, default "psi"
    warn, alert : float, default 0.1 and 0.25
        Thresholds with ``0 <= warn <= alert``.
    bins : int, default 10
        Quantile bins of numeric columns for ``"psi"`` and ``"js"``, >= 2.

    Returns
    -------
    pandas.DataFrame
        One row per (window, column), windows in sorted order and columns in the given order:
        ``window_column``, ``column``, ``n`` (rows in the window), the statistic (a column named
        ``statistic``) and ``status``.

    References
    ----------
    Siddiqi (2006), Credit Risk Scorecards; Yurdakul (2018).
    """
    _check_frames(reference, windows, window_column, columns)
    check_choice("statistic", statistic, STATISTICS)
    warn, alert = _thresholds(warn, alert)
    bins = check_int("bins", bins, 2)
    measures = {column: _measure_against(reference[column], windows[column], statistic, bins, column) for column in columns}
    rows = []
    for window, group in windows.groupby(window_column, sort=True, observed=True):
        for column, measure in measures.items():
            try:
                value = measure(group[column])
            except ValueError as error:
                raise ValueError(f"window {window!r}: {error}") from None
            rows.append({window_column: window, "column": column, "n": len(group), statistic: value})
    report = pd.DataFrame(rows, columns=[window_column, "column", "n", statistic])
    report["status"] = _status(report[statistic].to_numpy(dtype=float), warn, alert)
    return report


def _psi_of_shares(reference_shares: np.ndarray, current_shares: np.ndarray) -> float:
    reference_floored = np.where(reference_shares == 0, EMPTY_BIN_SHARE, reference_shares)
    current_floored = np.where(current_shares == 0, EMPTY_BIN_SHARE, current_shares)
    terms = (current_floored - reference_floored) * np.log(current_floored / reference_floored)
    return float(np.sum(terms))


def _js_of_shares(reference_shares: np.ndarray, current_shares: np.ndarray) -> float:
    mixture = (reference_shares + current_shares) / 2
    divergence = (_kl_bits(reference_shares, mixture) + _kl_bits(current_shares, mixture)) / 2
    return float(min(max(divergence, 0.0), 1.0))  # rounding may step a hair outside [0, 1]


def _kl_bits(shares: np.ndarray, mixture: np.ndarray) -> float:
    present = shares > 0
    return float(np.sum(shares[present] * np.log2(shares[present] / mixture[present])))


def _ks_of_sorted(reference_sorted: np.ndarray, current_sorted: np.ndarray) -> float:
    points = np.concatenate([reference_sorted, current_sorted])
    reference_cdf = np.searchsorted(reference_sorted, points, side="right") / len(reference_sorted)
    current_cdf = np.searchsorted(current_sorted, points, side="right") / len(current_sorted)
    return float(np.max(np.abs(reference_cdf - current_cdf)))


def _binned_share_arrays(reference, current, bins) -> tuple[np.ndarray, np.ndarray]:
    shares = binned_shares(reference, current, bins=bins)
    return shares["reference_share"].to_numpy(), shares["current_share"].to_numpy()


def _quantile_edges(reference: np.ndarray, bins: int) -> np.ndarray:
    interior = np.unique(np.quantile(reference, np.arange(1, bins) / bins))
    return np.concatenate([[-np.inf], interior, [np.inf]])


def _shares_in_bins(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    interior = edges[1:-1]
    bin_index = np.searchsorted(interior, values, side="right")
    return np.bincount(bin_index, minlength=len(edges) - 1) / len(values)


def _category_counts(values, name: str) -> pd.Series:
    series = values if isinstance(values, pd.Series) else pd.Series(_as_1d_objects(values, name))
    if series.empty:
        raise ValueError(f"{name} is empty; at least one value is needed")
    return pd.Series(series.to_numpy(dtype=object)).value_counts(dropna=False, sort=True)


def _as_1d_objects(values, name: str) -> np.ndarray:
    array = np.asarray(values, dtype=object)
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-dimensional; got an array of shape {array.shape}")
    return array


def _share_table(reference_counts: pd.Series, current_counts: pd.Series) -> pd.DataFrame:
    counts = pd.concat({"reference_share": reference_counts, "current_share": current_counts}, axis=1, sort=False).fillna(0.0)
    counts.index.name = "category"
    return counts / counts.sum()


def _numeric_column(series: pd.Series, name: str) -> np.ndarray:
    return as_1d(series.to_numpy(dtype=float, na_value=np.nan), name)


def _measure_against(reference: pd.Series, windows: pd.Series, statistic: str, bins: int, column: str) -> Callable[[pd.Series], float]:
    """A function of one window's values of ``column``; the reference's part is computed once."""
    reference_name, current_name = f"reference[{column!r}]", f"windows[{column!r}]"
    compare_shares = _psi_of_shares if statistic == "psi" else _js_of_shares
    if _is_categorical(reference, windows, column):
        if statistic == "ks":
            raise ValueError(f"statistic 'ks' needs numbers; column {column!r} is categorical ({reference.dtype}); use 'psi' or 'js'")
        reference_counts = _category_counts(reference, reference_name)

        def categorical(current: pd.Series) -> float:
            shares = _share_table(reference_counts, _category_counts(current, current_name))
            return compare_shares(shares["reference_share"].to_numpy(), shares["current_share"].to_numpy())

        return categorical
    reference_values = _numeric_column(reference, reference_name)
    if statistic == "ks":
        reference_sorted = np.sort(reference_values)
        return lambda current: _ks_of_sorted(reference_sorted, np.sort(_numeric_column(current, current_name)))
    edges = _quantile_edges(reference_values, bins)
    reference_shares = _shares_in_bins(reference_values, edges)
    return lambda current: compare_shares(reference_shares, _shares_in_bins(_numeric_column(current, current_name), edges))


def _is_categorical(reference: pd.Series, windows: pd.Series, column: str) -> bool:
    kinds = {_kind(reference.dtype), _kind(windows.dtype)}
    if None in kinds:
        dtype = reference.dtype if _kind(reference.dtype) is None else windows.dtype
        raise ValueError(f"column {column!r} has dtype {dtype}; allowed: numeric, bool, object, category or string")
    if len(kinds) > 1:
        raise ValueError(f"column {column!r} is {reference.dtype} in reference but {windows.dtype} in windows; both must be numeric or both categorical")
    return kinds == {"categorical"}


def _kind(dtype) -> str | None:
    types = pd.api.types
    if types.is_bool_dtype(dtype) or types.is_object_dtype(dtype) or types.is_string_dtype(dtype) or isinstance(dtype, pd.CategoricalDtype):
        return "categorical"
    if types.is_numeric_dtype(dtype) and not types.is_complex_dtype(dtype):
        return "numeric"
    return None


def _check_frames(reference, windows, window_column: str, columns) -> None:
    for name, frame in (("reference", reference), ("windows", windows)):
        if not isinstance(frame, pd.DataFrame):
            raise ValueError(f"{name} must be a pandas DataFrame; got a {type(frame).__name__}")
    if window_column not in windows.columns:
        raise ValueError(f"window_column {window_column!r} is not a column of windows; its columns are {list(windows.columns)}")
    if windows[window_column].isna().any():
        missing = int(windows[window_column].isna().sum())
        raise ValueError(f"window_column {window_column!r} is missing in {missing} rows of windows; every row needs a window")
    if isinstance(columns, str) or not isinstance(columns, (list, tuple)) or not columns:
        raise ValueError(f"columns must be a non-empty list of column names; got {columns!r}")
    if window_column in columns:
        raise ValueError(f"columns must not include the window_column {window_column!r}")
    for name, frame in (("reference", reference), ("windows", windows)):
        absent = [column for column in columns if column not in frame.columns]
        if absent:
            raise ValueError(f"columns {absent} are not in {name}; its columns are {list(frame.columns)}")


def _thresholds(warn, alert) -> tuple[float, float]:
    low, high = check_number("warn", warn, 0), check_number("alert", alert, 0)
    if low > high:
        raise ValueError(f"warn must be <= alert; got warn={warn!r}, alert={alert!r}")
    return low, high


def _status(values: np.ndarray, warn: float, alert: float) -> np.ndarray:
    return np.select([values >= alert, values >= warn], ["alert", "warn"], default="ok")


def first_alert(report: pd.DataFrame, status: str = "alert"):
    """The first window of a :func:`drift_report` with a row at ``status``, else None.

    ``report`` is laid out as :func:`drift_report` returns it: the window column first, windows in
    sorted order, and a ``status`` column. ``status`` is one of ``"ok"``, ``"warn"``, ``"alert"``.
    The window comes back as a plain Python value (an ``int`` for integer days).
    """
    if not isinstance(report, pd.DataFrame) or "status" not in report.columns[1:]:
        raise ValueError(
            "report must be a drift_report table: the window column first, then a status column"
        )
    check_choice("status", status, ("ok", "warn", "alert"))
    windows = report.loc[report["status"] == status, report.columns[0]]
    if windows.empty:
        return None
    window = windows.iloc[0]
    return window.item() if isinstance(window, np.generic) else window
