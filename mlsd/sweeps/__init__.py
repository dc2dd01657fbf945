"""Parameter sweeps: one notebook run over a grid of parameter values, resumable after interruption."""
