"""Search spaces of the studies, as flat dicts of independent distributions.

A tuple of widths cannot be sampled one entry at a time, and Optuna's
categorical choices must be ``None``, bool, int, float or str to be stored in
a database. So depth and per-layer widths are separate parameters: the
estimator holds a :class:`~skvision.LayerSizes` with one ``units_<i>`` per
possible layer, and the search sets ``hidden_layer_sizes__n_layers`` and each
``hidden_layer_sizes__units_<i>`` independently (widths past ``n_layers`` are
sampled but unused).
"""

import math
from numbers import Integral

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


def block_preset_name(sizes):
    """Name of a tuple of sizes in the Optuna conv space: ``(32, 64)`` -> ``"32-64"``.

    ``()`` is ``"none"``. Blocks of one convolution are named by their filter
    count; a block of several, e.g. ``(64, 64)``, by ``"64x2"``.

    Parameters
    ----------
    sizes : tuple of int or tuple of tuple of int
        ``dense_layer_sizes`` or ``conv_blocks``.

    Returns
    -------
    name : str

    Examples
    --------
    >>> from skvision.model_selection import block_preset_name
    >>> block_preset_name(((32,), (64, 64))), block_preset_name(())
    ('32-64x2', 'none')
    """
    parts = []
    for size in sizes:
        if isinstance(size, Integral):
            parts.append(str(size))
        elif len(set(size)) == 1:
            parts.append(str(size[0]) + (f"x{len(size)}" if len(size) > 1 else ""))
        else:
            parts.append("+".join(str(s) for s in size))
    return "-".join(parts) or "none"


def conv_search_space(
    *,
    min_blocks=1,
    max_blocks=3,
    base_filters=32,
    convs_per_block=1,
    widths=(0.25, 0.5, 1.0, 2.0),
    kernel_sizes=(3, 5),
    dense_layer_sizes=((), (64,), (128,), (256,)),
    kind="optuna",
):
    """The convolutional study's space: depth, filter width, kernel size, head, dropout.

    Meant for :class:`~skvision.ConvNetClassifier`; a flat dict over

    - ``conv_blocks``: the depth, ``min_blocks`` to ``max_blocks`` blocks of
      ``convs_per_block`` convolutions, the filters doubling from
      ``base_filters`` (``((32,), (64,))`` is two blocks);
    - ``width``: the filter multiplier, the convolutional counterpart of the
      dense space's per-layer widths;
    - ``kernel_size``: one size for every convolution;
    - ``dense_layer_sizes``: the dense head between features and softmax;
    - ``dropout``: 0.0 to 0.5 in steps of 0.1.

    With ``kind="sklearn"`` the depth and head values are the tuples
    themselves, so :class:`~sklearn.model_selection.RandomizedSearchCV` sets
    them on a ``ConvNetClassifier`` as they are. Optuna's categorical choices
    must be ``None``, bool, int, float or str (a tuple is refused by database
    storages), so with ``kind="optuna"`` they are preset names made by
    :func:`block_preset_name` (``"32-64"``, ``"none"``); the estimator must
    resolve them (see Notes).

    Parameters
    ----------
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
    dense_layer_sizes : sequence of tuple of int, default=((), (64,), (128,), (256,))
        Dense heads to try.
    kind : {"optuna", "sklearn"}, default="optuna"
        Optuna distributions or scikit-learn lists.

    Returns
    -------
    param_distributions : dict
        ``{parameter name: distribution}``.

    See Also
    --------
    dense_search_space : The dense counterpart, with per-layer widths.

    Notes
    -----
    ``ConvNetClassifier`` takes ``conv_blocks`` and ``dense_layer_sizes`` as
    tuples, so the ``kind="optuna"`` space drives it only once it accepts
    these preset names (or :class:`~skvision.LayerSizes`-like parameters);
    until then search ``width``, ``kernel_size`` and ``dropout`` with Optuna,
    or the whole space with the ``kind="sklearn"`` version.

    Examples
    --------
    >>> from skvision.model_selection import conv_search_space
    >>> space = conv_search_space(kind="sklearn")
    >>> space["conv_blocks"]
    [((32,),), ((32,), (64,)), ((32,), (64,), (128,))]
    >>> conv_search_space()["conv_blocks"].choices
    ('32', '32-64', '32-64-128')
    """
    _check_kind(kind)
    _check_range("min_blocks", min_blocks, "max_blocks", max_blocks, 1)
    for name, value in (
        ("base_filters", base_filters),
        ("convs_per_block", convs_per_block),
    ):
        if not isinstance(value, Integral) or value < 1:
            raise ValueError(f"{name} must be an int >= 1; got {value!r}.")
    blocks = [
        tuple((base_filters * 2**i,) * convs_per_block for i in range(depth))
        for depth in range(min_blocks, max_blocks + 1)
    ]
    heads = [tuple(int(units) for units in head) for head in dense_layer_sizes]
    if kind == "optuna":
        blocks = [block_preset_name(b) for b in blocks]
        heads = [block_preset_name(h) for h in heads]
    return {
        "conv_blocks": _choices(blocks, kind),
        "width": _choices([float(w) for w in widths], kind),
        "kernel_size": _choices([int(k) for k in kernel_sizes], kind),
        "dense_layer_sizes": _choices(heads, kind),
        "dropout": _float_grid(0.0, 0.5, 0.1, kind),
    }
