"""Bad input gets scikit-learn's errors, never a Keras stack trace."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from skvision import DenseNetClassifier


@pytest.fixture
def fitted(fitted_small_net):
    return fitted_small_net


def _bad_X(X):
    with_nan = X.copy()
    with_nan[0, 0] = np.nan
    with_inf = X.copy()
    with_inf[1, 1] = np.inf
    return {
        "nan": (with_nan, ValueError, "NaN"),
        "inf": (with_inf, ValueError, "infinity"),
        "sparse": (sp.csr_matrix(X), TypeError, "Sparse data"),
        "strings": (
            X.astype(str).astype(object) + "px",
            ValueError,
            "could not convert",
        ),
        "empty": (X[:0], ValueError, "0 sample"),
        "1d": (X[0], ValueError, "Expected 2D array"),
    }


@pytest.mark.parametrize("case", ["nan", "inf", "sparse", "strings", "empty", "1d"])
def test_fit_rejects_bad_X(digits, small_net, case):
    X, y, _, _ = digits
    bad, error, message = _bad_X(X)[case]
    with pytest.raises(error, match=message):
        DenseNetClassifier(**small_net).fit(
            bad, y[: bad.shape[0]] if bad.ndim > 1 else y
        )


@pytest.mark.parametrize("case", ["nan", "inf", "sparse", "strings", "empty", "1d"])
def test_predict_rejects_bad_X(digits, fitted, case):
    X, _, _, _ = digits
    bad, error, message = _bad_X(X)[case]
    with pytest.raises(error, match=message):
        fitted.predict(bad)


def test_predict_checks_the_number_of_features(digits, fitted):
    X, _, _, _ = digits
    with pytest.raises(
        ValueError, match="X has 63 features, but DenseNetClassifier is"
    ):
        fitted.predict(X[:, :63])
    with pytest.raises(ValueError, match="X has 49 features"):
        fitted.predict(np.zeros((2, 7, 7), dtype=np.float32))


@pytest.mark.parametrize("method", ["predict", "predict_proba", "score"])
def test_unfitted_estimator_raises_not_fitted(digits, method):
    X, y, _, _ = digits
    args = (X, y) if method == "score" else (X,)
    with pytest.raises(NotFittedError, match="not fitted yet"):
        getattr(DenseNetClassifier(), method)(*args)


def test_y_problems(digits, small_net):
    X, y, _, _ = digits
    clf = DenseNetClassifier(**small_net)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        clf.fit(X, y[:-1])
    with pytest.raises(ValueError, match="Unknown label type"):
        clf.fit(X, y + 0.5)
    with pytest.raises(ValueError, match="at least 2 classes"):
        clf.fit(X, np.zeros(len(X)))
    # 2-D y is multi-label targets: 0/1 columns, nothing else.
    with pytest.raises(ValueError, match="only as multi-label targets"):
        clf.fit(X, np.c_[y, y])


def test_bad_sample_weight(digits, small_net):
    X, y, _, _ = digits
    clf = DenseNetClassifier(**small_net)
    with pytest.raises(ValueError, match="Negative values"):
        clf.fit(X, y, sample_weight=-np.ones(len(y)))
    with pytest.raises(ValueError, match="at least one non-zero"):
        clf.fit(X, y, sample_weight=np.zeros(len(y)))
    with pytest.raises(ValueError, match="sample_weight.shape"):
        clf.fit(X, y, sample_weight=np.ones(3))


@pytest.mark.parametrize(
    "params, message",
    [
        ({"activation": "swish"}, "activation"),
        ({"optimizer": "adagrad"}, "optimizer"),
        ({"dropout": 1.5}, "dropout"),
        ({"batch_size": 0}, "batch_size"),
        ({"validation_fraction": 1.0}, "validation_fraction"),
        ({"hidden_layer_sizes": (10, -2)}, "hidden_layer_sizes"),
        ({"monitor": "val_f1"}, "monitor"),
    ],
)
def test_bad_parameters_are_named(digits, small_net, params, message):
    X, y, _, _ = digits
    with pytest.raises(ValueError, match=message):
        DenseNetClassifier(**{**small_net, **params}).fit(X, y)


def test_tiny_data_with_a_validation_split_is_explained(digits):
    X, y, _, _ = digits
    with pytest.raises(ValueError, match="validation_fraction=0.95 leaves no"):
        DenseNetClassifier(max_iter=1, validation_fraction=0.95).fit(X[:10], y[:10])


def _outputs(estimator, X):
    if hasattr(estimator, "predict_proba"):
        return estimator.predict_proba(X)
    return estimator.transform(X)


def test_values_beyond_float32_are_rejected_at_fit_and_predict(
    any_estimator, digit_images
):
    X, y = digit_images
    huge = X.copy()
    huge[3, 2, 2] = 1e39  # finite in float64, inf in float32
    with pytest.raises(ValueError, match="too large for float32.*1e\\+39"):
        clone(any_estimator).fit(huge, y)
    fitted = any_estimator.fit(X, y)
    with pytest.raises(ValueError, match="too large for float32"):
        _outputs(fitted, huge)
    # float64 estimators hold such values.
    wide = clone(any_estimator).set_params(dtype="float64").fit(X, y)
    assert _outputs(wide, X).shape[0] == len(X)


def test_images_of_another_shape_are_rejected_flat_samples_accepted(
    any_estimator, digit_images
):
    X, y = digit_images
    fitted = any_estimator.fit(X, y)
    with pytest.raises(ValueError, match=r"images of shape \(4, 16\).*\(8, 8\)"):
        _outputs(fitted, X.reshape(-1, 4, 16))
    np.testing.assert_allclose(
        _outputs(fitted, X.reshape(len(X), -1)), _outputs(fitted, X[..., None])
    )


def test_images_are_rejected_by_a_net_fitted_on_other_flat_samples(
    digits, fitted_small_net
):
    X, _, _, _ = digits
    clf = fitted_small_net
    with pytest.raises(ValueError, match="fitted on flat samples of 64 features"):
        clf.predict(X.reshape(-1, 4, 16))


PREDICTING_METHODS = (
    "predict",
    "predict_proba",
    "extract_features",
    "score",
    "score_samples",
    "transform",
    "inverse_transform",
    "get_feature_names_out",
)


def test_every_method_of_an_unfitted_estimator_raises_not_fitted(
    any_estimator, digit_images
):
    X, y = digit_images
    methods = [m for m in PREDICTING_METHODS if hasattr(any_estimator, m)]
    assert len(methods) >= 4
    for method in methods:
        args = {"score": (X, y), "get_feature_names_out": ()}.get(method, (X,))
        with pytest.raises(NotFittedError):
            getattr(any_estimator, method)(*args)


def test_pixels_of_another_dtype_than_fit_name_the_dtype_given(digits, small_net):
    X, y, X_test, _ = digits
    pixels = (X * 255).astype(np.uint8)
    net = DenseNetClassifier(**{**small_net, "max_iter": 1}).fit(pixels, y)
    as_int64 = (X_test * 255).astype(np.int64)
    with pytest.raises(
        ValueError,
        match="X has dtype int64, but DenseNetClassifier was fitted on uint8",
    ):
        net.predict(as_int64)
    with pytest.raises(ValueError, match="X has dtype float64, .* on uint8"):
        net.predict(X_test.astype(np.float64))
