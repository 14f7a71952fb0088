"""The one scikit-learn <-> Keras bridge every skvision estimator derives from.

It reuses scikeras' sample-weight and seed utilities and owns what scikeras
0.13 gets wrong under scikit-learn >= 1.6. It does not subclass
``scikeras.wrappers.BaseWrapper``: that class defines ``_more_tags`` without
``__sklearn_tags__``, which fails ``check_estimator_tags_renamed`` for every
subclass, and its ``vars(self)``-based parameters break ``clone``. Instead:
parameters come from the ``__init__`` signature, data is checked with
``validate_data``, tags come from ``__sklearn_tags__``, seeds differ between
random states, ``partial_fit`` trains one epoch and keeps the optimizer,
sample weights are never modified in place, prediction avoids
``model.predict``'s per-call cost, and pickling needs no patch of Keras.
"""

import tempfile
import warnings
from abc import ABCMeta, abstractmethod
from numbers import Integral, Real
from pathlib import Path
from typing import NamedTuple

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_is_fitted

from . import _batches, _export, _inference, _persistence, _training
from ._fixes import Interval, StrOptions
from ._keras import BaseWrapper, keras, no_retracing_warnings
from ._random import draw_seed, seeded
from ._validation import (
    check_paths,
    check_samples,
    is_path_array,
    with_channel_axis,
)


class FeatureNetwork(NamedTuple):
    """What a fitted estimator offers as a backbone (see ``feature_network``).

    Attributes
    ----------
    model : keras.Model
        Flat samples, as the estimator's ``fit`` took them, to features. It
        shares its weights with the estimator's network: copy it to train it.
    image_shape : tuple of int or None
        ``(height, width, channels)`` of the images the flat samples hold, or
        None for samples that are plain vectors.
    pixel_max : float
        The value of a white pixel in what ``model`` reads: 255.0 for a
        network that scales uint8 pixels itself, 1.0 otherwise.
    """

    model: object
    image_shape: tuple | None
    pixel_max: float


class KerasEstimator(BaseEstimator, metaclass=ABCMeta):
    """Fit loop, validation, prediction and persistence of skvision estimators.

    Subclasses declare their parameters in ``__init__`` and implement
    :meth:`_build_network` (and, for supervised nets, the target hooks).
    """

    _parameter_constraints = {
        "optimizer": [StrOptions(set(_training.OPTIMIZERS))],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "learning_rate": [StrOptions({"constant", "adaptive"}), dict, callable],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "early_stopping": ["boolean"],
        "monitor": [StrOptions({"val_loss", "val_accuracy", "loss", "accuracy"})],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "restore_best_weights": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "callbacks": [list, None],
        "warm_start": ["boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "dtype": [StrOptions(set(_training.DTYPES))],
    }

    _loss = "mean_squared_error"
    # How validate_data checks y: 2-D targets (multi-label, multi-output
    # regression) and numeric ones (regression).
    _multi_output = False
    _y_numeric = False
    # Whether the network scales uint8 pixels itself (see ``_pixel_scale``), so
    # that uint8 images reach Keras as they are; autoencoders also need their
    # targets scaled, and keep converting.
    _scales_pixels = False
    # Whether X may be a 1-D array of image file paths, decoded batch by batch
    # (the estimator then has an ``image_shape`` parameter).
    _accepts_paths = False

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        tags.input_tags.allow_nan = False
        tags.input_tags.sparse = False
        return tags

    # -- hooks ------------------------------------------------------------------
    @abstractmethod
    def _build_network(self, *, input_shape, n_outputs, pixel_scale, seed):
        """The uncompiled network, and the fitted attributes it implies.

        ``input_shape`` is one sample's shape as given to ``fit`` (flat or an
        image), ``n_outputs`` what :meth:`_n_outputs` says, ``pixel_scale``
        the factor the network applies to its inputs first. Returns
        ``(model, attributes)``; the caller sets ``attributes`` (e.g.
        ``{"image_shape_": ...}``) on the estimator.
        """

    def _n_outputs(self):
        """What the network predicts per sample, e.g. the number of classes."""
        return None

    def _prepare_targets(self, X, y, *, reset, classes=None):
        """Encoded targets for Keras (autoencoders return ``X``)."""
        return X

    def _stratify_labels(self, y):
        return None

    def _split_validation(self, targets):
        """Rows ``(train, val)``: ``validation_fraction`` of the samples held out."""
        return _training.split_validation(
            len(targets),
            self.validation_fraction,
            self._seed,
            self._stratify_labels(targets),
        )

    def _sample_weights(self, y, sample_weight):
        """``sample_weight`` with any per-class weights folded in."""
        return sample_weight

    def _make_metrics(self):
        """Fresh Keras metrics to record in ``history_`` besides the loss."""
        return []

    def _make_loss(self):
        """The loss ``model_`` is compiled with."""
        return self._loss

    def _feature_model(self):
        """The sub-model from the inputs to the features (see ``feature_network``)."""
        return keras.Model(self.model_.input, self.model_.layers[-1].input)

    # Training phases, e.g. a frozen backbone then fine-tuning: ``fit`` trains
    # until ``_epochs_in_phase()`` more epochs have run (or early stopping
    # ends the phase), then calls ``_next_phase()`` and goes on.
    def _epochs_in_phase(self):
        """Epochs the current phase may still train; None: no limit."""
        return None

    def _next_phase(self):
        """Begin the next training phase (e.g. unfreeze layers, recompile)."""

    def _phase_learning_rate(self):
        """The learning rate the current phase compiles with."""
        return self.learning_rate_init

    # -- the public protocol other estimators read ------------------------------
    def feature_network(self):
        """The fitted network up to its features, and how it reads its inputs.

        :class:`~skvision.BackboneClassifier` and
        :class:`~skvision.BackboneFeatures` reuse any fitted estimator that
        has this method as a backbone; the features are the input of the
        network's last layer (a classifier's output layer), or an
        autoencoder's codes.

        Returns
        -------
        network : FeatureNetwork
            ``(model, image_shape, pixel_max)``: the Keras model from flat
            samples to features (sharing weights with ``model_``), the
            ``(height, width, channels)`` the samples hold (None for plain
            vectors), and the value of a white pixel it reads (255.0 when the
            network scales uint8 pixels itself, else 1.0).

        Examples
        --------
        >>> from sklearn.datasets import load_digits
        >>> from skvision import DenseNetClassifier
        >>> X, y = load_digits(return_X_y=True)
        >>> clf = DenseNetClassifier(hidden_layer_sizes=(16,), max_iter=1,
        ...                          random_state=0).fit(X / 16, y)
        >>> net = clf.feature_network()
        >>> net.model.output_shape, net.image_shape, net.pixel_max
        ((None, 16), None, 1.0)
        """
        check_is_fitted(self, "model_")
        shape = getattr(self, "image_shape_", None) or self.input_shape_
        image_shape = with_channel_axis(shape) if len(shape) > 1 else None
        scales = self._scales_pixels and self.pixel_scale_ != 1.0
        pixel_max = 255.0 if scales else 1.0
        return FeatureNetwork(self._feature_model(), image_shape, pixel_max)

    # -- fitting ----------------------------------------------------------------
    def _fit(self, X, y, *, sample_weight, validation_data, epochs, incremental, **kw):
        _training.check_callbacks(self.callbacks)
        restart = not (incremental or self.warm_start) or not hasattr(self, "model_")
        X, y, image_shape = self._check_samples(X, y, reset=restart)
        targets = self._prepare_targets(X, y, reset=restart, **kw)
        X, targets, weights = self._apply_sample_weight(
            X, targets, self._sample_weights(y, sample_weight)
        )
        if restart:
            self._start(X.shape[1], image_shape)
        arrays, train = (X, targets, weights), None
        validation = self._validation_set(validation_data)
        if validation is None and not incremental and self._holds_out():
            train, val = self._split_validation(targets)
            validation = _training.take_rows(arrays, val)
        # A file that fails to decode is named (an error; not skipped).
        with _batches.naming_bad_files(X, validation):
            self._train(
                self._feed(arrays, train),
                self._feed_validation(validation),
                epochs,
                incremental,
            )
        return self

    def _feed(self, arrays, rows):
        """``model_.fit``'s training arguments for ``rows`` (None: all) of ``arrays``.

        ``arrays`` is ``(X, targets, sample_weight)``. File paths are decoded,
        and arrays gathered, batch by batch, through one iterator for all
        epochs (:mod:`skvision._batches`); only small arrays on a backend other
        than TensorFlow go to Keras as they are.
        """
        X, targets, weights = arrays
        seed = self._epoch_seed()
        if isinstance(X, _batches.ImagePaths):
            batches = self._path_batches(*arrays, rows=rows, shuffle=True, seed=seed)
        elif rows is None and not _batches.gathers(X):
            return dict(
                x=X, y=targets, sample_weight=weights, batch_size=self.batch_size
            )
        else:
            rows = np.arange(len(X)) if rows is None else rows
            batches = _batches.row_batches(arrays, rows, self.batch_size, seed)
        n_samples = len(X) if rows is None else len(rows)
        dataset, steps = _batches.epochs(batches, n_samples, self.batch_size)
        # The dataset shuffles itself; Keras would warn at its default True.
        return dict(x=dataset, steps_per_epoch=steps, shuffle=False)

    def _feed_validation(self, validation):
        """``model_.fit``'s validation arguments for ``(X, targets, weights)``."""
        if validation is None:
            return {}
        X = validation[0]
        if isinstance(X, _batches.ImagePaths):
            batches = self._path_batches(*validation)
        elif not _batches.gathers(X):
            return dict(validation_data=validation)
        else:
            rows = np.arange(len(X))
            batches = _batches.row_batches(
                validation, rows, self.batch_size, None, shuffle=False
            )
        dataset, steps = _batches.epochs(batches, len(X), self.batch_size)
        return dict(validation_data=dataset, validation_steps=steps)

    def _start(self, n_features, image_shape):
        """Build and compile a fresh network and reset the training record."""
        self._seed = None if self.random_state is None else draw_seed(self.random_state)
        self.input_shape_ = tuple(image_shape or (n_features,))
        with seeded(self._seed), _training.building_scope(self.dtype):
            self.model_, attributes = self._build_network(
                input_shape=self.input_shape_,
                n_outputs=self._n_outputs(),
                pixel_scale=self._pixel_scale,
                seed=self._seed,
            )
        for name, value in attributes.items():
            setattr(self, name, value)
        try:
            self._compile(self._phase_learning_rate())
        except Exception:
            del self.model_  # a network that cannot be compiled is not fitted
            raise
        self.history_ = {}

    def _compile(self, learning_rate):
        """Compile ``model_`` with a fresh optimizer, its variables made now.

        Keras would create the optimizer's and the metrics' variables in the
        first training step, which TensorFlow then traces twice; made here
        (metrics as objects), the step is traced once, a third less time in a
        small net's fit. The predictors are rebuilt: they watch the
        optimizer's step count for new weights.
        """
        optimizer = _training.make_optimizer(
            self.optimizer, learning_rate, self.momentum, self.dtype
        )
        with _training.keras_floatx(self.dtype):  # losses and metrics use floatx()
            self.model_.compile(
                optimizer=optimizer,
                loss=self._make_loss(),
                metrics=self._make_metrics(),
            )
            optimizer.build(self.model_.trainable_variables)
        self._make_predictors()

    def _apply_sample_weight(self, X, targets, sample_weight):
        """Drop zero-weight samples and scale the other weights to mean 1.

        Keras averages ``weight * loss`` over a batch; with a mean weight of 1
        that is the weighted mean scikit-learn means, whatever the weights'
        scale, and a weight of 2 counts like a repeated sample.
        """
        if sample_weight is None:
            return X, targets, None
        sample_weight = np.asarray(sample_weight, dtype=np.float64)
        if sample_weight.ndim == 1 and np.any(sample_weight < 0):
            raise ValueError("Negative values in data passed to `sample_weight`.")
        # scikeras checks the shape, rejects all-zero weights and drops zeros,
        # in Keras' floatx(): float64 here, so that the weights are normalized
        # before any rounding (float32 ones made a weighted float64 fit differ
        # from the repeated samples' by 1e-8).
        with _training.keras_floatx("float64"):
            X, targets, sample_weight = BaseWrapper._validate_sample_weight(
                X, targets, sample_weight
            )
        weights = sample_weight / sample_weight.mean()
        return X, targets, weights.astype(self._float_dtype)

    def _holds_out(self):
        """Whether fit holds out ``validation_fraction`` of the samples."""
        needs_it = self.early_stopping or self.learning_rate == "adaptive"
        return needs_it and self.validation_fraction > 0

    def _validation_set(self, validation_data):
        if validation_data is None:
            return None
        if not isinstance(validation_data, tuple | list) or len(validation_data) != 2:
            raise ValueError(
                "validation_data must be a pair (X_val, y_val); "
                f"got {type(validation_data).__name__}."
            )
        X_val, y_val = validation_data
        X_val, y_val, _ = self._check_samples(X_val, y_val, reset=False)
        return X_val, self._prepare_targets(X_val, y_val, reset=False), None

    def _callbacks(self, has_validation, incremental):
        monitor = self.monitor if has_validation else self.monitor.removeprefix("val_")
        callbacks = [
            _training.schedule_callback(
                self.learning_rate, self.learning_rate_init, monitor
            )
        ]
        if self.early_stopping and not incremental:
            callbacks.append(
                _training.early_stopping_callback(
                    monitor, self.n_iter_no_change, self.restore_best_weights
                )
            )
        callbacks.extend(self.callbacks or ())
        return [callback for callback in callbacks if callback is not None], monitor

    def _epoch_seed(self):
        # A per-epoch seed: consecutive partial_fit calls must not reshuffle alike.
        return None if self._seed is None else self._seed + self.current_epoch

    def _train(self, training, validation, epochs, incremental):
        """Train up to ``epochs`` more epochs, phase by phase.

        ``training`` and ``validation`` hold ``model_.fit``'s data arguments
        (:meth:`_feed`, :meth:`_feed_validation`). Returns whether training
        ended without diverging.
        """
        first_epoch = self.current_epoch
        while True:
            remaining = epochs - (self.current_epoch - first_epoch)
            in_phase = self._epochs_in_phase()
            n_epochs = remaining if in_phase is None else min(remaining, in_phase)
            if n_epochs and not self._train_epochs(
                training, validation, n_epochs, incremental
            ):
                return False
            if in_phase is None or self.current_epoch - first_epoch >= epochs:
                return True
            # The phase is over (or early stopping ended it): on to the next.
            self._next_phase()

    def _train_epochs(self, training, validation, epochs, incremental):
        """Run ``model_.fit`` for up to ``epochs`` more epochs and record them."""
        callbacks, monitor = self._callbacks(bool(validation), incremental)
        divergence = _training.StopOnDivergence()
        first_epoch = self.current_epoch
        with (
            seeded(self._epoch_seed(), tensorflow=False),
            no_retracing_warnings(),
            _training.keras_floatx(self.dtype),
        ):
            history = self.model_.fit(
                **training,
                **validation,
                epochs=first_epoch + epochs,
                initial_epoch=first_epoch,
                callbacks=[divergence, *callbacks],
                verbose=self.verbose,
            ).history
        diverged = divergence.diverged_epoch
        # The epoch that diverged is not kept: the model holds the one before.
        n_new = None if diverged is None else diverged - first_epoch
        for key, values in history.items():
            self.history_.setdefault(key, []).extend(float(v) for v in values[:n_new])
        self.n_iter_ = self.current_epoch
        if diverged is not None:
            self._report_divergence(diverged)
            return False
        if divergence.grown is not None:
            self._report_loss_growth(*divergence.grown)
        self.best_epoch_ = self._best_epoch(first_epoch, monitor, incremental)
        return True

    def _report_loss_growth(self, epoch, loss, start):
        """Warn that the loss exploded (``_training.StopOnDivergence.grown``)."""
        warnings.warn(
            f"Training of {type(self).__name__} diverged in epoch {epoch + 1}: "
            f"its loss grew to {loss:.3g}, more than "
            f"{_training.LOSS_GROWTH_LIMIT:.0f} times the {start:.3g} it "
            f"started from, though it stayed finite; {self._divergence_advice()}.",
            ConvergenceWarning,
            stacklevel=4,
        )

    def _divergence_advice(self):
        return (
            f"lower learning_rate_init (now {self.learning_rate_init!r}), scale "
            "the inputs or choose another optimizer"
        )

    def _report_divergence(self, epoch):
        """Warn that training stopped early, or raise when nothing was learnt."""
        advice = self._divergence_advice()
        if self.current_epoch == 0:
            del self.model_  # untrained: the estimator is not fitted
            raise ValueError(
                f"Training of {type(self).__name__} diverged in epoch {epoch + 1}: "
                "the loss or the weights became non-finite (NaN or inf) before "
                "any epoch ended finite, so there are no weights to keep; "
                f"{advice}."
            )
        self.best_epoch_ = self.current_epoch - 1
        warnings.warn(
            f"Training of {type(self).__name__} diverged in epoch {epoch + 1}: "
            "the loss or the weights became non-finite (NaN or inf). Training "
            f"stopped there and the weights of epoch {self.current_epoch}, the "
            f"last that ended finite, were kept; {advice}.",
            ConvergenceWarning,
            stacklevel=5,
        )

    def _best_epoch(self, first_epoch, monitor, incremental):
        """Index in ``history_`` of the epoch whose weights the model holds."""
        scores = self.history_.get(monitor, [])[first_epoch:]
        if incremental or not (self.early_stopping and self.restore_best_weights):
            return self.current_epoch - 1
        best = np.argmax if monitor.endswith("accuracy") else np.argmin
        return first_epoch + int(best(scores))

    @property
    def current_epoch(self):
        """Number of epochs trained so far (0 before fitting)."""
        return len(getattr(self, "history_", {}).get("loss", ()))

    # -- inference --------------------------------------------------------------
    def _path_batches(
        self, X, targets, weights, *, rows=None, shuffle=False, seed=None
    ):
        """Batches of decoded files for Keras, optionally shuffled from ``seed``.

        Autoencoders, whose targets are the images, get each image twice, as
        input and target, scaled as the network reads it.
        """
        autoencode = isinstance(targets, _batches.ImagePaths)  # X's own files
        return _batches.path_batches(
            X,
            *((weights,) if autoencode else (targets, weights)),
            batch_size=self.batch_size,
            rows=rows,
            shuffle=shuffle,
            seed=seed,
            scale=None
            if self._scales_pixels
            else (self.pixel_scale_, self._float_dtype),
            autoencode=autoencode,
        )

    def _outputs(self, predictor, X):
        """``predictor(X)``, or its outputs batch by batch for image files."""
        if not isinstance(X, _batches.ImagePaths):
            return predictor(X)
        outputs = []
        for images in X.batches(self.batch_size):
            if not self._scales_pixels:
                images = images.astype(self._float_dtype) * self.pixel_scale_
            outputs.append(predictor(images))
        return np.concatenate(outputs)

    # Inference helpers derived from model_ (``_inference.FastPredictor``s):
    # rebuilt after training and unpickling, never pickled.
    _predictor_attributes = ("_predictor",)

    def _make_predictors(self):
        """Build the attributes named in ``_predictor_attributes``: by default
        ``_predictor``, the whole network's outputs."""
        self._predictor = _inference.FastPredictor(self.model_)

    def _check_predict_input(self, X):
        check_is_fitted(self, "model_")
        X, _, _ = self._check_samples(X, reset=False)
        return X

    def _check_samples(self, X, y=None, *, reset):
        targets = dict(multi_output=self._multi_output, y_numeric=self._y_numeric)
        if self._accepts_paths and is_path_array(X):
            return check_paths(self, X, y, reset=reset, **targets)
        return check_samples(
            self,
            X,
            y,
            reset=reset,
            dtype=self._float_dtype,
            keep_uint8=self._scales_pixels,
            **targets,
        )

    @property
    def _float_dtype(self):
        """The dtype of the samples, targets, weights and outputs: ``dtype``,
        or float32 under mixed precision (see ``_training.variable_dtype``)."""
        return _training.variable_dtype(self.dtype)

    @property
    def _pixel_scale(self):
        """What the network multiplies its inputs by: 1/255 for kept uint8."""
        scale = getattr(self, "pixel_scale_", 1.0)  # set by the first check
        return scale if self._scales_pixels else 1.0

    # -- persistence: the model travels as a .keras archive -------------------
    def __getstate__(self):
        state = dict(super().__getstate__())
        for name in self._predictor_attributes:
            state.pop(name, None)
        if "model_" in state:
            state["model_"] = _model_to_bytes(state["model_"])
        return state

    def __setstate__(self, state):
        restored = isinstance(state.get("model_"), bytes)
        if restored:
            state = {**state, "model_": _model_from_bytes(state["model_"])}
        super().__setstate__(state)
        if restored:
            self._make_predictors()

    # -- saving without pickle, and serving outside Python ----------------------
    def save(self, path):
        """Write the estimator to one file that :func:`skvision.load` reads safely.

        The file (a zip archive) holds the Keras network in Keras' format,
        optimizer state included, and the parameters and fitted attributes as
        JSON; loading it builds nothing that runs code (see
        :mod:`skvision._persistence` and the user guide's "Saving, loading and
        serving").

        Parameters
        ----------
        path : str or os.PathLike
            The file to write (replaced if it exists), e.g. ``"model.skv"``.

        Returns
        -------
        path : pathlib.Path
            The file written.

        Examples
        --------
        >>> import tempfile, os
        >>> from sklearn.datasets import load_digits
        >>> import skvision
        >>> X, y = load_digits(return_X_y=True)
        >>> clf = skvision.DenseNetClassifier(hidden_layer_sizes=(8,), max_iter=1,
        ...                                   random_state=0).fit(X / 16, y)
        >>> path = clf.save(os.path.join(tempfile.mkdtemp(), "digits.skv"))
        >>> bool((skvision.load(path).predict(X / 16) == clf.predict(X / 16)).all())
        True
        """
        return _persistence.save(self, path)

    def export(self, path, format="saved_model"):
        """Write a model that serves the fitted estimator outside Python.

        It reads a batch of raw samples of the shape given to ``fit`` (uint8
        images, for an estimator fitted on them) and returns class
        probabilities (classifiers), predictions (regressors) or features
        (``transform``); ``BackboneClassifier`` and ``BackboneFeatures`` read
        images of any size and resize them. Training-only layers
        (augmentation) are left out; the class labels and the input's shape
        are written beside the model as JSON.

        Parameters
        ----------
        path : str or os.PathLike
            A directory for ``"saved_model"`` (the labels go to
            ``assets.extra/skvision.json`` in it), else the model's file (the
            labels go to the same name with ``.json``).
        format : {"saved_model", "tflite", "onnx"}, default="saved_model"
            TensorFlow's SavedModel (TensorFlow Serving), a TFLite (LiteRT)
            flat buffer, or ONNX (needs ``pip install "skvision[export]"``).
            TFLite and ONNX need ``dtype="float32"``: a float64 or
            mixed-precision estimator exports a SavedModel only.

        Returns
        -------
        path : pathlib.Path
            The model written.

        Examples
        --------
        >>> import tempfile, os
        >>> import tensorflow as tf
        >>> from sklearn.datasets import load_digits
        >>> from skvision import DenseNetClassifier
        >>> X, y = load_digits(return_X_y=True)
        >>> images = (X * 16).clip(0, 255).astype("uint8").reshape(-1, 8, 8)
        >>> clf = DenseNetClassifier(hidden_layer_sizes=(8,), max_iter=1,
        ...                          random_state=0).fit(images, y)
        >>> path = clf.export(os.path.join(tempfile.mkdtemp(), "digits"))
        >>> serve = tf.saved_model.load(str(path)).signatures["serving_default"]
        >>> serve(images=tf.constant(images[:2]))["probabilities"].shape
        TensorShape([2, 10])
        """
        return _export.export(self, path, format=format)

    @property
    def saved_with(self):
        """dict or None: the library versions that wrote the file this estimator
        was loaded from (:func:`skvision.load`); None for one not loaded."""
        return getattr(self, "_saved_with", None)


def _model_to_bytes(model):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.keras"
        model.save(path)
        return path.read_bytes()


def _model_from_bytes(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.keras"
        path.write_bytes(data)
        return keras.saving.load_model(path)
