import numpy as np
import pytest

from skvision.plotting import PredictionGalleryDisplay


def _red(text):
    return text.get_color() == "red"


def test_from_estimator_red_titles_exactly_for_errors(digits_clf):
    clf, X, y = digits_clf
    disp = PredictionGalleryDisplay.from_estimator(clf, X, y, n_images=16)
    assert disp.axes_.shape == (4, 4)
    assert len(disp.images_) == 16
    assert disp.images_[0].get_array().shape == (8, 8)  # sqrt of 64 features
    y_pred = clf.predict(X[:16])
    np.testing.assert_array_equal(disp.misclassified_, y_pred != y[:16])
    for title, true, pred in zip(disp.titles_, y[:16], y_pred, strict=True):
        assert title.get_text() == f"{true} / {pred}"
        assert _red(title) == (true != pred)


def test_only_errors(digits_clf):
    clf, X, y = digits_clf
    errors = np.flatnonzero(clf.predict(X) != y)
    assert len(errors) > 12
    disp = PredictionGalleryDisplay.from_estimator(
        clf, X, y, n_images=12, only_errors=True
    )
    assert len(disp.images_) == 12
    assert all(_red(title) for title in disp.titles_)
    np.testing.assert_array_equal(
        [im.get_array() for im in disp.images_], X[errors[:12]].reshape(12, 8, 8)
    )


def test_cells_past_the_last_image_are_off():
    y = [0, 1, 2, 3, 4]
    disp = PredictionGalleryDisplay(np.zeros((5, 3, 3)), y, y).plot(n_cols=3)
    assert disp.axes_.shape == (2, 3)
    assert [ax.axison for ax in disp.axes_.flat] == [True] * 5 + [False]


def test_random_state_draws_reproducibly(digits_clf):
    clf, X, y = digits_clf
    first = PredictionGalleryDisplay.from_estimator(clf, X, y, n_images=9)
    a = PredictionGalleryDisplay.from_estimator(clf, X, y, n_images=9, random_state=1)
    b = PredictionGalleryDisplay.from_estimator(clf, X, y, n_images=9, random_state=1)
    pixels = [[im.get_array() for im in d.images_] for d in (first, a, b)]
    np.testing.assert_array_equal(pixels[1], pixels[2])
    assert not np.array_equal(pixels[0], pixels[1])


def test_class_names_follow_estimator_classes():
    class TwoDigits:
        classes_ = np.array([3, 8])

        def predict(self, X):
            return np.where(X.sum(axis=1) > 0, 8, 3)

    X = np.array([[1.0] * 4, [-1.0] * 4, [1.0] * 4])
    disp = PredictionGalleryDisplay.from_estimator(
        TwoDigits(), X, [8, 3, 3], class_names=["three", "eight"]
    )
    titles = [t.get_text() for t in disp.titles_]
    assert titles == ["eight / eight", "three / three", "three / eight"]
    assert [_red(t) for t in disp.titles_] == [False, False, True]


def test_image_shape_from_input_shape():
    class Wide:
        input_shape_ = (4, 16)

        def predict(self, X):
            return np.zeros(len(X), dtype=int)

    X = np.zeros((3, 64))
    disp = PredictionGalleryDisplay.from_estimator(Wide(), X, [0, 1, 0])
    assert disp.images_[0].get_array().shape == (4, 16)
    assert len(disp.images_) == 3


def test_from_predictions_shapes(rng):
    y_true, y_pred = [0, 1, 2, 3, 4], [0, 1, 2, 0, 4]
    rgb = rng.random((5, 6, 6, 3))
    disp = PredictionGalleryDisplay.from_predictions(rgb, y_true, y_pred, n_images=4)
    assert len(disp.images_) == 4
    assert disp.images_[0].get_array().shape == (6, 6, 3)
    assert [_red(t) for t in disp.titles_] == [False, False, False, True]

    flat = rng.random((5, 12))
    disp = PredictionGalleryDisplay.from_predictions(
        flat, y_true, y_pred, image_shape=(3, 4), n_cols=5
    )
    assert disp.axes_.shape == (1, 5)
    assert disp.images_[0].get_array().shape == (3, 4)

    # 12 = 2 * 2 * 3: a square RGB image.
    disp = PredictionGalleryDisplay.from_predictions(flat, y_true, y_pred)
    assert disp.images_[0].get_array().shape == (2, 2, 3)
    with pytest.raises(ValueError, match="image_shape"):
        PredictionGalleryDisplay.from_predictions(flat[:, :10], y_true, y_pred)


def test_given_axes_and_class_name_dict(rng):
    import matplotlib.pyplot as plt

    _, axes = plt.subplots(2, 3)
    images = rng.random((4, 5, 5, 1))
    disp = PredictionGalleryDisplay(
        images, ["a", "b", "a", "b"], ["a", "a", "a", "b"], class_names={"a": "ant"}
    ).plot(ax=axes)
    assert disp.axes_ is not None and disp.axes_.shape == (2, 3)
    assert [t.get_text() for t in disp.titles_][:2] == ["ant / ant", "b / ant"]
    assert [ax.axison for ax in axes.flat] == [True] * 4 + [False] * 2
    with pytest.raises(ValueError, match="6 axes for 7 images"):
        PredictionGalleryDisplay(rng.random((7, 5, 5)), [0] * 7, [0] * 7).plot(ax=axes)


def test_class_names_sequence_indexed_by_integer_labels():
    images = np.zeros((2, 3, 3))
    disp = PredictionGalleryDisplay(images, [1, 0], [1, 1], class_names=["no", "yes"])
    assert [t.get_text() for t in disp.plot().titles_] == ["yes / yes", "no / yes"]
    disp = PredictionGalleryDisplay(images, ["a", "b"], ["a", "a"], class_names=["x"])
    with pytest.raises(ValueError, match="dict"):
        disp.plot()


def test_no_errors_to_show():
    y = [0, 1, 2]
    disp = PredictionGalleryDisplay.from_predictions(
        np.zeros((3, 4, 4)), y, y, only_errors=True
    )
    assert disp.images_ == [] and disp.titles_ == []
    assert disp.ax_.texts[0].get_text() == "no images"
