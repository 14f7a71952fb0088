"""Figures of skvision studies, in scikit-learn's ``*Display`` style.

Each display stores its data on construction, draws with ``plot(ax=None)``
(which returns the display, with ``ax_`` and ``figure_`` set) and has
``from_estimator``/``from_predictions``-style constructors. matplotlib is
imported only when a figure is drawn.
"""

from ._comparison import ModelComparisonDisplay
from ._confusion import ConfusionMatrixDisplay
from ._gallery import PredictionGalleryDisplay
from ._gradcam import GradCAMDisplay
from ._history import HistoryDisplay
from ._lr_finder import LearningRateFinderDisplay
from ._parameter_study import ParameterStudyDisplay
from ._reconstruction import ReconstructionDisplay
from ._top_losses import TopLossesDisplay
from ._topk import TopKProbabilitiesDisplay

__all__ = [
    "ConfusionMatrixDisplay",
    "GradCAMDisplay",
    "HistoryDisplay",
    "LearningRateFinderDisplay",
    "ModelComparisonDisplay",
    "ParameterStudyDisplay",
    "PredictionGalleryDisplay",
    "ReconstructionDisplay",
    "TopKProbabilitiesDisplay",
    "TopLossesDisplay",
]
