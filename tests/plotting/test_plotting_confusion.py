import numpy as np
import pytest
from sklearn.metrics import confusion_matrix

from skvision.plotting import ConfusionMatrixDisplay

Y_TRUE = ["cat", "cat", "cat", "dog", "dog", "fox", "fox", "fox", "fox"]
Y_PRED = ["cat", "dog", "dog", "dog", "fox", "fox", "fox", "fox", "cat"]


def test_from_estimator_matches_sklearn(digits_clf):
    clf, X, y = digits_clf
    disp = ConfusionMatrixDisplay.from_estimator(clf, X, y)
    expected = confusion_matrix(y, clf.predict(X))
    np.testing.assert_array_equal(disp.confusion_matrix, expected)
    np.testing.assert_array_equal(disp.im_.get_array(), expected)
    assert disp.text_.shape == (10, 10)
    assert disp.text_[3, 3].get_text() == str(expected[3, 3])
    assert len(disp.figure_.axes) == 2  # matrix and colour bar


def test_hide_diagonal_masks_cells_and_rescales_colours():
    disp = ConfusionMatrixDisplay.from_predictions(Y_TRUE, Y_PRED, hide_diagonal=True)
    cm = confusion_matrix(Y_TRUE, Y_PRED)
    shown = disp.im_.get_array()
    assert np.ma.isMaskedArray(shown)
    np.testing.assert_array_equal(np.ma.getmaskarray(shown), np.eye(3, dtype=bool))
    off_diagonal = cm[~np.eye(3, dtype=bool)]
    assert disp.im_.get_clim() == (off_diagonal.min(), off_diagonal.max())
    for i, j in np.ndindex(3, 3):
        if i == j:
            assert disp.text_[i, j] is None
        else:
            assert disp.text_[i, j].get_text() == str(cm[i, j])
    diagonal_texts = {(t.get_position()) for t in disp.ax_.texts}
    assert not any(x == y for x, y in diagonal_texts)


def test_diagonal_shown_by_default():
    disp = ConfusionMatrixDisplay.from_predictions(Y_TRUE, Y_PRED)
    assert not np.ma.is_masked(disp.im_.get_array())
    assert len(disp.ax_.texts) == 9


@pytest.mark.parametrize("normalize, axis", [("true", 1), ("pred", 0), ("all", None)])
def test_normalize(normalize, axis):
    disp = ConfusionMatrixDisplay.from_predictions(
        Y_TRUE, Y_PRED, normalize=normalize, hide_diagonal=True
    )
    sums = disp.confusion_matrix.sum(axis=axis)
    np.testing.assert_allclose(sums, 1.0)
    # The full matrix, diagonal included, is what was normalized.
    assert disp.confusion_matrix[0, 0] > 0


def test_display_labels_and_label_order():
    disp = ConfusionMatrixDisplay.from_predictions(
        Y_TRUE, Y_PRED, labels=["fox", "dog", "cat"], display_labels=["F", "D", "C"]
    )
    assert [t.get_text() for t in disp.ax_.get_xticklabels()] == ["F", "D", "C"]
    assert [t.get_text() for t in disp.ax_.get_yticklabels()] == ["F", "D", "C"]
    assert disp.confusion_matrix[0, 0] == 3  # fox -> fox


def test_string_labels_shown_by_default():
    disp = ConfusionMatrixDisplay.from_predictions(Y_TRUE, Y_PRED)
    labels = [t.get_text() for t in disp.ax_.get_xticklabels()]
    assert labels == ["cat", "dog", "fox"]


def test_no_values_no_colorbar_and_given_axes():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    cm = np.array([[5, 1], [2, 7]])
    disp = ConfusionMatrixDisplay(cm).plot(include_values=False, colorbar=False, ax=ax)
    assert disp.ax_ is ax and disp.figure_ is fig
    assert disp.text_ is None and len(ax.texts) == 0
    assert len(fig.axes) == 1


def test_values_format():
    cm = np.array([[0.5, 0.25], [0.125, 1.0]])
    disp = ConfusionMatrixDisplay(cm).plot(values_format=".1%")
    assert disp.text_[0, 1].get_text() == "25.0%"
