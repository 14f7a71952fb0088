"""expected_calibration_error and most_confused."""

import numpy as np
import pytest

from skvision.metrics import expected_calibration_error, most_confused


def test_ece_of_perfectly_calibrated_and_overconfident_predictions():
    rng = np.random.default_rng(0)
    n = 200_000
    confidence = rng.uniform(0.5, 1.0, n)
    right = rng.random(n) < confidence  # right as often as it says
    y_true = np.where(right, 1, 0)
    y_prob = np.column_stack([1 - confidence, confidence])
    assert expected_calibration_error(y_true, y_prob) < 0.005
    # 99 % sure, 90 % right: an ECE of 0.09.
    y_true = (rng.random(n) < 0.9).astype(int)
    y_prob = np.tile([0.01, 0.99], (n, 1))
    assert expected_calibration_error(y_true, y_prob) == pytest.approx(0.09, abs=0.005)


def test_ece_by_hand_and_with_labels():
    y_prob = [[0.9, 0.1], [0.2, 0.8], [0.1, 0.9], [0.1, 0.9]]
    # Bins: 0.8 alone (right: |1 - 0.8|), three at 0.9 with two right.
    assert expected_calibration_error([0, 1, 1, 0], y_prob) == pytest.approx(
        (0.2 + abs(2 - 2.7)) / 4
    )
    assert expected_calibration_error(
        ["no", "yes", "yes", "no"], y_prob, labels=["no", "yes"]
    ) == pytest.approx(0.225)
    # A 1-D y_prob is the second label's probability.
    assert expected_calibration_error(
        [0, 1, 1, 0], [0.1, 0.8, 0.9, 0.9]
    ) == pytest.approx(0.225)
    assert expected_calibration_error([0, 1], [[1.0, 0.0], [0.0, 1.0]]) == 0.0


def test_ece_bad_input():
    with pytest.raises(ValueError, match="3 columns for 2 labels"):
        expected_calibration_error([0, 1], np.full((2, 3), 1 / 3))
    with pytest.raises(ValueError, match=r"labels \[5\]"):
        expected_calibration_error([0, 5], [[0.5, 0.5]] * 2, labels=[0, 1])
    with pytest.raises(ValueError, match="n_bins"):
        expected_calibration_error([0, 1], [0.2, 0.7], n_bins=0)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        expected_calibration_error([0, 1, 1], [0.2, 0.7])


def test_most_confused_counts_and_order():
    y_true = [3, 3, 3, 1, 1, 2, 2, 2]
    y_pred = [1, 1, 3, 3, 2, 1, 1, 2]
    assert most_confused(y_true, y_pred) == [(2, 1, 2), (3, 1, 2), (1, 2, 1), (1, 3, 1)]
    assert most_confused(y_true, y_pred, min_count=2) == [(2, 1, 2), (3, 1, 2)]
    # Labels in any order restrict the pairs, ties follow their order.
    assert most_confused(y_true, y_pred, labels=[3, 1], min_count=1) == [
        (3, 1, 2),
        (1, 3, 1),
    ]
    assert most_confused([0, 1], [0, 1]) == []
    with pytest.raises(ValueError, match="min_count"):
        most_confused(y_true, y_pred, min_count=0)
