"""Video recommendations: a two-stage recommender judged by ranking metrics, on simulated or MovieLens data.

- :mod:`.schema` — the interactions table every source is mapped onto
- :mod:`.simulate` — simulated watches with known tastes, popularity, cold start and freshness
- :mod:`.split` — temporal and per-user random train/test splits
- :mod:`.candidates` — popular, co-visitation and matrix-factorisation candidate sources
- :mod:`.ranker` — the gradient-boosted ranker over the merged candidates
- :mod:`.movielens` — the MovieLens rating files, mapped onto the schema
- :mod:`.data` — choosing the simulator or a MovieLens file from notebook parameters
- :mod:`.evaluation` — accuracy and beyond-accuracy metrics of a recommender
- :mod:`.feedback` — the feedback loop, exploration and an A/B test on watch time
- :mod:`.design` — the filled design review
"""
