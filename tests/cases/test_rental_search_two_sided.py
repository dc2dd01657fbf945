"""The two-sided objective: ranking by P(book) against P(request) on the simulator's truth, the
learned acceptance against the hosts' true propensities, and bad input."""

import numpy as np
import pytest

from mlsd.cases import rental_search as case


@pytest.fixture(scope="module")
def world():
    return case.simulate_searches(n_searches=6_000, seed=2)


def test_ranking_by_the_booking_rejects_less_and_books_more(world):
    rows = world.results
    orders = {"request": rows["true_request"].to_numpy(),
              "book": (rows["true_request"] * rows["true_accept"]).to_numpy()}
    table = case.two_sided_table(rows, orders, 0.7)
    assert table.loc["book", "bookings"] > table.loc["request", "bookings"]
    assert table.loc["book", "rejections"] < table.loc["request", "rejections"]
    assert table.loc["book", "picky_top_share"] < table.loc["request", "picky_top_share"]
    outcome = case.expected_outcomes(rows, orders["book"], 0.7)
    assert table.loc["book", "acceptance"] == pytest.approx(
        outcome["bookings"] / (outcome["bookings"] + outcome["rejections"]))


def test_the_learned_acceptance_tracks_the_hosts(world):
    rows = world.results
    train, test = rows[rows["day"] < 21], rows[rows["day"] >= 21]
    model = case.AcceptanceModel().fit(train)
    error = case.acceptance_error(test, model.predict(test))
    assert error.loc["learned", "mae"] < error.loc["constant", "mae"]
    requested = train[train["booking_request"] == 1]
    assert model.overall_ == pytest.approx(requested["booked"].mean())
    unseen = test.assign(listing_id=10**9)
    assert np.allclose(model.predict(unseen), model.overall_)


def test_bad_input_is_rejected(world):
    rows = world.results
    with pytest.raises(ValueError, match="no booking request"):
        case.AcceptanceModel().fit(rows[rows["booking_request"] == 0])
    with pytest.raises(ValueError, match="prior_requests"):
        case.AcceptanceModel(prior_requests=0)
    with pytest.raises(ValueError, match="predicted"):
        case.acceptance_error(rows, np.zeros(2))
    with pytest.raises(ValueError, match="scores"):
        case.two_sided_table(rows, {"x": np.zeros(2)}, 0.7)
