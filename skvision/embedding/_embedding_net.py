"""A convolutional network trained for distances: few-shot recognition."""

import math
from numbers import Integral, Real

import numpy as np
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin

from .._base import KerasEstimator
from .._docstrings import fill_doc
from .._fixes import Interval, StrOptions, _fit_context
from .._keras import keras, layers
from .._networks.embedding import EpisodeAccuracy, PrototypicalLoss, TripletLoss
from ..classifiers._conv import CONV_CONSTRAINTS, build_conv_network
from . import _episodes

# Validation episodes: at least this many, fixed for the whole fit.
MIN_VALIDATION_EPISODES = 10


@fill_doc
class EmbeddingNet(ClassNamePrefixFeaturesOutMixin, TransformerMixin, KerasEstimator):
    """Convolutional embedding trained so that images of a class lie close.

    ``fit(X, y)`` trains a convolutional network on *episodes*: each gradient
    step draws ``n_way`` classes of ``y`` and ``n_shot + n_query`` images of
    each, and the objective pulls an image towards the others of its class and
    away from the rest. ``transform`` gives the embeddings, in which a plain
    nearest-neighbour or nearest-centroid classifier recognises classes never
    seen in training from one or a few images of each:
    ``make_pipeline(EmbeddingNet(), KNeighborsClassifier(1))`` is a few-shot
    classifier, scored by :class:`~skvision.transfer.FewShotSplit`.

    The objectives:

    - ``"prototypical"`` (Snell et al., 2017): the mean of each class's
      ``n_shot`` support embeddings is its prototype, and each of the
      ``n_query`` query images is classified by a softmax over its negative
      squared distances to the episode's prototypes (cross-entropy);
    - ``"triplet"`` (Schroff et al., 2015): embeddings on the unit sphere, and
      for every pair of images of one class in the episode, the closest
      image of another class that is farther away (semi-hard negative) should
      be farther by ``margin``.

    The network is :class:`~skvision.ConvNetClassifier`'s, with a linear
    output layer of ``embedding_dim`` units; by default Snell et al.'s four
    blocks of 64 3x3 convolutions with batch normalization, ReLU and 2x2 max
    pooling. ``X`` may be images, flat samples or a 1-D array of image file
    paths (with ``image_shape``), decoded episode by episode.

    Parameters
    ----------
    <embedding conv parameters>
    embedding_dim : int, default=64
        Size of the embeddings (the output layer's units).
    objective : {"prototypical", "triplet"}, default="prototypical"
        What the embedding is trained for (see above).
    n_way : int, default=20
        Classes per training episode; ``y`` must have at least as many. More
        ways than at test time make a harder, often better, training task.
    n_shot : int, default=5
        Support images per class in an episode (the prototype's images).
    n_query : int, default=5
        Query images per class in an episode. Every class of ``y`` needs
        ``n_shot + n_query`` images; a training step reads
        ``n_way * (n_shot + n_query)`` images.
    margin : float, default=0.5
        The triplet objective's margin, in units of the unit sphere's
        Euclidean distance; unused by the prototypical objective.
    <training parameters: embedding>

    Attributes
    ----------
    model_ : keras.Model
        The trained network, flat samples to embeddings; its "augmentation"
        sub-model (when any augmentation is on) is inactive at inference.
    image_shape_ : tuple of int
        ``(height, width, channels)`` the flat samples are reshaped to.
    history_ : dict of lists
        Per-epoch ``loss`` and episode ``accuracy`` (the fraction of queries
        nearest to their own class's prototype) and, with validation,
        ``val_loss`` and ``val_accuracy``.
    best_epoch_ : int
        Index in ``history_`` of the epoch whose weights the model holds.
    n_iter_ : int
        Number of epochs trained.
    n_features_in_ : int
        Number of (flattened) input features.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names, when ``X`` was a data frame with string column names.
    input_shape_ : tuple of int
        Shape of one input sample as given to ``fit``.
    pixel_scale_ : float
        1/255 when fitted on uint8 images, else 1.

    See Also
    --------
    skvision.transfer.FewShotSplit : N-way k-shot episodes as CV splits.
    skvision.BackboneFeatures : Features of a network trained otherwise.

    Notes
    -----
    An epoch is as many episodes as make ``len(X)`` images. With
    ``early_stopping`` (or ``learning_rate="adaptive"``), whole classes are
    held out (``validation_fraction`` of them), and the validation score is
    measured on fixed episodes of those classes, each of ``min(n_way,
    n_held_out_classes)`` ways: few-shot learning is judged on classes the
    network has not seen.

    References
    ----------
    Snell, Swersky and Zemel (2017), "Prototypical networks for few-shot
    learning", NeurIPS. Schroff, Kalenichenko and Philbin (2015), "FaceNet:
    a unified embedding for face recognition and clustering", CVPR.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> from skvision.embedding import EmbeddingNet
    >>> X, y = load_digits(return_X_y=True)
    >>> images = X.reshape(-1, 8, 8) / 16
    >>> net = EmbeddingNet(conv_blocks=((16,), (32,)), embedding_dim=16,
    ...                    n_way=5, max_iter=3, random_state=0)
    >>> codes = net.fit(images[y < 5], y[y < 5]).transform(images[y >= 5])
    >>> codes.shape
    (896, 16)
    >>> # Digits 5-9, never seen in training, from their embeddings:
    >>> knn = KNeighborsClassifier(1).fit(codes[::2], y[y >= 5][::2])
    >>> knn.score(codes[1::2], y[y >= 5][1::2]) > 0.8
    True
    """

    _parameter_constraints = {
        **KerasEstimator._parameter_constraints,
        **CONV_CONSTRAINTS,
        "embedding_dim": [Interval(Integral, 1, None, closed="left")],
        "objective": [StrOptions({"prototypical", "triplet"})],
        "n_way": [Interval(Integral, 2, None, closed="left")],
        "n_shot": [Interval(Integral, 1, None, closed="left")],
        "n_query": [Interval(Integral, 1, None, closed="left")],
        "margin": [Interval(Real, 0, None, closed="neither")],
    }
    _scales_pixels = True
    _accepts_paths = True
    _output_activation = "linear"

    def __init__(
        self,
        conv_blocks=((64,), (64,), (64,), (64,)),
        *,
        kernel_size=3,
        padding="same",
        pool_size=2,
        width=1.0,
        stem_filters=None,
        stem_kernel_size=7,
        stem_stride=2,
        activation="relu",
        negative_slope=0.3,
        batch_normalization=True,
        pooling="flatten",
        dense_layer_sizes=(),
        dropout=0.0,
        l2=0.0,
        image_shape=None,
        resize_to=None,
        rotation_range=0.0,
        zoom_range=0.0,
        translation_range=0.0,
        brightness=0.0,
        horizontal_flip=False,
        embedding_dim=64,
        objective="prototypical",
        n_way=20,
        n_shot=5,
        n_query=5,
        margin=0.5,
        optimizer="adam",
        learning_rate_init=1e-3,
        learning_rate="constant",
        momentum=0.9,
        batch_size=128,
        max_iter=100,
        early_stopping=False,
        monitor="val_accuracy",
        n_iter_no_change=10,
        restore_best_weights=True,
        validation_fraction=0.1,
        callbacks=None,
        warm_start=False,
        random_state=None,
        verbose=0,
        dtype="float32",
    ):
        self.conv_blocks = conv_blocks
        self.kernel_size = kernel_size
        self.padding = padding
        self.pool_size = pool_size
        self.width = width
        self.stem_filters = stem_filters
        self.stem_kernel_size = stem_kernel_size
        self.stem_stride = stem_stride
        self.activation = activation
        self.negative_slope = negative_slope
        self.batch_normalization = batch_normalization
        self.pooling = pooling
        self.dense_layer_sizes = dense_layer_sizes
        self.dropout = dropout
        self.l2 = l2
        self.image_shape = image_shape
        self.resize_to = resize_to
        self.rotation_range = rotation_range
        self.zoom_range = zoom_range
        self.translation_range = translation_range
        self.brightness = brightness
        self.horizontal_flip = horizontal_flip
        self.embedding_dim = embedding_dim
        self.objective = objective
        self.n_way = n_way
        self.n_shot = n_shot
        self.n_query = n_query
        self.margin = margin
        self.optimizer = optimizer
        self.learning_rate_init = learning_rate_init
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.early_stopping = early_stopping
        self.monitor = monitor
        self.n_iter_no_change = n_iter_no_change
        self.restore_best_weights = restore_best_weights
        self.validation_fraction = validation_fraction
        self.callbacks = callbacks
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose
        self.dtype = dtype

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        # Embeddings come out in the network's precision (float32 under mixed
        # precision), whatever the input's.
        tags.transformer_tags.preserves_dtype = [self._float_dtype]
        return tags

    # -- fitting ----------------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, *, groups=None, validation_data=None):
        """Train the embedding on episodes of ``(X, y)`` for up to ``max_iter`` epochs.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, h, w[, c])
            Training images: flat vectors or images (uint8 pixels are scaled
            by 1/255) or, with ``image_shape``, a 1-D array of file paths.
        y : array-like of shape (n_samples,)
            Class labels: at least ``n_way`` classes (and 2), each with
            ``n_shot + n_query`` images or more.
        groups : array-like of shape (n_samples,), default=None
            A group of classes per image (e.g. Omniglot's alphabets), constant
            within a class: each episode then draws its classes from one
            group (up to ``n_way``, all of a smaller group), the harder task of
            telling similar classes apart; groups also shape the validation
            episodes.
        validation_data : tuple (X_val, y_val), default=None
            Images of other classes to measure the validation score on,
            instead of holding out ``validation_fraction`` of the classes.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(
            X,
            y,
            sample_weight=None,
            validation_data=validation_data,
            epochs=self.max_iter,
            incremental=False,
            n_way=self.n_way,
            groups=groups,
        )

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y):
        """Train exactly one epoch of episodes of ``(X, y)``, keeping the optimizer.

        The classes may differ from call to call: the embedding has no output
        per class.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, h, w[, c])
            Training images.
        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        self : object
            The estimator, trained one more epoch.
        """
        return self._fit(
            X,
            y,
            sample_weight=None,
            validation_data=None,
            epochs=1,
            incremental=True,
            n_way=self.n_way,
        )

    def _build_network(self, *, input_shape, n_outputs, pixel_scale, seed):
        model, attributes = build_conv_network(
            self, input_shape, self.embedding_dim, pixel_scale, seed
        )
        if self.objective == "triplet":
            unit = layers.UnitNormalization(name="unit_sphere", dtype=self._float_dtype)
            model = keras.Model(model.input, unit(model.output), name=model.name)
        return model, attributes

    def _prepare_targets(self, X, y, *, reset, n_way=2, groups=None):
        """``y`` checked, with ``groups`` beside it: a record per sample.

        The labels never reach Keras: episodes relabel their classes.
        Training labels are checked for ``n_way`` classes, validation labels
        for 2 (their episodes take fewer ways when there are fewer classes).
        """
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y "
                "is None."
            )
        y = np.asarray(y)
        if groups is not None:
            groups = np.asarray(groups)
            if groups.shape != y.shape:
                raise ValueError(
                    f"groups has shape {groups.shape}, but y has {y.shape}; pass "
                    "one group per sample."
                )
            y = np.rec.fromarrays([y, groups], names="label,group")
        self._sampler(y, n_way=n_way)  # raises on labels that cannot make one
        return y

    def _sampler(self, targets, *, n_way=None, name="y", what="an episode"):
        labels, groups = _labels_and_groups(targets)
        return _episodes.EpisodeSampler(
            labels,
            self.n_way if n_way is None else n_way,
            self.n_shot + self.n_query,
            groups=groups,
            name=name,
            what=what,
        )

    def _split_validation(self, targets):
        """Hold out whole classes: ``validation_fraction`` of them."""
        labels, _ = _labels_and_groups(targets)
        classes = np.unique(labels)
        n_val = math.ceil(self.validation_fraction * len(classes))
        if n_val < 2 or len(classes) - n_val < self.n_way:
            raise ValueError(
                f"validation_fraction={self.validation_fraction} of the "
                f"{len(classes)} classes in y holds out {n_val}, but validation "
                f"episodes need at least 2 classes and training ones n_way="
                f"{self.n_way}; pass more classes, validation_data=(X_val, y_val) "
                "or early_stopping=False."
            )
        rng = np.random.default_rng(self._seed)
        held_out = np.isin(labels, rng.choice(classes, n_val, replace=False))
        return np.flatnonzero(~held_out), np.flatnonzero(held_out)

    def _feed(self, arrays, rows):
        X, targets, _ = arrays
        if rows is not None:
            X, targets = X[rows], targets[rows]
        sampler = self._sampler(targets)
        dataset = _episodes.training_episodes(X, sampler, self._epoch_seed())
        # The episodes are drawn at random; Keras would warn at its default True.
        return dict(
            x=dataset,
            steps_per_epoch=math.ceil(len(targets) / sampler.size),
            shuffle=False,
        )

    def _feed_validation(self, validation):
        if validation is None:
            return {}
        X, targets, _ = validation
        labels, _ = _labels_and_groups(targets)
        n_way = min(self.n_way, len(np.unique(labels)))
        sampler = self._sampler(
            targets,
            n_way=n_way,
            name="the validation labels",
            what="a validation episode",
        )
        n_episodes = max(MIN_VALIDATION_EPISODES, math.ceil(len(labels) / sampler.size))
        seed = 0 if self._seed is None else self._seed
        dataset = _episodes.fixed_episodes(X, sampler, n_episodes, seed)
        return dict(validation_data=dataset.repeat(), validation_steps=n_episodes)

    def _make_loss(self):
        if self.objective == "triplet":
            return TripletLoss(self.margin)
        return PrototypicalLoss(self.n_shot, self.n_query)

    def _make_metrics(self):
        return [EpisodeAccuracy(self.n_shot, self.n_query)]

    # -- inference --------------------------------------------------------------
    def _feature_model(self):
        """The whole network: its outputs are the embeddings."""
        return self.model_

    @property
    def _n_features_out(self):
        return self.model_.output.shape[-1]

    def transform(self, X):
        """The embeddings of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, h, w[, c])
            Images, in the layout and dtype used for fitting, or file paths.

        Returns
        -------
        embeddings : ndarray of shape (n_samples, embedding_dim)
            One row per image; on the unit sphere for ``objective="triplet"``.
        """
        X = self._check_predict_input(X)
        return self._outputs(self._predictor, X)


def _labels_and_groups(targets):
    """``(labels, groups)`` of prepared targets; groups None when not given."""
    if targets.dtype.names:
        return targets["label"], targets["group"]
    return targets, None
