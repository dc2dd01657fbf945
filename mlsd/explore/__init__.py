"""Interactive explorers for notebooks: move a control, see what a design choice changes.

Every explorer comes in two parts:

- a **state** object (``...State``) with no widgets: set its inputs as attributes, read a frozen
  ``snapshot()`` of every number shown. It holds all the logic, is validated (bad input raises
  ``ValueError`` naming the argument, the value and what is allowed) and is tested like any
  other code; its numbers are exactly those of :mod:`mlsd.metrics`.
- a thin **view** built on ipywidgets: each control's ``observe(..., names="value")`` sets the
  state, then the view re-renders a readout (``widgets.HTML``) and a figure rendered to PNG bytes
  (a matplotlib ``Figure`` on an Agg canvas, never pyplot) in a ``widgets.Image``. The view's
  ``widget`` attribute is the whole layout, and a notebook cell ending with the view displays it.

Explorers:

- :class:`ThresholdExplorer` / :class:`ThresholdExplorerState` — pick the score threshold at
  which to act, with the costs of both mistakes, and find the cost-minimising one.
- :class:`CalibrationExplorer` / :class:`CalibrationExplorerState` — negative downsampling:
  how it miscalibrates a click model, and how ``q = p / (p + (1 − p) / w)`` corrects it.
"""

from mlsd.explore.calibration import CalibrationExplorer, CalibrationExplorerState
from mlsd.explore.threshold import ThresholdExplorer, ThresholdExplorerState

__all__ = [
    "CalibrationExplorer",
    "CalibrationExplorerState",
    "ThresholdExplorer",
    "ThresholdExplorerState",
]
