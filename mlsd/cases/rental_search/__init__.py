"""Rental search ranking: the order of listings for a search (Airbnb-style), from graded outcomes.

Modules so far — the case joins :data:`mlsd.cases.CASES` with its notebooks, explorer and exercise:

- :mod:`.schema` — the search-results table every source is mapped onto, and the graded labels
- :mod:`.simulate` — the generative story: markets, listings, guests on trips, retrieval, a logging
  policy with random-order traffic, examination by position, clicks, requests and hosts' answers
- :mod:`.expedia` — Expedia's hotel-search logs (Kaggle 2013, RecTour 2021), read offline onto the
  schema
- :mod:`.data` — ``load_data`` for either source, and the split by day
- :mod:`.models` — the quality heuristic, pointwise gradient-boosted trees and LambdaMART
"""
