"""Ranking metrics for many lists at once: the users of a recommender, the queries of a search engine.

Input layout
------------
Every function takes flat arrays with one row per (group, item): ``y_true`` (the relevance of the
row's item to the group), ``y_score`` (the model's score) and ``group`` (the user or query id).
The rows are sorted once -- by group, then by descending score, O(n log n) -- and every metric is
then a handful of cumulative sums and ``np.add.reduceat`` over the groups, with no Python loop per
group. Ties in score keep their input order (the order is that of a stable sort), so a caller with an
explicit ranking passes the rows in rank order, or passes ``-rank`` as the score.

How the rows are sorted: with integer group ids, the group (less its minimum, in ``b`` bits) and the
score (its IEEE-754 bits flipped so that unsigned order is decreasing score, cut to its top
``64 - b`` bits) are packed into one 64-bit key, and one unstable ``argsort`` of the keys orders
the rows. When no two keys are equal this is exactly the order by (group, decreasing score); when
two are (a tie in score, or two scores that differ only in the bits cut off) the rows are sorted
again by the exact two-pass method of ``np.lexsort`` -- a stable argsort by score, then one by
group -- which is what string ids always use. The packed sort is about twice as fast as the exact
one (``benchmarks/bench_ranking.py``).

Relevance is binary (0/1) or graded (any value >= 0). Precision, recall, hit rate, reciprocal rank
and average precision count a row as relevant when ``y_true > 0``; DCG and NDCG use the grade.

``R``, the number of relevant items of a group, defaults to the number of its rows with
``y_true > 0``. Pass ``n_relevant`` (one value per row, the same on every row of a group) when the
group has relevant items that are not in the list -- a recommender's test set often holds items the
model never retrieved. ``n_relevant`` needs binary relevance: with grades, the ideal DCG would need
the grades of the missing items too.

Conventions (tools disagree on each; this is the one used here)
----------------------------------------------------------------
precision@k
    ``hits in the top k / k``, also when the list is shorter than k (trec_eval's ``P_k`` and most
    recommender libraries): a list of 3 items with 3 hits has precision@10 = 0.3. The alternative
    divides by the list length, ``min(k, list length)``, and gives 1.0, rewarding a system for
    returning less.
average precision, MAP@k
    ``AP@k = (1 / min(k, R)) * sum_{i <= k} P@i * rel_i``, so a perfect top k scores 1 even when
    R > k (the ``apk`` of Kaggle's ml_metrics). Alternatives: divide by R (trec_eval's AP, which caps
    AP@k at k / R), or by the number of hits in the top k (which scores a single hit at rank 1 as
    1.0, however many relevant items were missed).
DCG, NDCG
    ``DCG@k = sum_{i <= k} gain(rel_i) / log2(i + 1)``, gain ``"linear"`` = rel (scikit-learn's
    ``ndcg_score``) or ``"exponential"`` = 2**rel - 1 (Burges et al. 2005, LightGBM, XGBoost); the
    two agree on binary relevance. ``NDCG@k = DCG@k / IDCG@k``, the ideal DCG of the group's
    relevances sorted in decreasing order (or of R ones when ``n_relevant`` is given).
    ``ties="stable"`` (the default) ranks tied scores in input order, as every metric here does;
    ``ties="average"`` is scikit-learn's default: each block of tied scores contributes its mean gain
    times the sum of its discounts, the expected DCG over all orders of the ties (McSherry & Najork
    2008).
Groups with no relevant item (R = 0)
    Recall, hit rate, reciprocal rank, average precision and NDCG are undefined there: NaN per group,
    and left out of the mean. scikit-learn's ``ndcg_score`` counts such a group as 0 instead, which
    pulls the mean down by the share of empty groups. Precision@k is defined (0) and included.
Means
    The module-level functions return the unweighted mean over groups (each user or query counts
    once, however long its list). When the metric is undefined for every group they raise
    ``ValueError``, as other metrics of ``mlsd.metrics`` do for an undefined value, rather than return
    a NaN that would travel silently into a report.

Beyond accuracy (recommendations)
---------------------------------
``catalog_coverage``, ``novelty`` and ``intra_list_diversity`` take the same layout, with the row's
item (its id, its popularity or its feature vector) in place of ``y_true``: the argument order is
always (what each row is about, ``y_score``, ``group``, ``k``, then what the metric needs besides).

References
----------
Manning, Raghavan & Schütze (2008). Introduction to Information Retrieval, ch. 8. Cambridge UP.
Voorhees (1999). The TREC-8 Question Answering Track Report. TREC-8.
Järvelin & Kekäläinen (2002). Cumulated gain-based evaluation of IR techniques. ACM TOIS 20(4).
Burges et al. (2005). Learning to rank using gradient descent. ICML.
McSherry & Najork (2008). Computing information retrieval performance measures efficiently in the
presence of tied scores. ECIR.
Ge, Delgado-Battenfeld & Jannach (2010). Beyond accuracy: evaluating recommender systems by
coverage and serendipity. RecSys.
Zhou et al. (2010). Solving the apparent diversity-accuracy dilemma of recommender systems. PNAS 107(10).
Vargas & Castells (2011). Rank and relevance in novelty and diversity metrics for recommender
systems. RecSys.
Ziegler, McNee, Konstan & Lausen (2005). Improving recommendation lists through topic
diversification. WWW.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np

from mlsd.validation import as_1d, check_choice, check_int, same_length

GAINS = ("linear", "exponential")
TIES = ("stable", "average")


class _Lists:
    """Rows sorted by group, then by descending score (stable), and where each group's list starts."""

    def __init__(self, y_score: np.ndarray, group: np.ndarray):
        self.order = _list_order(y_score, group)
        sorted_group = group[self.order]
        self.is_first = np.ones(len(sorted_group), dtype=bool)
        np.not_equal(sorted_group[1:], sorted_group[:-1], out=self.is_first[1:])
        self.starts = np.flatnonzero(self.is_first)
        self.groups = sorted_group[self.starts]
        self.sizes = np.diff(np.append(self.starts, len(sorted_group)))
        self.rank = np.arange(1, len(sorted_group) + 1) - np.repeat(self.starts, self.sizes)

    def sum(self, sorted_values: np.ndarray) -> np.ndarray:
        """Sum ``sorted_values`` (aligned with the sorted rows) over each group."""
        return np.add.reduceat(sorted_values, self.starts, axis=0)

    def running_total(self, sorted_values: np.ndarray) -> np.ndarray:
        """Cumulative sum of ``sorted_values`` that restarts at each group."""
        total = np.cumsum(sorted_values)
        before_group = total[self.starts] - sorted_values[self.starts]
        return total - np.repeat(before_group, self.sizes)

    def top(self, k: int) -> np.ndarray:
        """Mask of the sorted rows ranked within the first ``k`` of their group."""
        return self.rank <= k

    def top_lengths(self, k: int) -> np.ndarray:
        """Number of rows each group has in its top ``k``: ``min(k, list length)``."""
        return np.minimum(self.sizes, k)


class RankedLists:
    """Many ranked lists given as flat rows, sorted once so that every metric is vectorised.

    Parameters
    ----------
    y_true : array-like of shape (n_rows,)
        Relevance of each row's item to its group: binary (0/1) or graded (>= 0).
    y_score : array-like of shape (n_rows,)
        Score of each row; higher ranks first, and tied scores keep their input order.
    group : array-like of shape (n_rows,)
        Id of the list (user, query) each row belongs to; numbers or strings.
    n_relevant : array-like of shape (n_rows,), optional
        Number of relevant items of the row's group in total, counting those missing from the list.
        Equal on all rows of a group and at least the group's rows with ``y_true > 0``; binary
        relevance only. Default: the number of the group's rows with ``y_true > 0``.

    Attributes
    ----------
    groups : ndarray
        Sorted unique group ids; every per-group method returns a float array aligned with it.
    list_lengths : ndarray of int
        Number of rows of each group.
    n_relevant : ndarray of int
        R, the number of relevant items of each group.

    Notes
    -----
    The module docstring lists the conventions (precision on short lists, the MAP denominator,
    gains, ties, groups with no relevant item). Per-group values are NaN where undefined (R = 0).

    Examples
    --------
    >>> lists = RankedLists([1, 0, 1, 0], [0.9, 0.8, 0.1, 0.5], ["a", "a", "b", "b"])
    >>> lists.groups.tolist(), lists.reciprocal_rank().tolist()
    (['a', 'b'], [1.0, 0.5])
    """

    def __init__(self, y_true, y_score, group, *, n_relevant=None):
        relevance = _relevance(y_true)
        score = as_1d(y_score, "y_score")
        group = as_1d(group, "group", dtype=None)
        same_length(y_true=relevance, y_score=score, group=group)
        self._lists = _Lists(score, group)
        self.groups = self._lists.groups
        self.list_lengths = self._lists.sizes
        self._relevance = relevance[self._lists.order]
        self._input_score = score
        self._is_binary = bool(np.isin(relevance, (0.0, 1.0)).all())
        self._is_relevant = self._relevance > 0
        relevant_rows = self._lists.sum(self._is_relevant.astype(np.int64))
        if n_relevant is None:
            self.n_relevant = relevant_rows
        else:
            self.n_relevant = self._given_n_relevant(n_relevant, relevance, group, relevant_rows)

    @cached_property
    def _score(self) -> np.ndarray:
        """Scores of the sorted rows (for ``ties="average"``)."""
        return self._input_score[self._lists.order]

    @cached_property
    def _hits_so_far(self) -> np.ndarray:
        """Relevant rows at or above each sorted row in its list (for average precision)."""
        return self._lists.running_total(self._is_relevant.astype(np.int64))

    @cached_property
    def _discount(self) -> np.ndarray:
        """``1 / log2(rank + 1)`` of each sorted row (for DCG)."""
        return 1.0 / np.log2(self._lists.rank + 1.0)

    def precision_at(self, k) -> np.ndarray:
        """Precision@k of each group: the share of the top k that is relevant.

        Parameters
        ----------
        k : int
            Cut-off, >= 1.

        Returns
        -------
        ndarray of float, aligned with ``groups``
            Values in [0, 1]; defined (0) for a group with no relevant item.

        Notes
        -----
        Formula: ``P@k = (number of rows with y_true > 0 in the top k) / k``.

        Convention: divide by k also when the list is shorter than k (trec_eval's ``P_k``);
        dividing by ``min(k, list length)`` instead would reward returning fewer items.

        References
        ----------
        Manning, Raghavan & Schütze (2008). Introduction to Information Retrieval, §8.4.
        """
        k = check_int("k", k, 1)
        return self._hits_at(k) / k

    def recall_at(self, k) -> np.ndarray:
        """Recall@k of each group: the share of its R relevant items found in the top k.

        Parameters
        ----------
        k : int
            Cut-off, >= 1.

        Returns
        -------
        ndarray of float, aligned with ``groups``
            Values in [0, 1]; NaN for a group with R = 0.

        Notes
        -----
        Formula: ``recall@k = (hits in the top k) / R``.

        Convention: R includes relevant items missing from the list when ``n_relevant`` is given,
        so recall@k can stay below 1 for every k.

        References
        ----------
        Manning, Raghavan & Schütze (2008). Introduction to Information Retrieval, §8.4.
        """
        hits = self._hits_at(check_int("k", k, 1))
        return self._where_defined(hits / np.maximum(self.n_relevant, 1))

    def hit_rate_at(self, k) -> np.ndarray:
        """Hit rate@k of each group: 1 when the top k holds a relevant item, else 0.

        Parameters
        ----------
        k : int
            Cut-off, >= 1.

        Returns
        -------
        ndarray of float, aligned with ``groups``
            0.0 or 1.0; NaN for a group with R = 0 (there is nothing to hit).

        Notes
        -----
        Formula: ``HR@k = 1 if (hits in the top k) > 0 else 0``.

        Convention: the mean over groups is the share of users served at least one relevant item.

        References
        ----------
        Deshpande & Karypis (2004). Item-based top-N recommendation algorithms. ACM TOIS 22(1).
        """
        hits = self._hits_at(check_int("k", k, 1))
        return self._where_defined((hits > 0).astype(float))

    def reciprocal_rank(self, k=None) -> np.ndarray:
        """Reciprocal rank of each group: 1 / the rank of its first relevant item.

        Parameters
        ----------
        k : int, optional
            Cut-off, >= 1; ``None`` (default) looks at the whole list.

        Returns
        -------
        ndarray of float, aligned with ``groups``
            Values in [0, 1]; NaN for a group with R = 0.

        Notes
        -----
        Formula: ``RR@k = 1 / min{i : rel_i > 0}``, or 0 when no relevant item is ranked within k.

        Convention: only the first relevant item counts; the others do not change the value.

        References
        ----------
        Voorhees (1999). The TREC-8 Question Answering Track Report. TREC-8.
        """
        cutoff = np.inf if k is None else check_int("k", k, 1)
        ranks_of_hits = np.where(self._is_relevant, self._lists.rank, np.inf)
        first_hit = np.minimum.reduceat(ranks_of_hits, self._lists.starts)
        return self._where_defined(np.where(first_hit <= cutoff, 1.0 / first_hit, 0.0))

    def average_precision_at(self, k) -> np.ndarray:
        """Average precision@k of each group: precision at each relevant rank, averaged.

        Parameters
        ----------
        k : int
            Cut-off, >= 1.

        Returns
        -------
        ndarray of float, aligned with ``groups``
            Values in [0, 1]; NaN for a group with R = 0.

        Notes
        -----
        Formula: ``AP@k = (1 / min(k, R)) * sum_{i <= k} P@i * rel_i``, with ``rel_i`` 1 when the
        item at rank i is relevant.

        Convention: divide by ``min(k, R)``, so a top k made only of relevant items scores 1.
        Dividing by R caps AP@k at k / R; dividing by the hits in the top k scores a single hit at
        rank 1 as 1, however many relevant items were missed.

        References
        ----------
        Manning, Raghavan & Schütze (2008). Introduction to Information Retrieval, §8.4.
        Hamner (2012). ``apk`` in Kaggle's ml_metrics (the ``min(k, R)`` denominator).
        """
        k = check_int("k", k, 1)
        at_hits = self._is_relevant & self._lists.top(k)
        precision_at_hits = self._hits_so_far / self._lists.rank * at_hits
        denominator = np.maximum(np.minimum(k, self.n_relevant), 1)
        return self._where_defined(self._lists.sum(precision_at_hits) / denominator)

    def dcg_at(self, k, gain="linear", ties="stable") -> np.ndarray:
        """Discounted cumulative gain@k of each group.

        Parameters
        ----------
        k : int
            Cut-off, >= 1.
        gain : {"linear", "exponential"}, default="linear"
            ``"linear"``: gain = rel (scikit-learn). ``"exponential"``: gain = 2**rel - 1.
        ties : {"stable", "average"}, default="stable"
            ``"stable"``: tied scores rank in input order. ``"average"``: each block of tied scores
            gets its mean gain (scikit-learn's default).

        Returns
        -------
        ndarray of float, aligned with ``groups``
            Values >= 0; defined (0) for a group with no relevant item.

        Notes
        -----
        Formula: ``DCG@k = sum_{i <= k} gain(rel_i) / log2(i + 1)``.

        Convention: with ``ties="average"`` a tied block contributes its mean gain times the sum of
        its discounts within the top k: the mean DCG over all orders of the ties.

        References
        ----------
        Järvelin & Kekäläinen (2002). Cumulated gain-based evaluation of IR techniques. ACM TOIS 20(4).
        Burges et al. (2005). Learning to rank using gradient descent. ICML.
        McSherry & Najork (2008). Computing information retrieval performance measures efficiently
        in the presence of tied scores. ECIR.
        """
        k = check_int("k", k, 1)
        gains = _gains(self._relevance, check_choice("gain", gain, GAINS))
        if check_choice("ties", ties, TIES) == "average":
            gains = self._averaged_over_ties(gains)
        return self._lists.sum(gains * self._discount * self._lists.top(k))

    def ndcg_at(self, k, gain="linear", ties="stable") -> np.ndarray:
        """Normalised discounted cumulative gain@k of each group.

        Parameters
        ----------
        k : int
            Cut-off, >= 1.
        gain : {"linear", "exponential"}, default="linear"
            As in :meth:`dcg_at`.
        ties : {"stable", "average"}, default="stable"
            As in :meth:`dcg_at`.

        Returns
        -------
        ndarray of float, aligned with ``groups``
            Values in [0, 1]; NaN for a group with R = 0.

        Notes
        -----
        Formula: ``NDCG@k = DCG@k / IDCG@k``, where IDCG@k is the DCG@k of the ideal order: the
        group's relevances sorted in decreasing order, or R ones when ``n_relevant`` is given.

        Convention: NaN where R = 0; scikit-learn's ``ndcg_score`` scores such a group 0.

        References
        ----------
        Järvelin & Kekäläinen (2002). Cumulated gain-based evaluation of IR techniques. ACM TOIS 20(4).
        """
        dcg = self.dcg_at(k, gain, ties)
        ideal = self._ideal_dcg_at(k, gain)
        return self._where_defined(dcg / np.where(ideal > 0, ideal, 1.0))

    def _hits_at(self, k: int) -> np.ndarray:
        return self._lists.sum((self._is_relevant & self._lists.top(k)).astype(float))

    def _where_defined(self, values: np.ndarray) -> np.ndarray:
        return np.where(self.n_relevant > 0, values, np.nan)

    def _averaged_over_ties(self, gains: np.ndarray) -> np.ndarray:
        starts_block = self._lists.is_first.copy()
        starts_block[1:] |= self._score[1:] != self._score[:-1]
        block_starts = np.flatnonzero(starts_block)
        block_sizes = np.diff(np.append(block_starts, len(gains)))
        block_means = np.add.reduceat(gains, block_starts) / block_sizes
        return np.repeat(block_means, block_sizes)

    def _ideal_dcg_at(self, k: int, gain: str) -> np.ndarray:
        if self._is_binary:
            ideal_by_count = _cumulative_discount(min(k, int(self.n_relevant.max())))
            return ideal_by_count[np.minimum(k, self.n_relevant)]
        row_group = np.repeat(np.arange(len(self.groups)), self._lists.sizes)
        ideal_relevance = self._relevance[np.lexsort((-self._relevance, row_group))]
        return self._lists.sum(_gains(ideal_relevance, gain) * self._discount * self._lists.top(k))

    def _given_n_relevant(self, n_relevant, relevance, group, relevant_rows) -> np.ndarray:
        totals = as_1d(n_relevant, "n_relevant")
        same_length(y_true=relevance, n_relevant=totals)
        not_a_count = (totals < 0) | (totals != np.floor(totals))
        _first_violation(not_a_count, totals, "n_relevant", "must hold whole numbers >= 0")
        _first_violation(
            (relevance != 0) & (relevance != 1),
            relevance,
            "y_true",
            "must be binary (0/1) when n_relevant is given (the grades of missing items are unknown)",
        )
        _constant_within(totals, group, "n_relevant", "group")
        per_group = totals[self._lists.order][self._lists.starts].astype(np.int64)
        too_small = per_group < relevant_rows
        if too_small.any():
            where = int(np.flatnonzero(too_small)[0])
            raise ValueError(
                f"n_relevant must be at least the number of relevant rows of its group; group "
                f"{_plain(self.groups, where)!r} has n_relevant = {per_group[where]} but "
                f"{relevant_rows[where]} rows with y_true > 0"
            )
        return per_group


def precision_at_k(y_true, y_score, group, k, *, n_relevant=None) -> float:
    """Mean precision@k over all groups.

    Parameters
    ----------
    y_true, y_score, group, n_relevant
        As in :class:`RankedLists`: one row per (group, item).
    k : int
        Cut-off, >= 1.

    Returns
    -------
    float
        Unweighted mean over groups, groups with no relevant item included (as 0).

    Notes
    -----
    Formula: ``mean over groups of (hits in the top k) / k``; see :meth:`RankedLists.precision_at`.

    Convention: divide by k also for lists shorter than k.

    References
    ----------
    Manning, Raghavan & Schütze (2008). Introduction to Information Retrieval, §8.4.
    """
    lists = RankedLists(y_true, y_score, group, n_relevant=n_relevant)
    return _mean_over_groups(lists.precision_at(k), "precision@k")


def recall_at_k(y_true, y_score, group, k, *, n_relevant=None) -> float:
    """Mean recall@k over the groups that have a relevant item.

    Parameters
    ----------
    y_true, y_score, group, n_relevant
        As in :class:`RankedLists`: one row per (group, item).
    k : int
        Cut-off, >= 1.

    Returns
    -------
    float
        Unweighted mean over groups with R > 0; ``ValueError`` when there is none.

    Notes
    -----
    Formula: ``mean over groups of (hits in the top k) / R``; see :meth:`RankedLists.recall_at`.

    Convention: groups with R = 0 are left out of the mean.

    References
    ----------
    Manning, Raghavan & Schütze (2008). Introduction to Information Retrieval, §8.4.
    """
    lists = RankedLists(y_true, y_score, group, n_relevant=n_relevant)
    return _mean_over_groups(lists.recall_at(k), "recall@k")


def hit_rate_at_k(y_true, y_score, group, k, *, n_relevant=None) -> float:
    """Share of the groups with a relevant item that find at least one in their top k.

    Parameters
    ----------
    y_true, y_score, group, n_relevant
        As in :class:`RankedLists`: one row per (group, item).
    k : int
        Cut-off, >= 1.

    Returns
    -------
    float
        Unweighted mean over groups with R > 0; ``ValueError`` when there is none.

    Notes
    -----
    Formula: ``mean over groups of [hits in the top k > 0]``; see :meth:`RankedLists.hit_rate_at`.

    Convention: groups with R = 0 are left out of the mean.

    References
    ----------
    Deshpande & Karypis (2004). Item-based top-N recommendation algorithms. ACM TOIS 22(1).
    """
    lists = RankedLists(y_true, y_score, group, n_relevant=n_relevant)
    return _mean_over_groups(lists.hit_rate_at(k), "hit rate@k")


def mrr(y_true, y_score, group, k=None, *, n_relevant=None) -> float:
    """Mean reciprocal rank over the groups that have a relevant item.

    Parameters
    ----------
    y_true, y_score, group, n_relevant
        As in :class:`RankedLists`: one row per (group, item).
    k : int, optional
        Cut-off, >= 1; ``None`` (default) looks at the whole list.

    Returns
    -------
    float
        Unweighted mean over groups with R > 0; ``ValueError`` when there is none.

    Notes
    -----
    Formula: ``mean over groups of 1 / (rank of the first relevant item)``, 0 for a group whose
    first relevant item is ranked below k; see :meth:`RankedLists.reciprocal_rank`.

    Convention: groups with R = 0 are left out of the mean.

    References
    ----------
    Voorhees (1999). The TREC-8 Question Answering Track Report. TREC-8.
    """
    lists = RankedLists(y_true, y_score, group, n_relevant=n_relevant)
    return _mean_over_groups(lists.reciprocal_rank(k), "MRR")


def map_at_k(y_true, y_score, group, k, *, n_relevant=None) -> float:
    """Mean average precision@k over the groups that have a relevant item.

    Parameters
    ----------
    y_true, y_score, group, n_relevant
        As in :class:`RankedLists`: one row per (group, item).
    k : int
        Cut-off, >= 1.

    Returns
    -------
    float
        Unweighted mean over groups with R > 0; ``ValueError`` when there is none.

    Notes
    -----
    Formula: ``mean over groups of (1 / min(k, R)) * sum_{i <= k} P@i * rel_i``; see
    :meth:`RankedLists.average_precision_at`.

    Convention: the ``min(k, R)`` denominator; groups with R = 0 are left out of the mean.

    References
    ----------
    Manning, Raghavan & Schütze (2008). Introduction to Information Retrieval, §8.4.
    """
    lists = RankedLists(y_true, y_score, group, n_relevant=n_relevant)
    return _mean_over_groups(lists.average_precision_at(k), "MAP@k")


def ndcg_at_k(y_true, y_score, group, k, *, gain="linear", ties="stable", n_relevant=None) -> float:
    """Mean NDCG@k over the groups that have a relevant item.

    Parameters
    ----------
    y_true, y_score, group, n_relevant
        As in :class:`RankedLists`: one row per (group, item).
    k : int
        Cut-off, >= 1.
    gain : {"linear", "exponential"}, default="linear"
        As in :meth:`RankedLists.dcg_at`.
    ties : {"stable", "average"}, default="stable"
        As in :meth:`RankedLists.dcg_at`.

    Returns
    -------
    float
        Unweighted mean over groups with R > 0; ``ValueError`` when there is none.

    Notes
    -----
    Formula: ``mean over groups of DCG@k / IDCG@k``; see :meth:`RankedLists.ndcg_at`.

    Convention: groups with R = 0 are left out of the mean. With ``ties="average"`` and every group
    holding a relevant item, this equals scikit-learn's ``ndcg_score`` on the lists padded into a
    matrix (when all lists have one length); scikit-learn would count a group with R = 0 as 0.

    References
    ----------
    Järvelin & Kekäläinen (2002). Cumulated gain-based evaluation of IR techniques. ACM TOIS 20(4).
    """
    lists = RankedLists(y_true, y_score, group, n_relevant=n_relevant)
    return _mean_over_groups(lists.ndcg_at(k, gain, ties), "NDCG@k")


def catalog_coverage(item, y_score, group, k, catalog_size) -> float:
    """Share of the catalogue that appears in at least one group's top k.

    Parameters
    ----------
    item : array-like of shape (n_rows,)
        Id of each row's recommended item; numbers or strings.
    y_score, group
        As in :class:`RankedLists`.
    k : int
        Cut-off, >= 1.
    catalog_size : int
        Number of items that could be recommended, including items absent from ``item``.

    Returns
    -------
    float
        Value in (0, 1].

    Notes
    -----
    Formula: ``coverage@k = |union of the top-k items of all groups| / catalog_size``.

    Convention: an item counts once however many lists hold it; how often it is shown does not
    matter (a Gini index or entropy of exposure would measure that).

    References
    ----------
    Ge, Delgado-Battenfeld & Jannach (2010). Beyond accuracy: evaluating recommender systems by
    coverage and serendipity. RecSys.
    """
    item = as_1d(item, "item", dtype=None)
    lists = _recommendation_lists(item, "item", y_score, group)
    k = check_int("k", k, 1)
    catalog_size = check_int("catalog_size", catalog_size, 1)
    recommended = len(np.unique(item[lists.order[lists.top(k)]]))
    if recommended > catalog_size:
        raise ValueError(
            f"catalog_size must be at least the number of distinct items recommended; got "
            f"catalog_size = {catalog_size} but {recommended} distinct items in the top {k}"
        )
    return recommended / catalog_size


def novelty(item, y_score, group, k, item_popularity) -> float:
    """Mean self-information of the recommended items: high when the top k avoids popular items.

    Parameters
    ----------
    item : array-like of shape (n_rows,)
        Id of each row's recommended item; numbers or strings.
    y_score, group
        As in :class:`RankedLists`.
    k : int
        Cut-off, >= 1.
    item_popularity : array-like of shape (n_rows,)
        Popularity share of each row's item: the fraction of users who interacted with it, in
        (0, 1], equal on all rows of one item.

    Returns
    -------
    float
        Bits: 0 when every list recommends only items every user has seen.

    Notes
    -----
    Formula: ``novelty@k = mean over groups of (1 / m) * sum_{i in top k} -log2 p_i`` with
    ``m = min(k, list length)`` and ``p_i`` the popularity share of item i.

    Convention: each list averages over its own top k, then every list counts once. Some authors
    pool all recommended items instead, or use the share of interactions rather than of users.

    References
    ----------
    Zhou et al. (2010). Solving the apparent diversity-accuracy dilemma of recommender systems.
    PNAS 107(10).
    Vargas & Castells (2011). Rank and relevance in novelty and diversity metrics for recommender
    systems. RecSys.
    """
    item = as_1d(item, "item", dtype=None)
    popularity = as_1d(item_popularity, "item_popularity")
    same_length(item=item, item_popularity=popularity)
    outside = (popularity <= 0) | (popularity > 1)
    _first_violation(outside, popularity, "item_popularity", "must lie in (0, 1]")
    _constant_within(popularity, item, "item_popularity", "item")
    lists = _recommendation_lists(item, "item", y_score, group)
    k = check_int("k", k, 1)
    self_information = -np.log2(popularity[lists.order]) * lists.top(k)
    return float(np.mean(lists.sum(self_information) / lists.top_lengths(k)))


def intra_list_diversity(item_vectors, y_score, group, k) -> float:
    """Mean pairwise cosine distance among each list's top k items, averaged over lists.

    Parameters
    ----------
    item_vectors : array-like of shape (n_rows, n_features)
        Feature vector (embedding, genre indicators, ...) of each row's item; no row all zero.
    y_score, group
        As in :class:`RankedLists`.
    k : int
        Cut-off, >= 1.

    Returns
    -------
    float
        Mean over lists with at least two items; ``ValueError`` when there is none.

    Notes
    -----
    Formula: ``ILD@k = mean over lists of (1 / C(m, 2)) * sum_{i < j <= m} (1 - cos(v_i, v_j))``
    with ``m = min(k, list length)``. For unit vectors ``u``,
    ``sum_{i < j} u_i . u_j = (||sum_i u_i||^2 - m) / 2``, so no pair is visited.

    Convention: cosine distance ``1 - cos`` (in [0, 2]); lists with fewer than two items have no
    pair and are left out of the mean.

    References
    ----------
    Ziegler, McNee, Konstan & Lausen (2005). Improving recommendation lists through topic
    diversification. WWW.
    Vargas & Castells (2011). Rank and relevance in novelty and diversity metrics for recommender
    systems. RecSys.
    """
    unit = _unit_rows(item_vectors)
    lists = _recommendation_lists(unit, "item_vectors", y_score, group)
    k = check_int("k", k, 1)
    summed = lists.sum(unit[lists.order] * lists.top(k)[:, None])
    m = lists.top_lengths(k).astype(float)
    similarity_sum = (np.einsum("ij,ij->i", summed, summed) - m) / 2
    pairs = m * (m - 1) / 2
    diversity = np.where(pairs > 0, 1.0 - similarity_sum / np.maximum(pairs, 1), np.nan)
    return _mean_over_groups(diversity, "intra-list diversity@k", "no list has 2 items to compare")


def _list_order(score: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Row order by group, then by decreasing score, tied scores in input order.

    One argsort of packed keys (see the module docstring) when they are all distinct; otherwise the
    exact two stable passes.
    """
    key = _packed_key(score, group)
    if key is not None:
        order = np.argsort(key)
        packed = key[order]
        if not (packed[1:] == packed[:-1]).any():
            return order
    by_score = _descending_order(score)
    return by_score[np.argsort(group[by_score], kind="stable")]


_MAX_GROUP_BITS = 32


def _packed_key(score: np.ndarray, group: np.ndarray) -> np.ndarray | None:
    """``(group - min) << (64 - b) | top (64 - b) bits of the decreasing-score key``, as uint64.

    The decreasing-score key of a float: its bits with the sign bit set for a positive number and
    all bits inverted for a negative one sort as the floats do, and inverting that sorts by
    decreasing value. ``-0.0`` is made ``0.0`` first, as the two compare equal. ``None`` for group
    ids that are not integers or span more than ``2**_MAX_GROUP_BITS`` values.
    """
    if group.dtype.kind not in "iu":
        return None
    wide = group.astype(np.uint64 if group.dtype.kind == "u" else np.int64, copy=False)
    low = wide.min()
    bits = (int(wide.max()) - int(low)).bit_length()
    if bits > _MAX_GROUP_BITS:
        return None
    raw = (score + 0.0).view(np.uint64)
    negative = raw >> np.uint64(63) == 1
    decreasing = np.where(negative, raw, ~raw & np.uint64(2**63 - 1))
    if bits == 0:
        return decreasing
    code = (wide - low).astype(np.uint64) << np.uint64(64 - bits)
    return code | (decreasing >> np.uint64(bits))


def _descending_order(score: np.ndarray) -> np.ndarray:
    """Row order by decreasing score, tied scores in input order.

    Without ties every sort gives the same order, so the faster unstable sort is tried first.
    """
    order = np.argsort(-score)
    ranked = score[order]
    if (ranked[1:] == ranked[:-1]).any():
        order = np.argsort(-score, kind="stable")
    return order


def _relevance(y_true) -> np.ndarray:
    relevance = as_1d(y_true, "y_true")
    _first_violation(relevance < 0, relevance, "y_true", "must be >= 0 (relevance)")
    return relevance


def _recommendation_lists(per_row: np.ndarray, per_row_name: str, y_score, group) -> _Lists:
    score = as_1d(y_score, "y_score")
    group = as_1d(group, "group", dtype=None)
    same_length(**{per_row_name: per_row}, y_score=score, group=group)
    return _Lists(score, group)


def _unit_rows(item_vectors) -> np.ndarray:
    try:
        vectors = np.asarray(item_vectors, dtype=float)
    except (TypeError, ValueError) as error:
        raise ValueError(f"item_vectors must be numeric ({error})") from None
    if vectors.ndim != 2 or vectors.shape[0] == 0:
        raise ValueError(
            f"item_vectors must be a non-empty 2-D array (one row per item); got shape {vectors.shape}"
        )
    if not np.isfinite(vectors).all():
        where = int(np.flatnonzero(~np.isfinite(vectors).all(axis=1))[0])
        raise ValueError(f"item_vectors must be finite; item_vectors[{where}] = {vectors[where]}")
    norms = np.linalg.norm(vectors, axis=1)
    if (norms == 0).any():
        where = int(np.flatnonzero(norms == 0)[0])
        raise ValueError(
            f"item_vectors rows must be non-zero (cosine is undefined); item_vectors[{where}] is all 0"
        )
    return vectors / norms[:, None]


def _gains(relevance: np.ndarray, gain: str) -> np.ndarray:
    return relevance if gain == "linear" else np.exp2(relevance) - 1.0


def _cumulative_discount(positions: int) -> np.ndarray:
    """``[0, 1/log2(2), 1/log2(2) + 1/log2(3), ...]``: the ideal DCG of 0, 1, 2, ... relevant items."""
    return np.concatenate(([0.0], np.cumsum(1.0 / np.log2(np.arange(2, positions + 2)))))


def _mean_over_groups(
    values: np.ndarray, metric: str, undefined_when: str = "no group has a relevant item"
) -> float:
    defined = ~np.isnan(values)
    if not defined.any():
        raise ValueError(f"{metric} is undefined for every group: {undefined_when}")
    return float(values[defined].mean())


def _first_violation(bad: np.ndarray, values: np.ndarray, name: str, rule: str) -> None:
    if bad.any():
        where = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{name} {rule}; {name}[{where}] = {values[where]}")


def _constant_within(values: np.ndarray, keys: np.ndarray, values_name: str, keys_name: str) -> None:
    order = np.argsort(keys, kind="stable")
    sorted_keys, sorted_values = keys[order], values[order]
    clash = (sorted_keys[1:] == sorted_keys[:-1]) & (sorted_values[1:] != sorted_values[:-1])
    if clash.any():
        where = int(np.flatnonzero(clash)[0])
        raise ValueError(
            f"{values_name} must be equal on all rows of one {keys_name}; {keys_name} "
            f"{_plain(sorted_keys, where)!r} has {values_name} {sorted_values[where]:g} "
            f"and {sorted_values[where + 1]:g}"
        )


def _plain(array: np.ndarray, index: int):
    """``array[index]`` as a plain Python value, so messages show ``'a'`` rather than ``np.str_('a')``."""
    return array[index : index + 1].tolist()[0]
