"""What every skvision classifier adds to the shared Keras bridge.

Three kinds of targets: multiclass (softmax over ``classes_``, sparse
cross-entropy), binary (the same with two classes, or one sigmoid output) and
multi-label (a 2-D 0/1 ``y``: one sigmoid per label, binary cross-entropy).
A network's outputs are read as probabilities when its last layer ends in a
softmax or sigmoid, and as logits otherwise (see :func:`reads_logits`).
``decision_function`` returns the logits (:mod:`._logits`), and
``test_time_augmentation`` averages the probabilities over augmented copies
(:mod:`._tta`).
"""

from numbers import Integral

import numpy as np
from scipy.special import expit, softmax
from sklearn.base import ClassifierMixin
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import column_or_1d

from .. import _inference
from .._base import KerasEstimator
from .._fixes import Interval, StrOptions, _fit_context
from .._keras import keras
from . import _logits, _tta


class BaseNetClassifier(ClassifierMixin, KerasEstimator):
    """Labels of any type in, the same labels out; softmax over ``classes_``."""

    _parameter_constraints = {
        **KerasEstimator._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "test_time_augmentation": [Interval(Integral, 0, None, closed="left")],
    }
    _scales_pixels = True
    _accepts_paths = True
    _multi_output = True  # multi-label y
    # Whether the network's outputs are logits rather than probabilities;
    # only a user's model (KerasClassifier) may have them.
    _logits = False
    # Set by fit from y: a 0/1 label matrix.
    _multilabel = False

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = True
        tags.classifier_tags.multi_label = True
        tags.classifier_tags.poor_score = False
        tags.target_tags.multi_output = True
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, *, validation_data=None):
        """Train the network for up to ``max_iter`` epochs.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, h, w[, c])
            Training samples: flat vectors or images; uint8 pixels are scaled
            by 1/255, other dtypes are used as given.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels of any type, or a 0/1 indicator matrix of labels
            (multi-label: one sigmoid output per label).
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights; zero-weight samples are dropped.
        validation_data : tuple (X_val, y_val), default=None
            A fixed validation set, used instead of holding out
            ``validation_fraction`` of ``X`` (so several models can be compared
            on identical data).

        Returns
        -------
        self : object
            The fitted classifier.
        """
        return self._fit(
            X,
            y,
            sample_weight=sample_weight,
            validation_data=validation_data,
            epochs=self.max_iter,
            incremental=False,
        )

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train exactly one epoch on ``(X, y)``, keeping weights and optimizer.

        Early stopping and the validation hold-out do not apply: each call is
        one epoch over the data given, as Hyperband-style pruning expects.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, h, w[, c])
            Training samples.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a 0/1 indicator matrix of labels.
        classes : array-like of shape (n_classes,), default=None
            Every class of the problem; needed on the first call when the first
            batch may miss some of them.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights.

        Returns
        -------
        self : object
            The classifier, trained one more epoch.
        """
        return self._fit(
            X,
            y,
            sample_weight=sample_weight,
            validation_data=None,
            epochs=1,
            incremental=True,
            classes=classes,
        )

    def predict_proba(self, X):
        """Class probabilities, columns in the order of ``classes_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, h, w[, c])
            Samples, in the layout and dtype used for fitting.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities, each row summing to 1; for multi-label targets,
            each label's probability.
        """
        X = self._check_predict_input(X)
        if _tta.check_test_time_augmentation(self):
            logits = self._network_logits(X)
            proba = _logits.probabilities(logits, sigmoid=self._sigmoid_outputs)
            return _logits.proba_columns(self, proba)
        return self._probabilities(self._outputs(self._predictor, X))

    def decision_function(self, X):
        """The network's pre-softmax scores (logits).

        What ``CalibratedClassifierCV(method="temperature")`` divides by a
        temperature, or ``method="sigmoid"`` fits a sigmoid to: the output
        layer's kernel and bias applied to its input (see
        ``extract_features``), in float64, so an over-confident network's
        scores do not round to infinities as log-probabilities do. With
        ``test_time_augmentation``, the logits of the averaged probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, h, w[, c])
            Samples, in the layout and dtype used for fitting.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            For binary targets, the score of ``classes_[1]`` against
            ``classes_[0]`` (positive where ``predict`` says ``classes_[1]``);
            otherwise one column per class (per label for multi-label
            targets), largest for the predicted class.

        Examples
        --------
        >>> from sklearn.datasets import load_digits
        >>> from skvision import DenseNetClassifier
        >>> X, y = load_digits(return_X_y=True)
        >>> clf = DenseNetClassifier(hidden_layer_sizes=(32,), max_iter=5,
        ...                          random_state=0).fit(X / 16, y)
        >>> clf.decision_function(X[:2] / 16).shape
        (2, 10)
        >>> bool((clf.decision_function(X / 16).argmax(1) == clf.predict(X / 16)).all())
        True
        """
        X = self._check_predict_input(X)
        return _logits.decision_values(self, self._network_logits(X))

    def _network_logits(self, X):
        """float64 logits of validated samples (averaged ones with TTA)."""
        n_copies = _tta.check_test_time_augmentation(self)
        if n_copies:
            return _tta.augmented_logits(self, X, n_copies)
        head = _logits.logit_head(self)
        values = self._outputs(_logits.plain_predictor(self, head), X)
        return _logits.logits_from(head, values, sigmoid=self._sigmoid_outputs)

    def predict(self, X):
        """Most probable class of each sample, as one of ``classes_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, h, w[, c])
            Samples, in the layout and dtype used for fitting.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_labels)
            Predicted labels, of the type of the training labels; for
            multi-label targets, 1 where a label's probability is at least 0.5.
        """
        proba = self.predict_proba(X)
        if self._multilabel:
            return (proba >= 0.5).astype(int)
        return self.classes_[np.argmax(proba, axis=1)]

    def extract_features(self, X):
        """Activations of the last hidden layer: what the output layer reads.

        These are the image features the classifier learned, e.g. for
        :func:`skvision.metrics.fid_score` or as inputs of another model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, h, w[, c])
            Samples, in the layout and dtype used for fitting.

        Returns
        -------
        features : ndarray of shape (n_samples, n_hidden)
            Inputs of the softmax layer (after dropout, which is the identity
            at inference).

        Examples
        --------
        >>> from sklearn.datasets import load_digits
        >>> from skvision import DenseNetClassifier
        >>> X, y = load_digits(return_X_y=True)
        >>> clf = DenseNetClassifier(hidden_layer_sizes=(32,), max_iter=2,
        ...                          random_state=0).fit(X / 16, y)
        >>> clf.extract_features(X / 16).shape
        (1797, 32)
        """
        X = self._check_predict_input(X)
        return self._outputs(self._feature_predictor, X)

    _predictor_attributes = ("_predictor", "_feature_predictor", "_augmenter")

    def _make_predictors(self):
        super()._make_predictors()
        # One sub-model for the life of model_: a new one per call would
        # retrace Keras' predict function every time.
        self._feature_predictor = _inference.FastPredictor(
            self._feature_model(), trained_by=self.model_
        )
        self._augmenter = None  # test-time augmentation's copy, made on demand

    # -- targets ----------------------------------------------------------------
    def _prepare_targets(self, X, y, *, reset, classes=None):
        y = self._check_targets(y, reset=reset)
        if self._multilabel:
            return y.astype(self._float_dtype)
        if not reset and classes is not None:
            self._check_same_classes(classes)
        if reset:
            self.classes_ = np.unique(y if classes is None else classes)
            if len(self.classes_) < 2:
                raise ValueError(
                    f"{type(self).__name__} needs samples of at least 2 classes in "
                    f"the data, but the data contains only one class: "
                    f"{self.classes_[0]!r}."
                )
        unknown = np.setdiff1d(y, self.classes_)
        if len(unknown):
            raise ValueError(
                f"y contains labels {unknown.tolist()} not seen in the first fit "
                f"(classes_={self.classes_.tolist()}); pass classes= to the first "
                "partial_fit call."
            )
        return np.searchsorted(self.classes_, y).astype(np.int32)

    def _check_targets(self, y, *, reset):
        """``y`` as labels (1-D) or a 0/1 label matrix, checked like scikit-learn."""
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y "
                "is None."
            )
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        target_type = type_of_target(y, input_name="y")
        if target_type == "multiclass-multioutput":
            raise ValueError(
                f"{type(self).__name__} takes 2-D y only as multi-label targets, "
                "a 0/1 indicator matrix (n_samples, n_labels); y holds the values "
                f"{np.unique(y).tolist()[:10]}."
            )
        multilabel = target_type == "multilabel-indicator"
        if reset:
            self._multilabel = multilabel
            if multilabel:
                self.classes_ = np.arange(y.shape[1])
        elif multilabel != self._multilabel or (
            multilabel and y.shape[1] != len(self.classes_)
        ):
            fitted = (
                f"multi-label targets of {len(self.classes_)} labels"
                if self._multilabel
                else "one label per sample"
            )
            raise ValueError(
                f"y has shape {y.shape}, but {type(self).__name__} was fitted on "
                f"{fitted}."
            )
        return y

    def _check_same_classes(self, classes):
        if not np.array_equal(np.unique(classes), self.classes_):
            raise ValueError(
                f"classes={np.unique(classes).tolist()} is not the same as on the "
                f"first call to partial_fit, was: {self.classes_.tolist()}."
            )

    def _n_outputs(self):
        return len(self.classes_)

    @property
    def _output_activation(self):
        """The output layer a skvision architecture ends with for these targets."""
        return "sigmoid" if self._multilabel else "softmax"

    @property
    def _sigmoid_outputs(self):
        """Whether each output is a probability of its own (binary cross-entropy):
        multi-label targets, or binary ones read from a single output."""
        return self._multilabel or self.model_.output_shape[-1] == 1

    def _probabilities(self, outputs):
        """The network's outputs as probabilities, one column per class."""
        if self._logits:
            outputs = expit(outputs) if self._sigmoid_outputs else softmax(outputs, 1)
        if not self._multilabel and outputs.shape[1] == 1:
            outputs = np.hstack([1 - outputs, outputs])
        return outputs

    def _stratify_labels(self, targets):
        return None if self._multilabel else targets

    def _sample_weights(self, y, sample_weight):
        if self.class_weight is None:
            return sample_weight
        weights = compute_sample_weight(self.class_weight, y)
        if sample_weight is not None:
            weights = weights * np.asarray(sample_weight, dtype=np.float64)
        return weights

    def _make_loss(self):
        if self._sigmoid_outputs:
            return keras.losses.BinaryCrossentropy(from_logits=self._logits)
        return keras.losses.SparseCategoricalCrossentropy(from_logits=self._logits)

    def _make_metrics(self):
        if self._sigmoid_outputs:
            threshold = 0.0 if self._logits else 0.5
            return [keras.metrics.BinaryAccuracy(name="accuracy", threshold=threshold)]
        return [keras.metrics.SparseCategoricalAccuracy(name="accuracy")]
