"""Error metrics for regression, with the delivery-ETA view of a prediction as a promise.

Every function takes the observed values first and the predictions second, checks them (1-D,
numeric, finite, non-empty, equal length) and returns a Python ``float``. Errors are in the units
of the target (minutes, dollars, ...) except ``mape`` (a fraction of the true value) and the two
shares ``within_tolerance`` and ``late_rate`` (fractions in [0, 1]).

Which metric to report follows from the decision: ``mae`` and ``rmse`` for a typical error (RMSE
punishes large misses more), ``pinball_loss`` when the prediction is a quantile such as a promised
delivery time, and ``within_tolerance`` / ``late_rate`` for what a customer actually notices.

References
----------
Hyndman, R. J. & Koehler, A. B. (2006). Another look at measures of forecast accuracy.
International Journal of Forecasting, 22(4), 679-688.

Koenker, R. & Bassett, G. (1978). Regression quantiles. Econometrica, 46(1), 33-50.
"""

from __future__ import annotations

import numpy as np

from mlsd.validation import as_1d, check_number, same_length

__all__ = ["late_rate", "mae", "mape", "pinball_loss", "rmse", "within_tolerance"]


def mae(y_true, y_pred) -> float:
    """Mean absolute error.

    Formula: ``MAE = (1/n) * sum_i |y_i - ŷ_i|``, in the units of ``y``.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n,)
        Observed and predicted values.

    Returns
    -------
    float
        The mean absolute error, >= 0. Equals ``sklearn.metrics.mean_absolute_error``.

    References
    ----------
    Hyndman & Koehler (2006), International Journal of Forecasting 22(4).
    """
    true, pred = _pair(y_true, y_pred)
    return float(np.mean(np.abs(true - pred)))


def rmse(y_true, y_pred) -> float:
    """Root mean squared error.

    Formula: ``RMSE = sqrt((1/n) * sum_i (y_i - ŷ_i)^2)``, in the units of ``y``. Squaring weighs
    one large miss more than several small ones, so ``RMSE >= MAE`` always.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n,)
        Observed and predicted values.

    Returns
    -------
    float
        The root mean squared error, >= 0. Equals ``sklearn.metrics.root_mean_squared_error``.

    References
    ----------
    Hyndman & Koehler (2006), International Journal of Forecasting 22(4).
    """
    true, pred = _pair(y_true, y_pred)
    return float(np.sqrt(np.mean((true - pred) ** 2)))


def mape(y_true, y_pred) -> float:
    """Mean absolute percentage error, as a fraction (0.1 means 10 %).

    Formula: ``MAPE = (1/n) * sum_i |y_i - ŷ_i| / |y_i|``.

    Convention: every ``y_true`` must be non-zero, since the error relative to zero is undefined;
    a zero raises ``ValueError``. scikit-learn's ``mean_absolute_percentage_error`` instead divides
    by ``max(|y_i|, eps)`` with machine epsilon, which turns a zero into an enormous value. For
    non-zero ``y_true`` the two agree.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n,)
        Observed (all non-zero) and predicted values.

    Returns
    -------
    float
        The mean absolute percentage error as a fraction, >= 0.

    References
    ----------
    Hyndman & Koehler (2006), International Journal of Forecasting 22(4), section 3.3.
    """
    true, pred = _pair(y_true, y_pred)
    zeros = np.flatnonzero(true == 0)
    if zeros.size:
        raise ValueError(
            f"mape divides by |y_true|, so y_true must be non-zero; y_true[{zeros[0]}] = 0. "
            "(scikit-learn divides by max(|y_true|, eps) instead, which gives a huge value.)"
        )
    return float(np.mean(np.abs(true - pred) / np.abs(true)))


def pinball_loss(y_true, y_pred, alpha: float = 0.5) -> float:
    """Pinball (quantile) loss of predictions meant as the ``alpha``-quantile.

    Formula: ``L = (1/n) * sum_i [alpha * max(y_i - ŷ_i, 0) + (1 - alpha) * max(ŷ_i - y_i, 0)]``.

    Under-predicting costs ``alpha`` per unit, over-predicting ``1 - alpha``. The constant ``q``
    that minimises the expected loss satisfies ``P(Y < q) = alpha``: it is the ``alpha``-quantile.
    That is how a delivery-ETA promise is set: train or tune against ``alpha = 0.9`` and about
    10 % of orders arrive after the quoted time (check it with ``late_rate``). ``alpha = 0.5``
    gives half the absolute error, whose minimiser is the median.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n,)
        Observed values and predicted ``alpha``-quantiles.
    alpha : float, default 0.5
        Quantile level, strictly between 0 and 1.

    Returns
    -------
    float
        The mean pinball loss, >= 0. Equals ``sklearn.metrics.mean_pinball_loss``.

    References
    ----------
    Koenker, R. & Bassett, G. (1978). Regression quantiles. Econometrica, 46(1), 33-50.
    """
    level = check_number("alpha", alpha, 0, 1, low_open=True, high_open=True)
    true, pred = _pair(y_true, y_pred)
    under = np.maximum(true - pred, 0.0)
    over = np.maximum(pred - true, 0.0)
    return float(np.mean(level * under + (1.0 - level) * over))


def within_tolerance(y_true, y_pred, tolerance: float) -> float:
    """Share of predictions within ``tolerance`` of the observed value.

    Formula: ``(1/n) * #{i : |ŷ_i - y_i| <= tolerance}``.

    Convention: an error exactly equal to ``tolerance`` counts as within. The comparison is made
    in floating point, so choose tolerances that are not at the edge of rounding (an error of
    ``1.1 - 1.0`` is slightly more than ``0.1``).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n,)
        Observed and predicted values.
    tolerance : float
        Largest acceptable absolute error, in the units of ``y``; >= 0.

    Returns
    -------
    float
        A share in [0, 1], e.g. "ETA within 5 minutes for 82 % of orders".

    References
    ----------
    Hyndman & Koehler (2006), International Journal of Forecasting 22(4) (absolute error).
    """
    allowed = check_number("tolerance", tolerance, 0)
    true, pred = _pair(y_true, y_pred)
    return float(np.mean(np.abs(pred - true) <= allowed))


def late_rate(actual, quoted) -> float:
    """Share of deliveries that arrive after the promised time.

    Formula: ``(1/n) * #{i : actual_i > quoted_i}``.

    Convention: arriving exactly at the quoted time is on time, not late. When ``quoted`` is a
    well-calibrated ``alpha``-quantile (see ``pinball_loss``), the late rate is about ``1 - alpha``.

    Parameters
    ----------
    actual : array-like of shape (n,)
        Observed delivery times.
    quoted : array-like of shape (n,)
        Promised delivery times, in the same units and from the same origin.

    Returns
    -------
    float
        A share in [0, 1].

    References
    ----------
    Koenker & Bassett (1978), Econometrica 46(1) (coverage of a quantile prediction).
    """
    arrived, promised = _pair(actual, quoted, names=("actual", "quoted"))
    return float(np.mean(arrived > promised))


def _pair(first, second, *, names=("y_true", "y_pred")) -> tuple[np.ndarray, np.ndarray]:
    first_name, second_name = names
    first_array = as_1d(first, first_name)
    second_array = as_1d(second, second_name)
    same_length(**{first_name: first_array, second_name: second_array})
    return first_array, second_array
