"""scikit-learn's estimator checks over every public skvision estimator."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skvision import (
    BackboneClassifier,
    BackboneFeatures,
    ConvAutoencoder,
    ConvNetClassifier,
    ConvNetRegressor,
    DenseAutoencoder,
    DenseNetClassifier,
    DenseNetRegressor,
    EmbeddingNet,
    KerasClassifier,
    KerasRegressor,
)
from skvision._testing import MLP, TinyBackbone

# Small nets, few epochs and plain SGD (no optimizer state: a quarter less
# time to trace each fit's training step) keep the ~50 checks fast; every
# check still trains. The classifiers need SGD's large step to learn the
# checks' blobs in 10 full-batch epochs; the autoencoders, which need not
# learn much, take a small one, under which weighted and repeated samples
# still agree to 1e-7.
# float64: in float32, weighted and repeated samples give fits that agree to
# float32 rounding (1e-6 relative), while the sample-weight check asks 1e-7.
# The dense net's small L2 penalty: the class-weight check trains 1,000 epochs
# with weights 1000 and 1e-4 on overlapping blobs; unpenalized, a float64 net
# ends up fitting the down-weighted samples too (in float32 their gradients
# were lost to rounding).


# The shared training settings of the checks' estimators (see above).
SGD = dict(
    optimizer="sgd",
    momentum=0.0,
    max_iter=10,
    early_stopping=False,
    learning_rate="constant",
    random_state=0,
    dtype="float64",
)

ESTIMATORS = [
    DenseNetClassifier(
        hidden_layer_sizes=(16,),
        batch_normalization=False,
        dropout=0.0,
        l2=1e-4,
        optimizer="sgd",
        momentum=0.0,
        learning_rate_init=0.5,
        max_iter=10,
        early_stopping=False,
        learning_rate="constant",
        random_state=0,
        dtype="float64",
    ),
    # The checks feed flat samples of 1 to 20 features: image_shape=(-1, 1, 1)
    # reads any of them as a column image, which needs no pooling.
    ConvNetClassifier(
        conv_blocks=((4,),),
        pool_size=None,
        batch_normalization=False,
        dense_layer_sizes=(),
        dropout=0.0,
        image_shape=(-1, 1, 1),
        optimizer="sgd",
        momentum=0.0,
        learning_rate_init=0.5,
        max_iter=10,
        early_stopping=False,
        learning_rate="constant",
        random_state=0,
        dtype="float64",
    ),
    # Autoencoders: no batch normalization or noise, whose batch statistics
    # and random draws differ between weighted and repeated samples. The conv
    # one reads the checks' flat samples as column images, like the classifier.
    DenseAutoencoder(
        latent_dim=2,
        hidden_layer_sizes=(8,),
        batch_normalization=False,
        output_activation="linear",
        optimizer="sgd",
        momentum=0.0,
        learning_rate_init=0.02,
        max_iter=3,
        early_stopping=False,
        learning_rate="constant",
        random_state=0,
        dtype="float64",
    ),
    ConvAutoencoder(
        latent_dim=2,
        filters=(4,),
        batch_normalization=False,
        image_shape=(-1, 1, 1),
        output_activation="linear",
        optimizer="sgd",
        momentum=0.0,
        learning_rate_init=0.02,
        max_iter=3,
        early_stopping=False,
        learning_rate="constant",
        random_state=0,
        dtype="float64",
    ),
    # Transfer learning on a one-convolution backbone built per fit; the
    # flattened 1x1 convolution keeps each feature's position, and
    # fine_tune_from=0 trains the backbone too.
    BackboneClassifier(
        TinyBackbone(),
        pooling="flatten",
        dropout=0.0,
        image_shape=(-1, 1, 1),
        fine_tune_from=0,
        optimizer="sgd",
        momentum=0.0,
        learning_rate_init=0.5,
        fine_tune_learning_rate=0.5,
        max_iter=10,
        early_stopping=False,
        learning_rate="constant",
        random_state=0,
        dtype="float64",
    ),
    BackboneFeatures(
        TinyBackbone(), pooling="flatten", image_shape=(-1, 1, 1), random_state=0
    ),
    # A user's model, like Keras' own wrapper test's (``dynamic_model``): an
    # MLP builder, with an argument routed as model__ (softmax outputs) and
    # softmax outputs; the regressor's model ends linear. Regressors learn at
    # a smaller step, which still scores R² > 0.5 in 10 epochs (0.01 does not).
    KerasClassifier(
        MLP(),
        model__output_activation="softmax",
        learning_rate_init=0.5,
        **SGD,
    ),
    KerasRegressor(MLP(), learning_rate_init=0.05, **SGD),
    DenseNetRegressor(
        hidden_layer_sizes=(16,),
        batch_normalization=False,
        dropout=0.0,
        learning_rate_init=0.05,
        **SGD,
    ),
    ConvNetRegressor(
        conv_blocks=((4,),),
        pool_size=None,
        batch_normalization=False,
        dense_layer_sizes=(),
        dropout=0.0,
        image_shape=(-1, 1, 1),
        learning_rate_init=0.05,
        **SGD,
    ),
    # Metric learning on 2-way episodes of one support and one query image
    # per class: the checks' labels have 2 or 3 classes of 3 or more samples.
    EmbeddingNet(
        conv_blocks=((4,),),
        pool_size=None,
        batch_normalization=False,
        image_shape=(-1, 1, 1),
        embedding_dim=3,
        n_way=2,
        n_shot=1,
        n_query=1,
        learning_rate_init=0.05,
        **{**SGD, "max_iter": 3},
    ),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
