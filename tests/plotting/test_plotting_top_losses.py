"""TopLossesDisplay: the samples with the highest log loss, and what they show."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skvision.metrics import most_confused
from skvision.plotting import TopLossesDisplay


def test_the_highest_losses_come_first(digits_clf):
    clf, X, y = digits_clf
    disp = TopLossesDisplay.from_estimator(clf, X, y, n=6)
    # In float64, as the display: the logs of the regression's float32
    # probabilities in float32 differ by an ulp or two, and could reorder
    # two losses that close.
    proba = clf.predict_proba(X).astype(np.float64)
    losses = -np.log(proba[np.arange(len(y)), np.searchsorted(clf.classes_, y)])
    expected = np.argsort(-losses, kind="stable")[:6]
    np.testing.assert_array_equal(disp.indices, expected)
    np.testing.assert_allclose(disp.losses, losses[expected])
    assert np.all(np.diff(disp.losses) <= 0)
    np.testing.assert_array_equal(disp.y_true, y[expected])
    np.testing.assert_array_equal(disp.y_pred, clf.predict(X)[expected])
    np.testing.assert_allclose(disp.probabilities, proba[expected].max(axis=1))
    assert len(disp.images_) == 6 and disp.ax_ is disp.axes_.flat[0]
    top = disp.titles_[0].get_text()
    assert top.startswith(f"{y[expected[0]]} / {disp.y_pred[0]} ")
    assert f"loss {losses[expected[0]]:.2f}" in top
    assert disp.most_confused == most_confused(y, clf.predict(X))


def test_pipelines_names_and_image_shape(digits_clf, digits):
    X_train, y_train, X, y = digits
    pipe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=200))
    pipe.fit(X_train[:300], y_train[:300])
    names = [f"digit {i}" for i in range(10)]
    disp = TopLossesDisplay.from_estimator(pipe, X, y, n=2, class_names=names)
    assert disp.titles_[0].get_text().startswith(f"digit {disp.y_true[0]} / ")
    assert disp.images_[0].get_array().shape == (8, 8)


def test_from_predictions_with_labels(rng):
    images = rng.random((4, 5, 5))
    proba = np.array([[0.7, 0.3], [0.1, 0.9], [0.8, 0.2], [0.5, 0.5]])
    disp = TopLossesDisplay.from_predictions(
        images, ["b", "b", "a", "a"], proba, classes=["a", "b"], n=2
    )
    assert disp.indices.tolist() == [0, 3]
    assert disp.y_pred.tolist() == ["a", "a"]  # ties go to the first class
    assert disp.most_confused == [("b", "a", 1)]


def test_bad_labels_are_clear_errors(digits_clf):
    clf, X, y = digits_clf
    with pytest.raises(ValueError, match="has 10 labels for 797 samples"):
        TopLossesDisplay.from_estimator(clf, X, y[:10])
    unknown = y.copy()
    unknown[0] = 42
    with pytest.raises(ValueError, match=r"labels \[42\] that are not among"):
        TopLossesDisplay.from_estimator(clf, X, unknown)
    with pytest.raises(ValueError, match="one label per sample"):
        TopLossesDisplay.from_estimator(clf, X, np.column_stack([y, y]))
    with pytest.raises(ValueError, match="n must be an int >= 1"):
        TopLossesDisplay.from_estimator(clf, X, y, n=0)


def test_a_skvision_classifier_on_file_paths(tmp_path, digit_images):
    Image = pytest.importorskip("PIL.Image")
    from skvision import ConvNetClassifier

    X, y = digit_images
    pixels = (X[:40] * 255).round().astype(np.uint8)
    paths = []
    for i, image in enumerate(pixels):
        Image.fromarray(image).save(tmp_path / f"{i}.png")
        paths.append(str(tmp_path / f"{i}.png"))
    clf = ConvNetClassifier(
        conv_blocks=((4,),),
        dense_layer_sizes=(),
        image_shape=(8, 8, 1),
        max_iter=2,
        early_stopping=False,
        random_state=0,
    ).fit(pixels, y[:40])
    from_paths = TopLossesDisplay.from_estimator(clf, np.array(paths), y[:40], n=3)
    from_arrays = TopLossesDisplay.from_estimator(clf, pixels, y[:40], n=3)
    # Files and arrays give the same losses to float32 rounding, not to the
    # bit (other batch sizes, other kernels), so two losses that close could
    # swap places: each file shown has the loss of the array shown in its
    # place, and its own pixels.
    proba = clf.predict_proba(pixels).astype(np.float64)
    losses = -np.log(proba[np.arange(40), np.searchsorted(clf.classes_, y[:40])])
    np.testing.assert_allclose(
        losses[from_paths.indices], from_arrays.losses, rtol=1e-4, atol=1e-6
    )
    np.testing.assert_array_equal(
        from_paths.images_[0].get_array(), pixels[from_paths.indices[0]]
    )
