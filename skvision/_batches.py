"""Training data that Keras reads batch by batch, never copied whole.

A hold-out split would copy the training rows of ``X`` (``X[rows]``), and
image file paths cannot be decoded all at once, so both reach
``keras.Model.fit`` as ``tf.data`` pipelines: the rows are shuffled from a
seed (reproducible, reshuffled every epoch), batched, and only then gathered.

Keras makes a new iterator over arrays or a finite dataset every epoch, twice
(~10 ms each on TensorFlow: most of an epoch on small data); :func:`epochs`
repeats one epoch's pipeline so that a single iterator serves them all.

A file that fails to decode surfaces from a pipeline as a TensorFlow error
naming no file; :meth:`ImagePaths.batches` and :func:`naming_bad_files` (around
a fit) turn it into a ``ValueError`` naming the file and its index in ``X``
(:func:`skvision._images.naming_bad_files`). Estimators fail on such a file
rather than skip it: skipping would train on other samples than the user
passed, silently; ``load_image_folder(on_error="warn")`` lists a folder
without its bad files.
"""

from contextlib import ExitStack, contextmanager

import numpy as np

from . import _images
from ._images import decode_image, encode_paths
from ._keras import keras  # TensorFlow, when it is the backend, imported quietly

PREFETCH_BATCHES = 2


def untuned(dataset):
    """``dataset`` without tf.data's autotuning.

    Autotuning adds a thread that sleeps for growing intervals, and deleting
    an iterator waits for it to wake: Keras' ``fit`` returned up to 20 s
    after its last epoch (3.7 s on average on the ``make demo`` CNN,
    ``benchmarks/bench_fit_return.py``). Untuned, parallel maps at ``AUTOTUNE``
    run one call per core.
    """
    options = _tensorflow().data.Options()
    options.autotune.enabled = False
    return dataset.with_options(options)


def prefetched(dataset):
    """``dataset`` with ``PREFETCH_BATCHES`` batches made ahead, untuned."""
    return untuned(dataset.prefetch(PREFETCH_BATCHES))


# On backends other than TensorFlow, whose Keras array input costs little per
# epoch, arrays of this size or more are still gathered batch by batch: Keras
# would copy them whole (a second copy of the data), while the gather costs a
# few percent of a small dense net's epoch (4 % on MNIST).
GATHER_FROM_BYTES = 64 * 2**20


def _tensorflow():
    # Imported when used: with KERAS_BACKEND=jax, skvision need not load it.
    import tensorflow as tf

    return tf


def gathers(X):
    """Whether the array ``X`` reaches Keras as batches gathered from its rows.

    Always on TensorFlow, whose array input rebuilds a pipeline every epoch.
    """
    return keras.backend.backend() == "tensorflow" or X.nbytes >= GATHER_FROM_BYTES


def row_batches(arrays, rows, batch_size, seed, *, shuffle=True):
    """Batches of ``rows`` of ``arrays``, gathered batch by batch.

    ``arrays`` is ``(X, y, sample_weight)``; a None entry is left out. The
    dataset yields ``(X[batch], y[batch][, sample_weight[batch]])``, shuffled
    from ``seed`` (reshuffled every epoch) unless ``shuffle`` is False.
    """
    tf = _tensorflow()
    arrays = tuple(a for a in arrays if a is not None)
    specs = [tf.TensorSpec((None, *a.shape[1:]), a.dtype) for a in arrays]

    def gather(batch):
        # Sorted rows read memory in order; the shuffle decides each batch's rows.
        batch = np.sort(batch)
        return tuple(a[batch] for a in arrays)

    def gather_op(batch):
        dtypes = [spec.dtype for spec in specs]
        gathered = tf.numpy_function(gather, [batch], dtypes, stateful=False)
        pairs = zip(gathered, specs, strict=True)
        return tuple(tf.ensure_shape(t, spec.shape) for t, spec in pairs)

    batches = tf.data.Dataset.from_tensor_slices(np.asarray(rows, dtype=np.int64))
    if shuffle:
        batches = batches.shuffle(len(rows), seed=seed, reshuffle_each_iteration=True)
    return prefetched(batches.batch(batch_size).map(gather_op))


def epochs(dataset, n_samples, batch_size):
    """One epoch's ``dataset`` repeated, and the number of batches per epoch.

    Given both, ``keras.Model.fit`` (``steps_per_epoch``) and its validation
    (``validation_steps``) keep one iterator for all epochs.
    """
    return dataset.repeat(), -(-n_samples // batch_size)


class ImagePaths:
    """Image files standing for samples of ``image_shape`` uint8 pixels.

    What the estimators get from validating a 1-D array of file paths. It
    indexes like an array of samples (``len``, ``shape``, ``paths[rows]``),
    so splits and sample-weight filtering need no special case; the pixels
    exist only batch by batch (:func:`path_batches`, :meth:`batches`).
    ``positions`` are the paths' indices in the ``X`` the user passed, kept
    through indexing, for the errors that name a file that cannot be decoded.
    """

    dtype = np.dtype(np.uint8)

    def __init__(self, paths, image_shape, positions=None):
        self.paths = paths
        self.image_shape = tuple(image_shape)
        self.positions = np.arange(len(paths)) if positions is None else positions

    def __len__(self):
        return len(self.paths)

    @property
    def shape(self):
        return (len(self.paths), int(np.prod(self.image_shape)))

    def __getitem__(self, rows):
        if isinstance(rows, tuple):  # X[rows, ...]
            rows = rows[0]
        return ImagePaths(self.paths[rows], self.image_shape, self.positions[rows])

    def batches(self, batch_size):
        """The decoded flat images, ``batch_size`` at a time, in order.

        Raises a ``ValueError`` naming the files of a batch that fail to decode.
        """
        iterator = path_batches(self, batch_size=batch_size).as_numpy_iterator()
        for start in range(0, len(self), batch_size):
            with self[start : start + batch_size].naming_bad_files():
                (images,) = next(iterator)
            yield images

    def naming_bad_files(self, name="X"):
        """A context in which a decoding error names this array's bad files."""
        height, width, channels = self.image_shape
        return _images.naming_bad_files(
            self.paths,
            image_size=(height, width),
            channels=channels,
            positions=self.positions,
            name=name,
        )


@contextmanager
def naming_bad_files(X, validation=None):
    """Around a fit: a TensorFlow error names the files of ``X`` (or of the
    validation data's ``X``) that cannot be decoded.

    ``validation`` is ``(X_val, ...)`` or None; arrays are not looked at.
    Costs nothing unless the fit raises (see :mod:`skvision._images`).
    """
    X_val = None if validation is None else validation[0]
    with ExitStack() as stack:
        # The innermost context looks first: X, then the validation data's X.
        for paths, name in ((X_val, "X_val"), (X, "X")):
            if isinstance(paths, ImagePaths):
                stack.enter_context(paths.naming_bad_files(name))
        yield


def decoder(image_shape):
    """A ``tf.data`` map function: one file's path -> its flat uint8 pixels."""
    tf = _tensorflow()
    height, width, channels = image_shape

    def decode(path):
        image = decode_image(path, image_size=(height, width), channels=channels)
        return tf.reshape(image, [height * width * channels])

    return decode


def path_batches(
    paths,
    *columns,
    batch_size,
    rows=None,
    shuffle=False,
    seed=None,
    scale=None,
    autoencode=False,
    decode=None,
):
    """Batches of ``(pixels, *columns)`` for ``rows`` of ``paths``.

    Files are read and decoded in parallel, a few batches ahead
    (``PREFETCH_BATCHES``), never all at once; ``columns`` (targets, sample
    weights; a None entry is left out) follow their rows. ``shuffle``
    reshuffles the rows every epoch from ``seed``. The pixels are uint8, or
    ``(factor, dtype)`` ``scale`` turns them into floats; ``autoencode`` yields
    them twice, ``(pixels, pixels, *columns)``, as an autoencoder's inputs and
    targets. ``decode`` replaces :func:`decoder`'s function (a test counts the
    files it reads).
    """
    tf = _tensorflow()
    rows = np.arange(len(paths)) if rows is None else np.asarray(rows)
    columns = tuple(c[rows] for c in columns if c is not None)
    encoded = encode_paths(paths.paths[rows])  # non-UTF-8 names too
    dataset = tf.data.Dataset.from_tensor_slices((encoded, *columns))
    if shuffle:
        dataset = dataset.shuffle(len(rows), seed=seed, reshuffle_each_iteration=True)
    decode = decoder(paths.image_shape) if decode is None else decode

    def sample(path, *rest):
        pixels = decode(path)
        if scale is not None:
            factor, dtype = scale
            pixels = tf.cast(pixels, dtype) * tf.constant(factor, dtype)
        return (pixels, pixels, *rest) if autoencode else (pixels, *rest)

    dataset = dataset.map(
        sample, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True
    )
    return prefetched(dataset.batch(batch_size))
