import numpy as np
import pytest

from skvision.plotting import TopKProbabilitiesDisplay

PROBA = [0.05, 0.5, 0.1, 0.3, 0.05]
NAMES = ["ant", "bee", "cat", "dog", "eel"]


def test_bars_count_order_and_labels():
    disp = TopKProbabilitiesDisplay(PROBA, NAMES).plot(k=3)
    assert len(disp.bars_) == 3
    widths = [bar.get_width() for bar in disp.bars_]
    assert widths == [0.5, 0.3, 0.1]
    assert disp.top_names_ == ["bee", "dog", "cat"]
    assert list(disp.top_indices_) == [1, 3, 2]
    ticks = [t.get_text() for t in disp.ax_.get_yticklabels()]
    assert ticks == ["bee", "dog", "cat"]
    assert disp.ax_.yaxis_inverted()  # most probable on top
    assert [t.get_text() for t in disp.bar_labels_] == ["0.50", "0.30", "0.10"]
    assert disp.image_ax_ is None and disp.image_ is None


def test_k_larger_than_classes_and_default_names():
    disp = TopKProbabilitiesDisplay([0.2, 0.8]).plot(k=5)
    assert disp.top_names_ == ["1", "0"]


def test_image_shown_beside_bars(rng):
    image = rng.random((6, 6))
    disp = TopKProbabilitiesDisplay(PROBA, NAMES, image=image).plot(k=2)
    assert disp.image_ax_ is not None and disp.image_ax_ is not disp.ax_
    np.testing.assert_array_equal(disp.image_.get_array(), image)
    assert len(disp.figure_.axes) == 2
    disp = TopKProbabilitiesDisplay(PROBA, NAMES, image=image).plot(show_image=False)
    assert disp.image_ax_ is None


def test_from_estimator(digits_clf):
    clf, X, _ = digits_clf
    names = [f"digit {c}" for c in clf.classes_]
    disp = TopKProbabilitiesDisplay.from_estimator(clf, X[0], k=4, class_names=names)
    proba = clf.predict_proba(X[:1])[0]
    expected = np.sort(proba)[::-1][:4]
    np.testing.assert_allclose([b.get_width() for b in disp.bars_], expected)
    assert disp.top_names_[0] == f"digit {clf.predict(X[:1])[0]}"
    assert disp.image_.get_array().shape == (8, 8)
    # A batch of one is accepted as well.
    again = TopKProbabilitiesDisplay.from_estimator(clf, X[:1], k=4, class_names=names)
    assert again.top_names_ == disp.top_names_


def test_from_estimator_reshapes_to_input_shape():
    class ImageNet:
        input_shape_ = (4, 4)
        classes_ = np.array(["no", "yes"])

        def predict_proba(self, X):
            assert X.shape == (1, 4, 4)
            return np.array([[0.3, 0.7]])

    disp = TopKProbabilitiesDisplay.from_estimator(ImageNet(), np.zeros(16), k=1)
    assert disp.top_names_ == ["yes"]
    assert disp.image_.get_array().shape == (4, 4)
    with pytest.raises(ValueError, match=r"\(4, 4\)"):
        TopKProbabilitiesDisplay.from_estimator(ImageNet(), np.zeros(15))


def test_mismatched_names():
    with pytest.raises(ValueError, match="2 class names for 5"):
        TopKProbabilitiesDisplay(PROBA, ["a", "b"]).plot()
