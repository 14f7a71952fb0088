"""Metric learning: networks trained so that distances recognise classes.

:class:`EmbeddingNet` is a transformer whose embeddings make a
nearest-neighbour classifier a few-shot learner of classes it never saw.
"""

from ._embedding_net import EmbeddingNet

__all__ = ["EmbeddingNet"]
