"""Transfer learning: pretrained and self-trained backbones, few-shot recognition."""

from ._classifier import BackboneClassifier
from ._features import BackboneFeatures
from ._few_shot import FewShotSplit

__all__ = ["BackboneClassifier", "BackboneFeatures", "FewShotSplit"]
