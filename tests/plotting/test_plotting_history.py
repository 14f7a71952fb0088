import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from skvision.plotting import HistoryDisplay

HISTORY = {
    "loss": [1.0, 0.6, 0.4, 0.3, 0.25],
    "val_loss": [0.9, 0.7, 0.5, 0.55, 0.6],
    "accuracy": [0.6, 0.7, 0.8, 0.85, 0.9],
    "val_accuracy": [0.6, 0.68, 0.78, 0.77, 0.76],
}


def test_single_history_train_and_validation_per_metric():
    disp = HistoryDisplay(HISTORY, best_epochs=2).plot()
    assert len(disp.axes_) == 2
    assert disp.ax_ is disp.axes_[0]
    assert [ax.get_ylabel() for ax in disp.axes_] == ["loss", "accuracy"]
    assert set(disp.lines_) == {("", key) for key in HISTORY}
    for key, values in HISTORY.items():
        line = disp.lines_[("", key)]
        np.testing.assert_array_equal(line.get_xdata(), [1, 2, 3, 4, 5])
        np.testing.assert_array_equal(line.get_ydata(), values)
    assert disp.lines_[("", "val_loss")].get_linestyle() == "--"
    assert disp.lines_[("", "loss")].get_linestyle() == "-"


def test_best_epoch_marked_one_based():
    disp = HistoryDisplay(HISTORY, best_epochs=2).plot()
    for metric in ("loss", "accuracy"):
        vline = disp.best_epoch_lines_[("", metric)]
        assert list(vline.get_xdata()) == [3, 3]
        marker = disp.best_epoch_markers_[("", metric)]
        assert list(marker.get_xdata()) == [3]
        assert list(marker.get_ydata()) == [HISTORY[f"val_{metric}"][2]]


def test_without_best_epoch_nothing_is_marked():
    disp = HistoryDisplay(HISTORY).plot()
    assert disp.best_epoch_lines_ == {}
    assert disp.best_epoch_markers_ == {}


def test_several_estimators_lines_and_markers(fake_net):
    nets = {
        "small": fake_net(HISTORY, best_epoch=2),
        "large": fake_net({"loss": [0.8, 0.3], "accuracy": [0.7, 0.95]}, 1),
    }
    disp = HistoryDisplay.from_estimator(nets)
    # small: train + val for 2 metrics; large: train only for 2 metrics.
    assert len(disp.lines_) == 6
    for ax in disp.axes_:
        # data lines + one vertical line and one marker per estimator
        assert len(ax.get_lines()) == 3 + 2 * 2
    assert list(disp.best_epoch_lines_[("large", "loss")].get_xdata()) == [2, 2]
    # Without validation the marker sits on the training curve.
    assert list(disp.best_epoch_markers_[("large", "loss")].get_ydata()) == [0.3]
    small = disp.lines_[("small", "loss")].get_color()
    assert disp.lines_[("small", "val_loss")].get_color() == small
    assert disp.lines_[("large", "loss")].get_color() != small
    labels = disp.ax_.get_legend_handles_labels()[1]
    assert labels == ["small train", "small validation", "large train"]


def test_from_estimator_names_list_by_class(fake_net):
    disp = HistoryDisplay.from_estimator([fake_net(HISTORY, 1), fake_net(HISTORY, 3)])
    names = {name for name, _ in disp.lines_}
    assert names == {"FakeNet (1)", "FakeNet (2)"}
    assert list(disp.best_epoch_lines_[("FakeNet (2)", "loss")].get_xdata()) == [4, 4]


def test_from_estimator_single_and_search_unwrapped(fake_net):
    class Search:
        best_estimator_ = fake_net({"loss": [3.0, 2.0, 1.0]}, best_epoch=2)

    disp = HistoryDisplay.from_estimator(Search())
    assert len(disp.axes_) == 1  # no accuracy recorded
    assert set(disp.lines_) == {("", "loss")}
    assert list(disp.best_epoch_lines_[("", "loss")].get_xdata()) == [3, 3]


def test_unfitted_estimator_raises():
    with pytest.raises(NotFittedError, match="history_"):
        HistoryDisplay.from_estimator(object())


def test_chosen_metrics_and_axes():
    import matplotlib.pyplot as plt

    history = {**HISTORY, "learning_rate": [1e-3, 1e-3, 2e-4, 2e-4, 4e-5]}
    _, ax = plt.subplots()
    disp = HistoryDisplay(history).plot(metrics=["learning_rate"], ax=ax, log_y=True)
    assert disp.ax_ is ax
    assert ax.get_yscale() == "log"
    assert set(disp.lines_) == {("", "learning_rate")}

    fig, axes = plt.subplots(1, 2)
    disp = HistoryDisplay(history).plot(ax=axes)
    assert list(disp.axes_) == list(axes)

    with pytest.raises(ValueError, match="top_5"):
        HistoryDisplay(history).plot(metrics=["top_5"])


def test_one_axes_is_split_into_panels():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    disp = HistoryDisplay(HISTORY).plot(ax=ax)
    assert len(disp.axes_) == 2
    assert all(panel.figure is fig for panel in disp.axes_)
    assert not ax.axison
    fig.canvas.draw()
