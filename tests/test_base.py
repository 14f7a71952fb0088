"""The shared scikit-learn <-> Keras bridge (skvision/_base.py)."""

import tracemalloc

import numpy as np
import pytest
from sklearn.datasets import load_digits

from skvision import ConvNetClassifier, DenseAutoencoder, DenseNetClassifier, _batches
from skvision._keras import keras


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:200] / 16, y[:200]


class _BatchDtypes(keras.callbacks.Callback):
    """Records the precision Keras works in during each training batch."""

    def __init__(self):
        super().__init__()
        self.floatx = set()

    def on_train_batch_begin(self, batch, logs=None):
        self.floatx.add(keras.config.floatx())


@pytest.mark.parametrize("Estimator", [DenseNetClassifier, DenseAutoencoder])
def test_a_float64_estimator_trains_in_float64(Estimator, digits):
    X, y = digits
    record = _BatchDtypes()
    estimator = Estimator(max_iter=1, dtype="float64", callbacks=[record])
    estimator.fit(X, y, sample_weight=np.linspace(0.5, 2, len(X)))
    # Keras casts data and weights to floatx() and computes losses in it.
    assert record.floatx == {"float64"}
    assert keras.config.floatx() == "float32"  # restored after fit
    assert {w.dtype for w in estimator.model_.weights} == {"float64"}


@pytest.fixture(scope="module")
def uint8_images():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, (3000, 32, 32, 3), dtype=np.uint8)
    return X, rng.integers(0, 3, len(X))


def traced_peak(call):
    """Peak bytes Python and NumPy allocate during ``call()``."""
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize(
    "Estimator, params",
    [
        (DenseNetClassifier, dict(hidden_layer_sizes=(8,))),
        (ConvNetClassifier, dict(conv_blocks=((4,),), dense_layer_sizes=())),
    ],
)
def test_uint8_images_are_never_copied_whole(Estimator, params, uint8_images):
    X, y = uint8_images
    many = np.concatenate([X] * 4)  # 4 bytes a pixel would be 141 MiB
    X, y = np.concatenate([X] * 2), np.concatenate([y] * 2)  # 18.4 MB
    # A 10 % hold-out for early stopping: the training rows are gathered batch
    # by batch, not copied; the network scales each batch itself.
    net = Estimator(max_iter=1, batch_size=64, early_stopping=True, **params)
    net.fit(X[:300], y[:300])  # imports and first tracing, out of the count
    # The least a defect would add is a uint8 copy of the training rows
    # (16.6 MB, measured below; a float32 copy of X is 4.4 times that): the
    # peak then passes 21 MB. Without one it is the hold-out's copy (1.8 MB),
    # Keras' own (~2 MB) and the batches in flight (0.2 MB each; how many
    # varies with the CPU and its kernels): 4.3 to 5.7 MB on a 2-core EPYC,
    # oneDNN on or off, one thread or two. The bound, 10 MB, is 2x from both.
    whole_copy = traced_peak(lambda: X[: int(0.9 * len(X))].copy())
    assert traced_peak(lambda: net.fit(X, y)) < 0.6 * whole_copy
    assert isinstance(net.model_.get_layer("scale_pixels"), keras.layers.Rescaling)

    # Inference turns uint8 into float32 one chunk (<= 16 MiB) at a time.
    assert traced_peak(lambda: net.predict_proba(many)) < 3 * 2**24


def test_a_saved_network_scales_uint8_images_itself(uint8_images, tmp_path):
    X, y = uint8_images
    net = ConvNetClassifier(conv_blocks=((4,),), max_iter=1, random_state=0)
    net.fit(X[:500], y[:500])
    net.model_.save(tmp_path / "net.keras")
    loaded = keras.saving.load_model(tmp_path / "net.keras")
    flat = X[:50].reshape(50, -1)
    # Keras' predict runs batches of 32, predict_proba one of 50: other
    # kernels may sum in other orders, float32 logits then differ by ~1e-5.
    np.testing.assert_allclose(
        loaded.predict(flat, verbose=0),
        net.predict_proba(X[:50]),
        rtol=1e-4,
        atol=1e-6,
    )


def test_a_large_array_is_gathered_batch_by_batch_reproducibly(
    uint8_images, monkeypatch
):
    # Keras' own array input would copy a large array whole into TensorFlow.
    monkeypatch.setattr(_batches, "GATHER_FROM_BYTES", 0)  # any array is large
    X, y = uint8_images
    net = DenseNetClassifier(
        hidden_layer_sizes=(8,), max_iter=2, early_stopping=False, random_state=0
    )
    feed = net.fit(X[:50], y[:50])._feed((X, y, None), None)
    assert "y" not in feed and feed["steps_per_epoch"] == -(-len(X) // net.batch_size)
    first = net.fit(X, y).predict_proba(X[:20])
    np.testing.assert_array_equal(net.fit(X, y).predict_proba(X[:20]), first)
    assert net.n_iter_ == 2 and np.isfinite(net.history_["loss"]).all()


def test_training_leaves_tensorflows_global_seed_alone(digits):
    # Setting it clears TensorFlow's kernel caches: every partial_fit would
    # optimize its training graph again. Only building the network seeds it.
    tf = pytest.importorskip("tensorflow")
    from tensorflow.python.eager import context

    class GlobalSeeds(keras.callbacks.Callback):
        seen = []

        def on_epoch_end(self, epoch, logs=None):
            self.seen.append(context.global_seed())

    X, y = digits
    tf.random.set_seed(5)
    try:
        net = DenseNetClassifier(max_iter=2, callbacks=[GlobalSeeds()], random_state=0)
        net.fit(X, y).partial_fit(X, y)
    finally:
        tf.random.set_seed(None)
    assert GlobalSeeds.seen == [5, 5, 5]
