"""Search spaces, Hyperband pruning, distributed studies and search results.

Searches stay scikit-learn's ``GridSearchCV``/``RandomizedSearchCV`` and
optuna-integration's ``OptunaSearchCV``; this package adds what they lack for
networks:

- :func:`dense_search_space` and :func:`conv_search_space`: the studies'
  spaces, variable depth included, as an estimator and a flat dict of
  independent distributions (Optuna or scikit-learn); :class:`ConvBlocks`
  and :class:`DenseHead` make a ``ConvNetClassifier``'s depth and head
  searchable;
- :class:`HyperbandSearchCV` (:func:`hyperband_search`): ``OptunaSearchCV``
  pruning over epochs with Optuna's ``HyperbandPruner``
  (:func:`make_hyperband_pruner`), with fixed folds and a refit of as many
  epochs as were scored (:func:`deterministic_cv`, :func:`epoch_estimator`);
- :func:`run_distributed_search` and :func:`load_best_estimator`: several
  processes or machines finish one study of exactly N trials in a database
  or a journal file, replacing the trials of workers that die
  (:class:`LostStorageError` when the database stays away);
- :func:`search_results_frame` and :class:`SearchHistoryDisplay`: the trials
  as a table and a figure.

Importing this package does not load Keras.
"""

from ._distributed import (
    LostStorageError,
    load_best_estimator,
    run_distributed_search,
)
from ._hyperband import HyperbandSearchCV, hyperband_search
from ._pruning import deterministic_cv, epoch_estimator, make_hyperband_pruner
from ._results import SearchHistoryDisplay, search_results_frame
from ._spaces import ConvBlocks, DenseHead, conv_search_space, dense_search_space

__all__ = [
    "ConvBlocks",
    "DenseHead",
    "HyperbandSearchCV",
    "LostStorageError",
    "SearchHistoryDisplay",
    "conv_search_space",
    "deterministic_cv",
    "dense_search_space",
    "epoch_estimator",
    "hyperband_search",
    "load_best_estimator",
    "make_hyperband_pruner",
    "run_distributed_search",
    "search_results_frame",
]
