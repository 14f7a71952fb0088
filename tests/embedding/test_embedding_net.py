"""EmbeddingNet: metric learning on episodes, as a scikit-learn transformer."""

import pickle

import numpy as np
import pytest
from PIL import Image
from sklearn.base import clone
from sklearn.model_selection import cross_val_score
from sklearn.neighbors import KNeighborsClassifier, NearestCentroid
from sklearn.pipeline import make_pipeline

import skvision
from skvision.embedding import EmbeddingNet
from skvision.transfer import FewShotSplit

# Digits 0-4 train the embedding; 5-9 are the new classes it must tell apart.
TINY = dict(
    conv_blocks=((16,), (32,)),
    embedding_dim=16,
    n_way=5,
    n_shot=2,
    n_query=3,
    random_state=0,
)


@pytest.fixture(scope="module")
def digit_images(digits):
    X, y, X_test, y_test = digits
    images = np.concatenate([X, X_test]).reshape(-1, 8, 8)
    labels = np.concatenate([y, y_test])
    return (images * 255).round().astype(np.uint8), labels


@pytest.fixture(scope="module")
def omniglot():
    """Omniglot's small background set, strokes bright, or a skip saying why."""
    from skvision.datasets import fetch_omniglot

    try:
        data = fetch_omniglot(subset="background_small1", download_if_missing=False)
    except (FileNotFoundError, OSError) as error:
        pytest.skip(f"Omniglot is not under SKVISION_DATA: {error}")
    return 255 - data.images, data.target, data.alphabet


@pytest.fixture(scope="module")
def fitted(digit_images):
    images, y = digit_images
    return EmbeddingNet(max_iter=4, **TINY).fit(images[y < 5], y[y < 5])


def few_shot_accuracy(codes, y, n_shot=1):
    episodes = FewShotSplit(5, n_shot, n_queries=5, n_episodes=40, random_state=0)
    scores = cross_val_score(KNeighborsClassifier(1), codes, y, cv=episodes)
    return scores.mean()


@pytest.mark.parametrize("objective", ["prototypical", "triplet"])
def test_images_of_a_class_lie_close(digit_images, objective):
    images, y = digit_images
    train = np.arange(len(y)) % 2 == 0
    net = EmbeddingNet(objective=objective, max_iter=4, **TINY)
    codes = net.fit(images[train], y[train]).transform(images[~train])
    assert codes.shape == ((~train).sum(), 16)
    accuracy = few_shot_accuracy(codes, y[~train])
    raw = few_shot_accuracy(images[~train].reshape(len(codes), -1) / 255, y[~train])
    # 5-way one-shot on drawings the net has not seen: chance is 0.2, raw
    # pixels score ~0.75 here, the embeddings ~0.95.
    assert accuracy > raw + 0.1, (accuracy, raw)
    assert net.history_["accuracy"][-1] > 0.8


def test_omniglot_characters_of_new_alphabets(omniglot):
    """Few-shot learning proper: characters of alphabets never trained on."""
    images, y, alphabet = omniglot
    test = np.isin(alphabet, ["Balinese", "Greek"])
    net = EmbeddingNet(resize_to=(28, 28), n_shot=1, max_iter=8, random_state=0)
    codes = net.fit(images[~test], y[~test]).transform(images[test])
    raw = images[test].reshape(test.sum(), -1).astype(np.float32)
    errors = []
    for X in (codes, raw):
        episodes = FewShotSplit(20, 1, n_episodes=50, random_state=0)
        accuracy = cross_val_score(
            KNeighborsClassifier(1), X, y[test], groups=alphabet[test], cv=episodes
        )
        errors.append(1 - accuracy.mean())
    # 20-way one-shot within an alphabet: raw pixels err ~85 %, this short
    # training ~55-60 % (the example's full one far less).
    assert errors[0] < errors[1] - 0.15, errors


def test_triplet_embeddings_lie_on_the_unit_sphere(digit_images):
    images, y = digit_images
    net = EmbeddingNet(objective="triplet", max_iter=1, **TINY).fit(images, y)
    norms = np.linalg.norm(net.transform(images[:50]), axis=1)
    np.testing.assert_allclose(norms, 1.0, rtol=1e-5)


def test_pipeline_is_a_few_shot_classifier(digit_images):
    images, y = digit_images
    pipeline = make_pipeline(EmbeddingNet(max_iter=2, **TINY), NearestCentroid())
    pipeline.fit(images[y < 5], y[y < 5])
    assert pipeline.score(images[y < 5], y[y < 5]) > 0.8


def test_same_seed_same_embedding_and_other_seed_another(digit_images):
    images, y = digit_images
    params = {**TINY, "random_state": 1}
    first = EmbeddingNet(max_iter=2, **params).fit(images, y).transform(images)
    again = EmbeddingNet(max_iter=2, **params).fit(images, y).transform(images)
    np.testing.assert_array_equal(first, again)  # the same code twice
    other = EmbeddingNet(max_iter=2, **{**params, "random_state": 2})
    assert not np.allclose(other.fit(images, y).transform(images), first)


def test_partial_fit_trains_one_epoch_on_any_classes(digit_images):
    images, y = digit_images
    net = EmbeddingNet(**TINY)
    net.partial_fit(images[y < 5], y[y < 5])
    before = net.transform(images[:20])
    net.partial_fit(images[y >= 5], y[y >= 5])
    assert net.n_iter_ == 2 and len(net.history_["loss"]) == 2
    assert not np.allclose(net.transform(images[:20]), before)


def test_early_stopping_holds_out_whole_classes(digit_images):
    images, y = digit_images
    net = EmbeddingNet(
        max_iter=3,
        early_stopping=True,
        validation_fraction=0.3,
        n_iter_no_change=1,
        **{**TINY, "n_way": 3},
    )
    net._seed = 0
    train, val = net._split_validation(y)
    assert len(np.unique(y[val])) == 3  # ceil(0.3 * 10) classes
    assert not set(y[train]) & set(y[val])
    net.fit(images, y)
    assert {"val_loss", "val_accuracy"} <= set(net.history_)
    assert 0.0 <= net.history_["val_accuracy"][0] <= 1.0
    assert net.best_epoch_ == int(np.argmax(net.history_["val_accuracy"]))


def test_validation_data_of_other_classes(digit_images):
    images, y = digit_images
    net = EmbeddingNet(max_iter=2, **TINY)
    net.fit(images[y < 5], y[y < 5], validation_data=(images[y >= 8], y[y >= 8]))
    # Two validation classes: 2-way validation episodes, though n_way=5.
    assert len(net.history_["val_accuracy"]) == 2


def test_validation_episodes_are_fixed(digit_images):
    images, y = digit_images
    net = EmbeddingNet(max_iter=1, **TINY).fit(images[y < 5], y[y < 5])
    feed = net._feed_validation((images[y >= 5], y[y >= 5], None))
    steps = feed["validation_steps"]
    passes = list(feed["validation_data"].take(2 * steps).as_numpy_iterator())
    # The same pipeline's two passes: the same pixels, bit for bit.
    for first, second in zip(passes[:steps], passes[steps:], strict=True):
        np.testing.assert_array_equal(first[0], second[0])


def test_augmentation_trains_and_predicts_deterministically(digit_images):
    images, y = digit_images
    net = EmbeddingNet(rotation_range=15, translation_range=0.1, max_iter=1, **TINY)
    net.fit(images, y)
    # The same call twice: augmentation must not act at inference.
    np.testing.assert_array_equal(
        net.transform(images[:30]), net.transform(images[:30])
    )


@pytest.mark.parametrize("grouped", [False, True])
def test_image_files_train_like_the_arrays(tmp_path, digit_images, grouped):
    images, y = digit_images
    images, y = images[:300], y[:300]
    groups = np.where(y < 4, "low", "high") if grouped else None
    paths = np.array([str(tmp_path / f"{i}.png") for i in range(len(y))])
    for path, image in zip(paths, images, strict=True):
        Image.fromarray(image).save(path)
    from_files = EmbeddingNet(max_iter=2, image_shape=(8, 8), **TINY)
    from_files.fit(paths, y, groups=groups)
    from_arrays = EmbeddingNet(max_iter=2, **TINY).fit(images, y, groups=groups)
    # The same pixels in the same episodes, through two input pipelines.
    np.testing.assert_allclose(
        from_files.transform(paths), from_arrays.transform(images), rtol=1e-4, atol=1e-5
    )


def test_pickle_and_save_round_trips(tmp_path, fitted, digit_images):
    images, _ = digit_images
    expected = fitted.transform(images[:40])
    # The same network and weights through the same predictor: bit-identical.
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.transform(images[:40]), expected)
    loaded = skvision.load(fitted.save(tmp_path / "embedding.skv"))
    np.testing.assert_array_equal(loaded.transform(images[:40]), expected)


def test_feature_network_serves_as_a_backbone(fitted, digit_images):
    images, y = digit_images
    network = fitted.feature_network()
    assert network.model.output_shape == (None, 16)
    assert network.pixel_max == 255.0
    features = skvision.BackboneFeatures(fitted).fit_transform(images[:30])
    np.testing.assert_allclose(
        features, fitted.transform(images[:30]), rtol=1e-4, atol=1e-5
    )


def test_feature_names_out(fitted):
    assert list(fitted.get_feature_names_out())[:2] == [
        "embeddingnet0",
        "embeddingnet1",
    ]


# -- bad input -----------------------------------------------------------------
def test_fewer_than_two_classes_is_an_error(digit_images):
    images, y = digit_images
    with pytest.raises(ValueError, match="at least 2 classes in y; got 1 class"):
        EmbeddingNet(**{**TINY, "n_way": 2}).fit(images[y == 3], y[y == 3])


def test_a_class_too_small_for_an_episode_names_the_counts(digit_images):
    images, y = digit_images
    keep = np.flatnonzero(y != 7)
    rows = np.concatenate([keep, np.flatnonzero(y == 7)[:1]])
    with pytest.raises(
        ValueError,
        match=r"n_shot \+ n_query = 2 .* 1 of the 10 "
        r"classes in y have fewer: np.int64\(7\) \(1\)|7 \(1\)",
    ):
        EmbeddingNet(**{**TINY, "n_shot": 1, "n_query": 1}).fit(images[rows], y[rows])
    assert not hasattr(EmbeddingNet(), "model_")


def test_n_way_larger_than_the_classes_names_both(digit_images):
    images, y = digit_images
    net = EmbeddingNet(**{**TINY, "n_way": 12})
    with pytest.raises(ValueError, match="n_way=12 is larger than the 10 classes"):
        net.fit(images, y)
    assert not hasattr(net, "model_")  # a failed fit leaves nothing fitted


def test_hold_out_too_small_is_an_error(digit_images):
    images, y = digit_images
    net = EmbeddingNet(early_stopping=True, validation_fraction=0.1, **TINY)
    with pytest.raises(ValueError, match="holds out 1, but validation episodes"):
        net.fit(images, y)


def test_missing_y_is_an_error(digit_images):
    images, _ = digit_images
    with pytest.raises(ValueError, match="requires y to be passed"):
        EmbeddingNet(**TINY).fit(images, None)


def test_unfitted_transform_is_not_fitted_error(digit_images):
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        EmbeddingNet().transform(digit_images[0][:2])


def test_clone_keeps_the_parameters():
    net = EmbeddingNet(objective="triplet", margin=0.3, n_way=7)
    assert clone(net).get_params() == net.get_params()


def test_groups_make_episodes_within_a_group(digit_images):
    from skvision.embedding._episodes import EpisodeSampler

    _, y = digit_images
    groups = np.where(y < 4, "low", "high")  # 4 and 6 classes
    sampler = EpisodeSampler(y, 5, 3, groups=groups)
    rng = np.random.default_rng(0)
    sizes = set()
    for _ in range(50):
        rows, labels = sampler.episode(rng)
        assert len(set(groups[rows])) == 1
        n_way = len(np.unique(y[rows]))
        sizes.add(n_way)
        assert len(rows) == len(labels) == 3 * n_way
    assert sizes == {4, 5}  # all of the small group, n_way of the large one


def test_fit_with_groups(digit_images):
    images, y = digit_images
    groups = np.where(y < 4, "low", "high")
    net = EmbeddingNet(max_iter=1, **TINY).fit(images, y, groups=groups)
    assert net.transform(images[:5]).shape == (5, 16)
    with pytest.raises(ValueError, match="constant within a class"):
        EmbeddingNet(**TINY).fit(images, y, groups=np.arange(len(y)) % 2)
