import warnings

import optuna
import pytest
from optuna.distributions import FloatDistribution
from sklearn.model_selection import StratifiedShuffleSplit

from skvision import DenseNetClassifier
from skvision.model_selection import HyperbandSearchCV, dense_search_space


@pytest.fixture(scope="session")
def pruned_search(digits):
    """A Hyperband search of the dense space on 400 digits, shared by modules."""
    X, y, _, _ = digits
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    net, space = dense_search_space(
        DenseNetClassifier(batch_size=64, random_state=0),
        max_layers=3,
        min_units=8,
        max_units=32,
        step=8,
    )
    # Very low learning rates make bad trials that Hyperband should prune.
    space["learning_rate_init"] = FloatDistribution(1e-5, 1e-1, log=True)
    search = HyperbandSearchCV(
        net,
        space,
        max_epochs=4,
        reduction_factor=2,
        n_trials=6,
        # One seeded hold-out split: a network per trial, not per fold, keeps
        # this fixture fast (each new Keras model costs seconds of tracing).
        cv=StratifiedShuffleSplit(1, test_size=0.5, random_state=0),
        random_state=0,
    )
    with warnings.catch_warnings():
        # optuna-integration cannot give one split's scores to Optuna's
        # terminator and says so at every trial; the search is unaffected.
        warnings.filterwarnings("ignore", "Failed to report cross validation")
        return search.fit(X[:400], y[:400])
