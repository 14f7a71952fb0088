"""Multi-label targets (a 2-D 0/1 y) in every skvision classifier."""

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.metrics import f1_score

from skvision import BackboneClassifier, ConvNetClassifier, DenseNetClassifier
from skvision._testing import tiny_backbone

TRAINING = dict(
    batch_size=32,
    max_iter=15,
    early_stopping=False,
    learning_rate="constant",
    learning_rate_init=0.01,
    random_state=0,
)
CLASSIFIERS = {
    "dense": lambda: DenseNetClassifier(hidden_layer_sizes=(32,), **TRAINING),
    "conv": lambda: ConvNetClassifier(
        conv_blocks=((8,),), dense_layer_sizes=(32,), **TRAINING
    ),
    "backbone": lambda: BackboneClassifier(
        tiny_backbone, pooling="flatten", dense_layer_sizes=(32,), **TRAINING
    ),
}


@pytest.fixture(scope="module")
def labelled():
    """Digits with three labels each: odd, greater than 4, round (0, 6, 8, 9)."""
    X, y = load_digits(return_X_y=True)
    images = (X * 16).clip(0, 255).astype(np.uint8).reshape(-1, 8, 8)
    labels = np.stack([y % 2, y > 4, np.isin(y, [0, 6, 8, 9])], axis=1).astype(int)
    return images, labels


@pytest.mark.parametrize("name", CLASSIFIERS)
def test_every_classifier_learns_label_sets(labelled, name):
    images, labels = labelled
    clf = CLASSIFIERS[name]().fit(images[:1200], labels[:1200])
    assert clf.classes_.tolist() == [0, 1, 2]
    assert clf.model_.layers[-1].activation.__name__ == "sigmoid"
    predicted = clf.predict(images[1200:])
    assert predicted.shape == (len(images) - 1200, 3)
    assert set(np.unique(predicted)) <= {0, 1}
    proba = clf.predict_proba(images[1200:])
    np.testing.assert_array_equal(predicted, (proba >= 0.5).astype(int))
    assert f1_score(labels[1200:], predicted, average="samples") > 0.7


def test_single_label_and_label_sets_do_not_mix(labelled):
    images, labels = labelled
    clf = DenseNetClassifier(**{**TRAINING, "max_iter": 1}).fit(images, labels)
    with pytest.raises(ValueError, match="fitted on multi-label targets of 3"):
        clf.partial_fit(images, labels[:, 0])
    with pytest.raises(ValueError, match="fitted on multi-label targets of 3"):
        clf.partial_fit(images, labels[:, :2])


def test_a_label_column_is_one_label_per_sample(labelled):
    images, labels = labelled
    clf = DenseNetClassifier(**{**TRAINING, "max_iter": 1})
    with pytest.warns(Warning, match="column-vector y"):
        clf.fit(images, labels[:, :1])
    assert clf.predict(images[:3]).shape == (3,)
