"""scikit-learn's estimator checks over every public skvision estimator."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skvision import DenseNetClassifier

# Small nets and few epochs keep the ~50 checks fast; every check still trains.
# float64: in float32, weighted and repeated samples give fits that agree to
# float32 rounding (1e-6 relative), while the sample-weight check asks 1e-7.
ESTIMATORS = [
    DenseNetClassifier(
        hidden_layer_sizes=(16,),
        batch_normalization=False,
        dropout=0.0,
        learning_rate_init=0.02,
        max_iter=10,
        early_stopping=False,
        learning_rate="constant",
        random_state=0,
        dtype="float64",
    ),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
