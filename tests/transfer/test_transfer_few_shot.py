"""FewShotSplit: episodes as cross-validation splits."""

import numpy as np
import pytest
from sklearn.model_selection import cross_val_score
from sklearn.neighbors import KNeighborsClassifier

from skvision.transfer import FewShotSplit


def test_episodes_hold_n_way_classes_with_disjoint_shots_and_queries():
    y = np.repeat(np.arange(40), 4)
    splits = list(
        FewShotSplit(20, 2, n_queries=2, n_episodes=5, random_state=0).split(y, y)
    )
    assert len(splits) == 5
    for train, test in splits:
        assert len(train) == 40 and len(test) == 40
        assert not set(train) & set(test)
        assert set(y[train]) == set(y[test]) and len(set(y[train])) == 20
        assert all(np.sum(y[train] == c) == 2 for c in set(y[train]))
    assert len({tuple(sorted(set(y[train]))) for train, _ in splits}) > 1


def test_int_seed_repeats_the_episodes():
    y = np.repeat(np.arange(30), 2)
    cv = FewShotSplit(5, n_episodes=3, random_state=1)
    first = [(a.tolist(), b.tolist()) for a, b in cv.split(y, y)]
    assert first == [(a.tolist(), b.tolist()) for a, b in cv.split(y, y)]


def test_groups_keep_each_episode_within_one_group():
    y = np.repeat(np.arange(12), 2)
    groups = y // 6  # two "alphabets" of 6 characters
    for train, _ in FewShotSplit(5, n_episodes=10, random_state=0).split(y, y, groups):
        assert len(set(groups[train])) == 1


def test_classes_that_lie_in_several_groups_are_named():
    y = np.repeat(np.arange(6), 4)
    groups = y // 3  # classes 0-2 in group 0, 3-5 in group 1
    groups[[1, 13]] = [1, 2]  # one sample of class 0 and of class 3 elsewhere
    with pytest.raises(
        ValueError,
        match=r"constant within each class.*class 0 in groups \[0, 1\]; "
        r"class 3 in groups \[1, 2\]\.$",
    ):
        next(FewShotSplit(2, 1).split(y, y, groups))


def test_too_few_classes_is_a_clear_error():
    y = np.repeat(np.arange(4), 3)
    with pytest.raises(ValueError, match="5-way 1-shot episodes need 5 classes"):
        next(FewShotSplit(5).split(y, y))
    with pytest.raises(ValueError, match="n_shot must be an int >= 1"):
        next(FewShotSplit(5, 0).split(y, y))


def test_cross_val_score_runs_one_shot_nearest_neighbour():
    rng = np.random.RandomState(0)
    centres = rng.normal(size=(30, 5)) * 10
    y = np.repeat(np.arange(30), 3)
    X = centres[y] + rng.normal(size=(90, 5))
    cv = FewShotSplit(20, 1, n_episodes=10, random_state=0)
    scores = cross_val_score(KNeighborsClassifier(1), X, y, cv=cv)
    assert len(scores) == 10 and scores.mean() > 0.95
    noise = rng.normal(size=(90, 5))
    assert cross_val_score(KNeighborsClassifier(1), noise, y, cv=cv).mean() < 0.3
