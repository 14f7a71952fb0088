"""Search spaces of the studies, as flat dicts of independent distributions.

A tuple of widths cannot be sampled one entry at a time, and Optuna's
categorical choices must be ``None``, bool, int, float or str to be stored in
a database. So depth and per-layer widths are separate parameters: the
estimator holds a :class:`~skvision.LayerSizes` with one ``units_<i>`` per
possible layer, and the search sets ``hidden_layer_sizes__n_layers`` and each
``hidden_layer_sizes__units_<i>`` independently (widths past ``n_layers`` are
sampled but unused). The convolutional space does the same with a
:class:`ConvBlocks` (``conv_blocks__n_blocks``) and a :class:`DenseHead`
(``dense_layer_sizes__units``). Both spaces return the estimator they target
and the dict, and both kinds (Optuna, scikit-learn) have the same keys.
"""

import math
from numbers import Integral, Real

from optuna.distributions import (
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from scipy.stats import randint
from sklearn.base import clone

from .._layer_sizes import LayerSizes

KINDS = ("optuna", "sklearn")


def _check_kind(kind):
    if kind not in KINDS:
        raise ValueError(
            f"kind must be 'optuna' (for OptunaSearchCV) or 'sklearn' (for "
            f"RandomizedSearchCV); got {kind!r}."
        )


def _check_range(name_low, low, name_high, high, minimum):
    for name, value in ((name_low, low), (name_high, high)):
        if not isinstance(value, Integral) or value < minimum:
            raise ValueError(f"{name} must be an int >= {minimum}; got {value!r}.")
    if low > high:
        raise ValueError(f"{name_low}={low} is larger than {name_high}={high}.")


def _grid(low, high, step):
    """``low, low + step, ...`` up to ``high``: Optuna's ``suggest_*(step=)`` values."""
    n_steps = math.floor((high - low) / step + 1e-9)
    return [round(low + i * step, 10) for i in range(n_steps + 1)]


def _float_grid(low, high, step, kind):
    if kind == "optuna":
        return FloatDistribution(low, high, step=step)
    return _grid(low, high, step)


def _choices(values, kind):
    values = list(values)
    return CategoricalDistribution(values) if kind == "optuna" else values


def dense_search_space(
    estimator=None,
    *,
    min_layers=2,
    max_layers=5,
    min_units=16,
    max_units=512,
    step=32,
    kind="optuna",
):
    """The dense-network study's space: depth, each layer's width, slope, BN, dropout.

    Returns an estimator ready for the space and a flat dict of independent
    distributions over

    - ``hidden_layer_sizes__n_layers``: ``min_layers`` to ``max_layers``
      hidden layers;
    - ``hidden_layer_sizes__units_0`` ... ``units_<max_layers - 1>``: each
      layer's width, ``min_units``, ``min_units + step``, ... up to
      ``max_units`` (16, 48, ..., 496 with the defaults, the values of
      Optuna's ``suggest_int(16, 512, step=32)``);
    - ``negative_slope``: the LeakyReLU slope, 0.0 to 1.0 in steps of 0.1;
    - ``batch_normalization``: True or False;
    - ``dropout``: 0.0 to 0.5 in steps of 0.1.

    Parameters
    ----------
    estimator : DenseNetClassifier or None, default=None
        Network whose other parameters (``max_iter``, ``batch_size``, ...) the
        search keeps. It is cloned, then given ``activation="leaky_relu"`` and
        a ``hidden_layer_sizes=LayerSizes(n_layers=max_layers, units_0=...,
        ...)`` that the space's nested parameters set. None uses
        ``DenseNetClassifier()``.
    min_layers, max_layers : int, default=2, 5
        Range of the number of hidden layers.
    min_units, max_units : int, default=16, 512
        Range of each layer's width.
    step : int, default=32
        Spacing of the widths.
    kind : {"optuna", "sklearn"}, default="optuna"
        ``"optuna"``: Optuna distributions, for
        :class:`optuna_integration.OptunaSearchCV` and
        :class:`~skvision.model_selection.HyperbandSearchCV`. ``"sklearn"``:
        lists and a ``scipy.stats.randint``, for
        :class:`~sklearn.model_selection.RandomizedSearchCV`.

    Returns
    -------
    estimator : DenseNetClassifier
        A new, unfitted estimator whose parameters the space sets.
    param_distributions : dict
        ``{parameter name: distribution}``.

    See Also
    --------
    conv_search_space : The convolutional counterpart.
    HyperbandSearchCV : Searches the space with Hyperband pruning.

    Examples
    --------
    >>> from optuna_integration import OptunaSearchCV
    >>> from skvision.model_selection import dense_search_space
    >>> estimator, space = dense_search_space(max_layers=3)
    >>> sorted(space)  # doctest: +NORMALIZE_WHITESPACE
    ['batch_normalization', 'dropout', 'hidden_layer_sizes__n_layers',
     'hidden_layer_sizes__units_0', 'hidden_layer_sizes__units_1',
     'hidden_layer_sizes__units_2', 'negative_slope']
    >>> estimator.hidden_layer_sizes
    LayerSizes(n_layers=3, units_0=16, units_1=16, units_2=16)
    >>> search = OptunaSearchCV(estimator, space, n_trials=30)  # doctest: +SKIP

    The same space for scikit-learn's randomized search:

    >>> from sklearn.model_selection import ParameterSampler
    >>> estimator, space = dense_search_space(kind="sklearn")
    >>> params = next(iter(ParameterSampler(space, n_iter=1, random_state=0)))
    >>> 2 <= len(estimator.set_params(**params).hidden_layer_sizes) <= 5
    True
    """
    _check_kind(kind)
    _check_range("min_layers", min_layers, "max_layers", max_layers, 1)
    _check_range("min_units", min_units, "max_units", max_units, 1)
    if not isinstance(step, Integral) or step < 1:
        raise ValueError(f"step must be an int >= 1; got {step!r}.")
    if estimator is None:
        from ..classifiers import DenseNetClassifier

        estimator = DenseNetClassifier()
    widths = _grid(min_units, max_units, step)
    sizes = LayerSizes(
        n_layers=max_layers, **{f"units_{i}": widths[0] for i in range(max_layers)}
    )
    estimator = clone(estimator).set_params(
        activation="leaky_relu", hidden_layer_sizes=sizes
    )
    if kind == "optuna":
        n_layers = IntDistribution(min_layers, max_layers)
        units = IntDistribution(widths[0], widths[-1], step=step)
    else:
        n_layers = randint(min_layers, max_layers + 1)
        units = widths
    space = {"hidden_layer_sizes__n_layers": n_layers}
    space.update({f"hidden_layer_sizes__units_{i}": units for i in range(max_layers)})
    space.update(
        negative_slope=_float_grid(0.0, 1.0, 0.1, kind),
        batch_normalization=_choices([True, False], kind),
        dropout=_float_grid(0.0, 0.5, 0.1, kind),
    )
    return estimator, space


class _SearchableList(list):
    """A list whose items follow its parameters, so searches can set them.

    ``ConvNetClassifier`` takes ``conv_blocks`` and ``dense_layer_sizes`` as
    tuples or lists; a search samples flat, storable values. This list is
    both: its items are recomputed from its parameters, which scikit-learn's
    nested-parameter protocol reaches (``conv_blocks__n_blocks``), and
    ``clone`` rebuilds it from them.
    """

    _param_names = ()

    def _set(self, **params):
        for name, value in params.items():
            setattr(self, name, value)
        self[:] = self._items()  # each subclass computes its items

    def get_params(self, deep=True):
        """Parameters, as scikit-learn's nested-parameter protocol expects."""
        return {name: getattr(self, name) for name in self._param_names}

    def set_params(self, **params):
        """Set parameters and recompute the items; returns self."""
        for name in params:
            if name not in self._param_names:
                raise ValueError(
                    f"Invalid parameter {name!r} for {type(self).__name__}: use "
                    f"{', '.join(self._param_names)}."
                )
        self._set(**params)
        return self

    def __repr__(self):
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({params})"


def _check_int(name, value, minimum):
    if not isinstance(value, Integral) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}; got {value!r}.")
    return int(value)


class ConvBlocks(_SearchableList):
    """A ``conv_blocks`` whose depth is a parameter: filters doubling per block.

    ``ConvBlocks(n_blocks=3, filters=32)`` is the list ``[(32,), (64,),
    (128,)]``, which :class:`~skvision.ConvNetClassifier` takes as its
    ``conv_blocks``; a search sets its depth through the nested parameter
    ``conv_blocks__n_blocks``.

    Parameters
    ----------
    n_blocks : int, default=2
        Number of blocks, each followed by the classifier's pooling.
    filters : int, default=32
        Filters of the first block's convolutions; each next block has twice
        as many (before the classifier's ``width`` multiplier).
    convs_per_block : int, default=1
        Convolutions in each block.

    See Also
    --------
    conv_search_space : The space that searches it.
    DenseHead : The same for the dense head.

    Examples
    --------
    >>> from skvision import ConvNetClassifier
    >>> from skvision.model_selection import ConvBlocks
    >>> ConvBlocks(n_blocks=2, filters=16, convs_per_block=2)
    ConvBlocks(n_blocks=2, filters=16, convs_per_block=2)
    >>> list(ConvBlocks(n_blocks=2, filters=16, convs_per_block=2))
    [(16, 16), (32, 32)]
    >>> clf = ConvNetClassifier(conv_blocks=ConvBlocks(n_blocks=1))
    >>> list(clf.set_params(conv_blocks__n_blocks=3).conv_blocks)
    [(32,), (64,), (128,)]
    """

    _param_names = ("n_blocks", "filters", "convs_per_block")

    def __init__(self, n_blocks=2, filters=32, convs_per_block=1):
        super().__init__()
        self._set(n_blocks=n_blocks, filters=filters, convs_per_block=convs_per_block)

    def _items(self):
        n_blocks = _check_int("n_blocks", self.n_blocks, 1)
        filters = _check_int("filters", self.filters, 1)
        per_block = _check_int("convs_per_block", self.convs_per_block, 1)
        return [(filters * 2**i,) * per_block for i in range(n_blocks)]


class DenseHead(_SearchableList):
    """A ``dense_layer_sizes`` of one hidden layer whose width is a parameter.

    ``DenseHead(units=128)`` is the list ``[128]``, ``DenseHead(units=0)`` the
    empty list (the features go straight to the softmax); a search sets it
    through the nested parameter ``dense_layer_sizes__units``.

    Parameters
    ----------
    units : int, default=256
        Units of the hidden dense layer; 0 for none.

    See Also
    --------
    conv_search_space : The space that searches it.
    ConvBlocks : The same for the convolution blocks.

    Examples
    --------
    >>> from skvision.model_selection import DenseHead
    >>> list(DenseHead(units=64)), list(DenseHead(units=0))
    ([64], [])
    """

    _param_names = ("units",)

    def __init__(self, units=256):
        super().__init__()
        self._set(units=units)

    def _items(self):
        units = _check_int("units", self.units, 0)
        return [units] if units else []


def _check_choices(name, values, kind, minimum, exclusive=False):
    values = list(values)
    bad = [
        v
        for v in values
        if isinstance(v, bool)
        or not isinstance(v, Integral if kind is int else Real)
        or v < minimum
        or (exclusive and v == minimum)
    ]
    if not values or bad:
        bound = f"> {minimum}" if exclusive else f">= {minimum}"
        raise ValueError(
            f"{name} must be a non-empty sequence of {kind.__name__}s {bound}; "
            f"got {values!r}."
        )
    return [kind(v) for v in values]


def conv_search_space(
    estimator=None,
    *,
    min_blocks=1,
    max_blocks=3,
    base_filters=32,
    convs_per_block=1,
    widths=(0.25, 0.5, 1.0, 2.0),
    kernel_sizes=(3, 5),
    dense_units=(0, 64, 128, 256),
    kind="optuna",
):
    """The convolutional study's space: depth, filter width, kernel size, head, dropout.

    Like :func:`dense_search_space`, returns an estimator ready for the space
    and a flat dict of independent distributions, over

    - ``conv_blocks__n_blocks``: the depth, ``min_blocks`` to ``max_blocks``
      blocks of ``convs_per_block`` convolutions, the filters doubling from
      ``base_filters`` (two blocks are ``[(32,), (64,)]``; see
      :class:`ConvBlocks`);
    - ``width``: the filter multiplier, the convolutional counterpart of the
      dense space's per-layer widths;
    - ``kernel_size``: one size for every convolution;
    - ``dense_layer_sizes__units``: the width of the one hidden dense layer
      between features and softmax, 0 for none (see :class:`DenseHead`);
    - ``dropout``: 0.0 to 0.5 in steps of 0.1.

    Every value is a number that :class:`~skvision.ConvNetClassifier` takes
    as it is (or through its ``ConvBlocks`` and ``DenseHead``), and that
    Optuna's database storages can hold.

    Parameters
    ----------
    estimator : ConvNetClassifier or None, default=None
        Network whose other parameters (``max_iter``, ``batch_size``, ...) the
        search keeps. It is cloned, then given ``conv_blocks=ConvBlocks(
        n_blocks=max_blocks, ...)`` and ``dense_layer_sizes=DenseHead(...)``,
        which the space's nested parameters set. None uses
        ``ConvNetClassifier()``.
    min_blocks, max_blocks : int, default=1, 3
        Range of the number of convolution blocks.
    base_filters : int, default=32
        Filters of the first block; each next block has twice as many.
    convs_per_block : int, default=1
        Convolutions in each block.
    widths : sequence of float, default=(0.25, 0.5, 1.0, 2.0)
        Filter multipliers to try.
    kernel_sizes : sequence of int, default=(3, 5)
        Kernel sizes to try.
    dense_units : sequence of int, default=(0, 64, 128, 256)
        Widths of the hidden dense layer to try; 0 tries no hidden layer.
    kind : {"optuna", "sklearn"}, default="optuna"
        ``"optuna"``: Optuna distributions, for
        :class:`optuna_integration.OptunaSearchCV` and
        :class:`~skvision.model_selection.HyperbandSearchCV`. ``"sklearn"``:
        lists and a ``scipy.stats.randint``, for
        :class:`~sklearn.model_selection.RandomizedSearchCV`.

    Returns
    -------
    estimator : ConvNetClassifier
        A new, unfitted estimator whose parameters the space sets.
    param_distributions : dict
        ``{parameter name: distribution}``.

    See Also
    --------
    dense_search_space : The dense counterpart, with per-layer widths.
    HyperbandSearchCV : Searches the space with Hyperband pruning.

    Examples
    --------
    >>> from optuna_integration import OptunaSearchCV
    >>> from skvision.model_selection import conv_search_space
    >>> estimator, space = conv_search_space()
    >>> sorted(space)  # doctest: +NORMALIZE_WHITESPACE
    ['conv_blocks__n_blocks', 'dense_layer_sizes__units', 'dropout',
     'kernel_size', 'width']
    >>> estimator.conv_blocks
    ConvBlocks(n_blocks=3, filters=32, convs_per_block=1)
    >>> list(estimator.set_params(conv_blocks__n_blocks=2).conv_blocks)
    [(32,), (64,)]
    >>> search = OptunaSearchCV(estimator, space, n_trials=30)  # doctest: +SKIP

    The same space for scikit-learn's randomized search:

    >>> from sklearn.model_selection import ParameterSampler
    >>> estimator, space = conv_search_space(kind="sklearn")
    >>> params = next(iter(ParameterSampler(space, n_iter=1, random_state=0)))
    >>> 1 <= len(estimator.set_params(**params).conv_blocks) <= 3
    True
    """
    _check_kind(kind)
    _check_range("min_blocks", min_blocks, "max_blocks", max_blocks, 1)
    _check_int("base_filters", base_filters, 1)
    _check_int("convs_per_block", convs_per_block, 1)
    widths = _check_choices("widths", widths, float, 0, exclusive=True)
    kernel_sizes = _check_choices("kernel_sizes", kernel_sizes, int, 1)
    dense_units = _check_choices("dense_units", dense_units, int, 0)
    if estimator is None:
        from ..classifiers import ConvNetClassifier

        estimator = ConvNetClassifier()
    blocks = ConvBlocks(
        n_blocks=max_blocks, filters=base_filters, convs_per_block=convs_per_block
    )
    estimator = clone(estimator).set_params(
        conv_blocks=blocks, dense_layer_sizes=DenseHead(units=dense_units[0])
    )
    if kind == "optuna":
        n_blocks = IntDistribution(min_blocks, max_blocks)
    else:
        n_blocks = randint(min_blocks, max_blocks + 1)
    space = {
        "conv_blocks__n_blocks": n_blocks,
        "width": _choices(widths, kind),
        "kernel_size": _choices(kernel_sizes, kind),
        "dense_layer_sizes__units": _choices(dense_units, kind),
        "dropout": _float_grid(0.0, 0.5, 0.1, kind),
    }
    return estimator, space
