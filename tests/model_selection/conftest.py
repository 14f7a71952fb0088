import warnings

import optuna
import pytest
from optuna.distributions import FloatDistribution
from sklearn.model_selection import StratifiedShuffleSplit

from skvision import DenseNetClassifier
from skvision.model_selection import HyperbandSearchCV, dense_search_space


@pytest.fixture(scope="session")
def pruned_search_and_warnings(digits):
    """A Hyperband search of the dense space on 400 digits, and its warnings."""
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
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        search.fit(X[:400], y[:400])
    return search, caught


@pytest.fixture(scope="session")
def pruned_search(pruned_search_and_warnings):
    """The fitted search of ``pruned_search_and_warnings``, shared by modules."""
    return pruned_search_and_warnings[0]
