"""Layer widths as flat, independently searchable parameters."""

import re

_UNITS = re.compile(r"units_(\d+)$")


class LayerSizes:
    """A variable-depth ``hidden_layer_sizes`` whose depth and widths are parameters.

    Searches sample flat dicts of independent values, which a tuple of widths
    is not. ``LayerSizes(n_layers=2, units_0=256, units_1=128, units_2=64)``
    behaves as ``(256, 128)``: the first ``n_layers`` widths are used, the rest
    are ignored. Because it has ``get_params``/``set_params``, a search reaches
    its fields through scikit-learn's nested parameters, e.g.
    ``hidden_layer_sizes__n_layers`` and ``hidden_layer_sizes__units_1``.

    Parameters
    ----------
    n_layers : int or None, default=None
        Number of hidden layers used; None uses every ``units_<i>`` given.
    **units : int
        ``units_0``, ``units_1``, ...: width of each possible layer.

    Examples
    --------
    >>> from skvision import DenseNetClassifier, LayerSizes
    >>> sizes = LayerSizes(n_layers=2, units_0=64, units_1=32, units_2=16)
    >>> tuple(sizes)
    (64, 32)
    >>> clf = DenseNetClassifier(hidden_layer_sizes=sizes)
    >>> clf = clf.set_params(hidden_layer_sizes__n_layers=3)
    >>> tuple(clf.hidden_layer_sizes)
    (64, 32, 16)
    """

    def __init__(self, n_layers=None, **units):
        self.n_layers = n_layers
        for name, value in units.items():
            self._check_name(name)
            setattr(self, name, value)

    def _unit_names(self):
        names = [name for name in vars(self) if _UNITS.match(name)]
        return sorted(names, key=lambda name: int(_UNITS.match(name).group(1)))

    def _check_name(self, name):
        if name != "n_layers" and not _UNITS.match(name):
            raise ValueError(
                f"Invalid parameter {name!r} for LayerSizes: use n_layers or "
                "units_0, units_1, ..."
            )

    def get_params(self, deep=True):
        """Parameters, as scikit-learn's nested-parameter protocol expects."""
        return {
            "n_layers": self.n_layers,
            **{n: getattr(self, n) for n in self._unit_names()},
        }

    def set_params(self, **params):
        """Set ``n_layers`` or ``units_<i>``; returns self."""
        for name, value in params.items():
            self._check_name(name)
            setattr(self, name, value)
        return self

    def __iter__(self):
        widths = [getattr(self, name) for name in self._unit_names()]
        n_layers = len(widths) if self.n_layers is None else self.n_layers
        if not 0 <= n_layers <= len(widths):
            raise ValueError(
                f"LayerSizes has n_layers={n_layers} but {len(widths)} widths "
                "(units_0, units_1, ...)."
            )
        return iter(widths[:n_layers])

    def __len__(self):
        return len(tuple(iter(self)))

    def __repr__(self):
        params = ", ".join(
            f"{name}={value!r}" for name, value in self.get_params().items()
        )
        return f"LayerSizes({params})"
