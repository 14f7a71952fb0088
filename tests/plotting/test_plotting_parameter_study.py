import numpy as np
import pytest

from skvision.plotting import ParameterStudyDisplay


def test_numeric_values_sorted_with_band():
    disp = ParameterStudyDisplay(
        [1.0, 0.25, 0.5], [0.98, 0.9, 0.95], errors=[0.01, 0.03, 0.02], param_name="w"
    ).plot()
    assert not disp.categorical_
    np.testing.assert_array_equal(disp.line_.get_xdata(), [0.25, 0.5, 1.0])
    np.testing.assert_array_equal(disp.line_.get_ydata(), [0.9, 0.95, 0.98])
    ys = disp.band_.get_paths()[0].vertices[:, 1]
    np.testing.assert_allclose([ys.min(), ys.max()], [0.87, 0.99])
    assert disp.errorbar_ is None
    assert disp.ax_.get_xlabel() == "w" and disp.ax_.get_ylabel() == "score"


def test_categorical_values_in_order_with_error_bars():
    disp = ParameterStudyDisplay(
        [(3, 3), (5, 5), (7, 7)], [0.97, 0.98, 0.975], errors=[0.01, 0.01, 0.02]
    ).plot()
    assert disp.categorical_
    np.testing.assert_array_equal(disp.line_.get_xdata(), [0, 1, 2])
    labels = [t.get_text() for t in disp.ax_.get_xticklabels()]
    assert labels == ["(3, 3)", "(5, 5)", "(7, 7)"]
    assert disp.errorbar_ is not None and disp.band_ is None
    with pytest.raises(ValueError, match="log_x"):
        disp.plot(log_x=True)


def test_log_x_and_forced_categorical():
    disp = ParameterStudyDisplay([1e-4, 1e-3, 1e-2], [0.9, 0.95, 0.93]).plot(log_x=True)
    assert disp.ax_.get_xscale() == "log"
    disp = ParameterStudyDisplay([16, 32, 64], [0.9, 0.95, 0.93]).plot(categorical=True)
    np.testing.assert_array_equal(disp.line_.get_xdata(), [0, 1, 2])


def test_from_cv_results_best_candidate_per_value(digits_search):
    results = digits_search.cv_results_
    disp = ParameterStudyDisplay.from_cv_results(results, param="alpha", log_x=True)
    np.testing.assert_array_equal(disp.line_.get_xdata(), [0.1, 1.0, 10.0])
    expected = [
        results["mean_test_score"][np.asarray(results["param_alpha"]) == alpha].max()
        for alpha in (0.1, 1.0, 10.0)
    ]
    np.testing.assert_allclose(disp.line_.get_ydata(), expected)
    assert disp.ax_.get_xlabel() == "alpha"
    assert disp.ax_.get_ylabel() == "mean_test_score"
    assert disp.band_ is not None


def test_from_cv_results_masked_and_categorical_values():
    # As in sklearn's cv_results_: an object column, masked where a grid of a
    # list of grids lacks the parameter.
    column = np.ma.MaskedArray(np.empty(4, dtype=object), mask=[0, 0, 1, 0])
    for i, kernel in ((0, (3, 3)), (1, (5, 5)), (3, (3, 3))):
        column[i] = kernel
    results = {
        "param_kernel_size": column,
        "mean_test_accuracy": np.array([0.9, 0.95, 0.99, 0.92]),
        "std_test_accuracy": np.array([0.01, 0.02, 0.0, 0.03]),
    }
    disp = ParameterStudyDisplay.from_cv_results(
        results, param="kernel_size", metric="accuracy"
    )
    labels = [t.get_text() for t in disp.ax_.get_xticklabels()]
    assert labels == ["(3, 3)", "(5, 5)"]
    np.testing.assert_allclose(disp.line_.get_ydata(), [0.92, 0.95])
    assert disp.ax_.get_xlabel() == "kernel_size"


def test_from_cv_results_unknown_names(digits_search):
    with pytest.raises(ValueError, match="param_alpha"):
        ParameterStudyDisplay.from_cv_results(digits_search, param="width")
    with pytest.raises(ValueError, match="f1"):
        ParameterStudyDisplay.from_cv_results(digits_search, param="alpha", metric="f1")


def test_several_studies_on_one_axes():
    import matplotlib.pyplot as plt

    _, ax = plt.subplots()
    ParameterStudyDisplay([1, 2], [0.9, 0.95]).plot(ax=ax, label="depth 2")
    ParameterStudyDisplay([1, 2], [0.92, 0.96]).plot(ax=ax, label="depth 3")
    assert len(ax.get_lines()) == 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["depth 2", "depth 3"]
