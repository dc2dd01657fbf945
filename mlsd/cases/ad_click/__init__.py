"""Ad click prediction: ads are ranked by bid × pCTR in an auction, so the probability itself must be right.

- :mod:`.simulate` — the simulated marketplace with known click probabilities and delayed clicks
- :mod:`.features` — hashed categoricals with crosses; as-of-day historical click rates
- :mod:`.models` — smoothed-CTR baseline, hashed logistic regression, gradient-boosted trees
- :mod:`.auction` — the second-price auction that consumes pCTR
- :mod:`.experiments` — the architecture and tradeoff experiments of the notebooks
- :mod:`.design` — the filled design review
"""
