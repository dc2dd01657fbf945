"""Video recommendations: a two-stage recommender judged by ranking metrics, on simulated or MovieLens data.

- :mod:`.schema` — the interactions table every source is mapped onto
"""
