"""Autoencoder codes as features of other models, searched together."""

import numpy as np
import pytest
from sklearn.ensemble import RandomForestClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import GridSearchCV
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from xgboost import XGBClassifier

from skvision import ConvAutoencoder, DenseAutoencoder, DenseNetClassifier

AE = dict(
    latent_dim=16,
    batch_size=32,
    max_iter=8,
    early_stopping=False,
    learning_rate="constant",
    learning_rate_init=0.01,
    random_state=0,
)


@pytest.fixture(scope="module")
def frozen_autoencoder(digits):
    """A fitted autoencoder that pipelines use as is (fit does nothing)."""
    X, _, _, _ = digits
    return FrozenEstimator(DenseAutoencoder(hidden_layer_sizes=(64,), **AE).fit(X))


@pytest.mark.parametrize(
    "classifier",
    [
        RandomForestClassifier(n_estimators=50, random_state=0),
        MLPClassifier((32,), early_stopping=True, random_state=0),
        DenseNetClassifier(
            (32,),
            max_iter=20,
            early_stopping=False,
            learning_rate="constant",
            learning_rate_init=0.01,
            random_state=0,
        ),
    ],
    ids=["forest", "mlp", "densenet"],
)
def test_codes_feed_classifiers(digits, frozen_autoencoder, classifier):
    X, y, X_test, y_test = digits
    pipe = make_pipeline(frozen_autoencoder, StandardScaler(), classifier)
    assert pipe.fit(X, y).score(X_test, y_test) > 0.8


def test_grid_search_over_autoencoder_and_xgboost(digits, tmp_path):
    X, y, _, _ = digits
    images = X.reshape(-1, 8, 8)
    # The autoencoder is trained inside the search. memory= caches each fitted
    # one (through its pickling), so the classifier's grid reuses it: 2
    # autoencoder fits, not 4.
    pipe = Pipeline(
        [
            ("convautoencoder", ConvAutoencoder(filters=(8, 16), **AE)),
            (
                "xgbclassifier",
                XGBClassifier(n_estimators=30, learning_rate=0.3, n_jobs=1),
            ),
        ],
        memory=str(tmp_path),
    )
    grid = {"convautoencoder__latent_dim": [4, 16], "xgbclassifier__max_depth": [2, 3]}
    one_split = [(np.arange(700), np.arange(700, len(X)))]
    search = GridSearchCV(pipe, grid, cv=one_split, refit=False).fit(images, y)
    assert len(search.cv_results_["params"]) == 4
    assert search.best_params_["convautoencoder__latent_dim"] == 16
    assert search.best_score_ > 0.8
