"""Expected calibration error: how far confidence is from accuracy."""

import numpy as np
from sklearn.utils.validation import check_consistent_length, column_or_1d


def expected_calibration_error(y_true, y_prob, *, n_bins=15, labels=None):
    """Top-label expected calibration error (ECE) of predicted probabilities.

    The predictions' confidences (the largest probability of each sample)
    are put into ``n_bins`` equal-width bins of [0, 1]; the ECE is the mean,
    weighted by the bins' sizes, of ``|accuracy - mean confidence|`` in each
    bin (Guo et al., "On Calibration of Modern Neural Networks", 2017, with
    15 bins). 0 is perfect calibration; a network that is 99 % sure and 90 %
    right has an ECE near 0.09.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_prob : array-like of shape (n_samples, n_classes) or (n_samples,)
        Predicted probabilities, columns in the order of ``labels``; a 1-D
        array is the probability of the second of two labels.
    n_bins : int, default=15
        Number of equal-width confidence bins.
    labels : array-like of shape (n_classes,), default=None
        The labels of ``y_prob``'s columns (e.g. an estimator's
        ``classes_``); default the sorted labels of ``y_true``.

    Returns
    -------
    ece : float
        The expected calibration error, in [0, 1].

    See Also
    --------
    sklearn.metrics.log_loss : Another measure of the probabilities' quality.
    sklearn.calibration.CalibrationDisplay : The reliability diagram.

    Examples
    --------
    >>> from skvision.metrics import expected_calibration_error
    >>> y_true = [0, 1, 1, 0]
    >>> y_prob = [[0.9, 0.1], [0.2, 0.8], [0.1, 0.9], [0.1, 0.9]]
    >>> round(expected_calibration_error(y_true, y_prob), 4)
    0.225
    """
    y_true = column_or_1d(y_true)
    y_prob = np.asarray(y_prob, dtype=np.float64)
    if y_prob.ndim == 1:
        y_prob = np.column_stack([1 - y_prob, y_prob])
    if y_prob.ndim != 2:
        raise ValueError(
            f"y_prob must be of shape (n_samples, n_classes) or (n_samples,); "
            f"got {y_prob.shape}."
        )
    check_consistent_length(y_true, y_prob)
    if not isinstance(n_bins, int | np.integer) or n_bins < 1:
        raise ValueError(f"n_bins must be an int >= 1; got {n_bins!r}.")
    labels = np.unique(y_true) if labels is None else np.asarray(labels)
    if len(labels) != y_prob.shape[1]:
        raise ValueError(
            f"y_prob has {y_prob.shape[1]} columns for {len(labels)} labels; "
            "pass labels= (e.g. the estimator's classes_) in the columns' order."
        )
    unknown = np.setdiff1d(y_true, labels)
    if len(unknown):
        raise ValueError(
            f"y_true contains labels {unknown.tolist()} that are not among the "
            f"labels of y_prob's columns {labels.tolist()}."
        )
    confidence = y_prob.max(axis=1)
    correct = labels[np.argmax(y_prob, axis=1)] == y_true
    # Bin b holds confidences in (b / n_bins, (b + 1) / n_bins]; 0 goes in bin 0.
    bins = np.clip(np.ceil(confidence * n_bins).astype(int) - 1, 0, n_bins - 1)
    counts = np.bincount(bins, minlength=n_bins)
    gaps = np.abs(
        np.bincount(bins, weights=correct, minlength=n_bins)
        - np.bincount(bins, weights=confidence, minlength=n_bins)
    )
    return float(gaps.sum() / counts.sum())
