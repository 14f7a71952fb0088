"""skvision estimators inside scikit-learn and Optuna tools."""

import numpy as np
import optuna
from optuna_integration import OptunaSearchCV
from sklearn.model_selection import GridSearchCV, KFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from skvision import DenseNetClassifier


def test_pipeline_with_a_scaler(digits, small_net):
    X, y, X_test, y_test = digits
    pipe = make_pipeline(MinMaxScaler(), DenseNetClassifier(**small_net))
    assert pipe.fit(X * 16, y).score(X_test * 16, y_test) > 0.9


def test_grid_search_over_network_parameters(digits, small_net):
    X, y, _, _ = digits
    search = GridSearchCV(
        DenseNetClassifier(**small_net),
        {"hidden_layer_sizes": [(8,), (32,)], "dropout": [0.0, 0.2]},
        cv=2,
    ).fit(X, y)
    assert len(search.cv_results_["params"]) == 4
    assert search.best_estimator_.n_iter_ == small_net["max_iter"]
    assert search.best_score_ > 0.8


def test_cross_validate_reports_each_fold(digits, small_net):
    X, y, _, _ = digits
    scores = cross_validate(
        DenseNetClassifier(**small_net), X, y, cv=3, scoring=["accuracy", "f1_macro"]
    )
    assert scores["test_accuracy"].shape == (3,)
    assert np.all(scores["test_f1_macro"] > 0.8)


def test_optuna_search_with_pruning_uses_partial_fit(digits, small_net):
    X, y, _, _ = digits
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    search = OptunaSearchCV(
        DenseNetClassifier(**small_net),
        {
            "learning_rate_init": optuna.distributions.FloatDistribution(
                1e-3, 3e-2, log=True
            )
        },
        cv=KFold(3),
        n_trials=3,
        enable_pruning=True,
        max_iter=4,
        random_state=0,
    ).fit(X, y)
    assert len(search.trials_) == 3
    assert search.best_score_ > 0.8
