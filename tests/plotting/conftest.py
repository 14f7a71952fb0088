import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from sklearn.linear_model import LogisticRegression, RidgeClassifier  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture(scope="session")
def digits_clf(digits):
    """A logistic regression on 300 8x8 digits: a fast stand-in classifier."""
    X_train, y_train, X_test, y_test = digits
    clf = LogisticRegression(max_iter=100).fit(X_train[:300], y_train[:300])
    return clf, X_test, y_test


@pytest.fixture(scope="session")
def digits_search(digits):
    """A fitted grid search over two parameters of a ridge classifier."""
    X_train, y_train = digits[0][:300], digits[1][:300]
    grid = {"alpha": [0.1, 1.0, 10.0], "fit_intercept": [True, False]}
    return GridSearchCV(RidgeClassifier(), grid, cv=3).fit(X_train, y_train)


class FakeNet:
    """A fitted-network stand-in: only ``history_`` and ``best_epoch_``."""

    def __init__(self, history, best_epoch=None):
        self.history_ = history
        if best_epoch is not None:
            self.best_epoch_ = best_epoch


@pytest.fixture
def fake_net():
    return FakeNet


@pytest.fixture
def rng():
    return np.random.default_rng(0)
