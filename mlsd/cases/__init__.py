"""The case studies: one package each, all of the same shape (simulate, features, models, experiments, design)."""
