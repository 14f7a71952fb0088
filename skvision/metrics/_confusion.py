"""The pairs of classes a classifier confuses most often."""

import numpy as np
from sklearn.utils.validation import check_consistent_length, column_or_1d


def most_confused(y_true, y_pred, *, min_count=1, labels=None):
    """The off-diagonal cells of the confusion matrix, largest first.

    fastai's ``most_confused``: which true class is taken for which other
    class, and how often; where a confusion matrix of many classes is hard
    to read, the top of this list says where to look.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_pred : array-like of shape (n_samples,)
        Predicted labels.
    min_count : int, default=1
        Pairs seen fewer times are left out.
    labels : array-like, default=None
        Labels to consider (others are left out); default every label in
        ``y_true`` or ``y_pred``.

    Returns
    -------
    pairs : list of tuple (true_label, predicted_label, count)
        Every pair of different labels seen at least ``min_count`` times, by
        decreasing count (ties in the order of the labels).

    See Also
    --------
    sklearn.metrics.confusion_matrix : All the counts.
    skvision.plotting.TopLossesDisplay : The images behind the errors.

    Examples
    --------
    >>> from skvision.metrics import most_confused
    >>> most_confused(["cat", "cat", "dog", "dog", "dog", "fox"],
    ...               ["dog", "dog", "cat", "dog", "fox", "fox"])
    [('cat', 'dog', 2), ('dog', 'cat', 1), ('dog', 'fox', 1)]
    """
    y_true, y_pred = column_or_1d(y_true), column_or_1d(y_pred)
    check_consistent_length(y_true, y_pred)
    if not isinstance(min_count, int | np.integer) or min_count < 1:
        raise ValueError(f"min_count must be an int >= 1; got {min_count!r}.")
    if labels is None:
        labels = np.unique(np.concatenate([y_true, y_pred]))
    labels = np.asarray(labels)
    wanted = np.isin(y_true, labels) & np.isin(y_pred, labels)
    sorter = np.argsort(labels)  # labels may come in any order
    true_index = sorter[np.searchsorted(labels, y_true[wanted], sorter=sorter)]
    pred_index = sorter[np.searchsorted(labels, y_pred[wanted], sorter=sorter)]
    n = len(labels)
    counts = np.bincount(true_index * n + pred_index, minlength=n * n).reshape(n, n)
    np.fill_diagonal(counts, 0)
    rows, cols = np.nonzero(counts >= min_count)
    order = np.lexsort((cols, rows, -counts[rows, cols]))
    return [
        (
            _scalar(labels[rows[i]]),
            _scalar(labels[cols[i]]),
            int(counts[rows[i], cols[i]]),
        )
        for i in order
    ]


def _scalar(label):
    """A NumPy scalar as the Python value it holds (strings, ints print plainly)."""
    return label.item() if hasattr(label, "item") else label
