"""Few-shot episodes as cross-validation splits."""

from numbers import Integral

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_consistent_length, column_or_1d


class FewShotSplit:
    """N-way k-shot episodes: each split is one few-shot recognition task.

    An episode draws ``n_way`` classes, then ``n_shot`` training ("support")
    and ``n_queries`` test ("query") samples of each. With a 1-nearest-
    neighbour classifier on good features, ``cross_val_score(..., cv=
    FewShotSplit(20, 1))`` is the 20-way one-shot accuracy of Omniglot
    studies. With ``groups`` (e.g. Omniglot's alphabets), the classes of an
    episode all come from one group, as in Lake et al. (2015), whose
    within-alphabet tasks are the harder ones.

    Parameters
    ----------
    n_way : int, default=20
        Classes per episode.
    n_shot : int, default=1
        Training samples per class.
    n_queries : int, default=1
        Test samples per class.
    n_episodes : int, default=100
        Number of episodes (splits).
    random_state : int, RandomState instance or None, default=None
        Seeds the draws; an int gives the same episodes at every call.

    Examples
    --------
    >>> import numpy as np
    >>> from skvision.transfer import FewShotSplit
    >>> y = np.repeat(np.arange(30), 3)
    >>> train, test = next(FewShotSplit(5, 2, n_episodes=1, random_state=0).split(y, y))
    >>> len(train), len(test), len(np.unique(y[train]))
    (10, 5, 5)
    """

    def __init__(
        self, n_way=20, n_shot=1, *, n_queries=1, n_episodes=100, random_state=None
    ):
        self.n_way = n_way
        self.n_shot = n_shot
        self.n_queries = n_queries
        self.n_episodes = n_episodes
        self.random_state = random_state

    def __repr__(self):
        return (
            f"{type(self).__name__}(n_way={self.n_way}, n_shot={self.n_shot}, "
            f"n_queries={self.n_queries}, n_episodes={self.n_episodes}, "
            f"random_state={self.random_state!r})"
        )

    def get_n_splits(self, X=None, y=None, groups=None):
        """The number of episodes."""
        return self.n_episodes

    def split(self, X, y, groups=None):
        """Yield ``(train, test)`` indices of each episode.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Samples (only their number is used).
        y : array-like of shape (n_samples,)
            Class labels.
        groups : array-like of shape (n_samples,), default=None
            Group of each sample (constant within a class, or a
            ``ValueError`` names the classes that are not); an episode's
            classes come from one group.

        Yields
        ------
        train, test : ndarray of int
            Support and query indices.
        """
        self._check_params()
        y = column_or_1d(y)
        check_consistent_length(X, y)
        pools = self._class_pools(y, groups)
        rng = check_random_state(self.random_state)
        needed = self.n_shot + self.n_queries
        for _ in range(self.n_episodes):
            pool = pools[rng.randint(len(pools))]
            train, test = [], []
            for label in rng.choice(pool, self.n_way, replace=False):
                rows = rng.choice(np.flatnonzero(y == label), needed, replace=False)
                train.extend(rows[: self.n_shot])
                test.extend(rows[self.n_shot :])
            yield np.array(train), np.array(test)

    def _check_params(self):
        for name in ("n_way", "n_shot", "n_queries", "n_episodes"):
            value = getattr(self, name)
            if not isinstance(value, Integral) or value < 1:
                raise ValueError(f"{name} must be an int >= 1; got {value!r}.")
        if self.n_way < 2:
            raise ValueError(f"n_way must be at least 2; got {self.n_way}.")

    def _class_pools(self, y, groups):
        """The classes an episode may draw from, one pool per group."""
        labels, counts = np.unique(y, return_counts=True)
        usable = labels[counts >= self.n_shot + self.n_queries]
        if groups is None:
            pools = [usable]
        else:
            groups = column_or_1d(groups)
            check_consistent_length(y, groups)
            _check_one_group_per_class(y, groups)
            group_of = {
                label: groups[np.flatnonzero(y == label)[0]] for label in usable
            }
            pools = [
                np.array([label for label in usable if group_of[label] == group])
                for group in np.unique(groups)
            ]
        pools = [pool for pool in pools if len(pool) >= self.n_way]
        if not pools:
            where = "a group" if groups is not None else "the data"
            raise ValueError(
                f"{self.n_way}-way {self.n_shot}-shot episodes need {self.n_way} "
                f"classes with at least {self.n_shot + self.n_queries} samples each "
                f"in {where}; there are not that many."
            )
        return pools


def _check_one_group_per_class(y, groups, listed=5):
    """Raise ``ValueError`` naming the classes whose samples lie in several
    groups: their episodes would mix groups."""
    mixed = []
    for label in np.unique(y):
        in_groups = np.unique(groups[y == label])
        if len(in_groups) > 1:
            mixed.append(f"class {label.tolist()!r} in groups {in_groups.tolist()}")
    if not mixed:
        return
    if len(mixed) > listed:
        mixed[listed:] = [f"and {len(mixed) - listed} more classes"]
    raise ValueError(
        "groups must be constant within each class: an episode draws its classes "
        "from one group, so a class in several groups would mix them. "
        f"{'; '.join(mixed)}."
    )
