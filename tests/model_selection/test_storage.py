"""Storage URLs and studies that cannot work are refused up front, by name."""

import importlib.util

import optuna
import psycopg
import pytest
from optuna.distributions import FloatDistribution
from sklearn.datasets import load_digits
from sklearn.linear_model import SGDClassifier

from skvision.model_selection import (
    HyperbandSearchCV,
    SearchHistoryDisplay,
    hyperband_search,
    load_best_estimator,
    run_distributed_search,
    search_results_frame,
)

SPACE = {"alpha": FloatDistribution(1e-6, 1.0, log=True)}


def sgd_search(**kwargs):
    return HyperbandSearchCV(
        SGDClassifier(random_state=0),
        SPACE,
        **{"max_epochs": 3, "cv": 2, "random_state": 0, **kwargs},
    )


@pytest.fixture(scope="module")
def data():
    X, y = load_digits(return_X_y=True)
    return X[:200] / 16, y[:200]


def bad_urls(tmp_path):
    """``(url, why a search refuses it, why loading from it is refused)``."""
    in_memory = "in-memory SQLite database"
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database\n")
    not_sqlite = "notes.txt', which is not a SQLite database"
    return [
        ("nosuchdb://x", *["unknown database scheme 'nosuchdb'"] * 2),
        (
            f"sqlite:///{tmp_path}/missing/folder/x.db",
            *["folder .* does not exist"] * 2,
        ),
        ("sqlite://", in_memory, in_memory),
        ("sqlite:///:memory:", in_memory, in_memory),
        ("study.db", *["not a database URL"] * 2),
        # A folder is no SQLite file: opening it as a database fails, once.
        (f"sqlite:///{tmp_path}", "Could not connect to storage=", "is a folder"),
        # An existing file that is no database: refused without retries.
        (f"sqlite:///{notes}", not_sqlite, not_sqlite),
    ]


def test_storage_urls_that_cannot_work_are_refused_by_name(
    tmp_path, data, nothing_runs
):
    X, y = data
    for url, reason, _ in bad_urls(tmp_path):
        with pytest.raises(ValueError, match=reason) as error:
            run_distributed_search(
                sgd_search(), X, y, storage=url, study_name="s", n_trials=2
            )
        assert f"storage={url!r}" in str(error.value)
        nothing_runs()
    assert not (tmp_path / "missing").exists()


def test_load_best_estimator_refuses_storages_without_the_study(
    tmp_path, data, nothing_runs
):
    X, y = data
    missing_file = (f"sqlite:///{tmp_path}/none.db", None, "none.db', which does not")
    for url, _, reason in [*bad_urls(tmp_path), missing_file]:
        with pytest.raises(ValueError, match=reason) as error:
            load_best_estimator(sgd_search(), X, y, storage=url, study_name="s")
        assert f"storage={url!r}" in str(error.value)
        nothing_runs()
    assert not (tmp_path / "none.db").exists()


def test_a_missing_database_driver_names_the_storage(data, nothing_runs):
    # pg8000: a PostgreSQL driver SQLAlchemy knows, and that the lock leaves out
    # (skvision[distributed] brings psycopg).
    assert importlib.util.find_spec("pg8000") is None
    X, y = data
    url = "postgresql+pg8000://user:secret@localhost/optuna"
    with pytest.raises(
        ImportError, match="storage='postgresql\\+pg8000://user:\\*\\*\\*@"
    ):
        run_distributed_search(
            sgd_search(), X, y, storage=url, study_name="s", n_trials=1
        )
    with pytest.raises(ImportError) as error:
        load_best_estimator(sgd_search(), X, y, storage=url, study_name="s")
    assert "secret" not in str(error.value)  # the password is not shown
    nothing_runs()


def test_a_storage_that_is_no_storage_is_a_type_error(tmp_path, data, nothing_runs):
    X, y = data
    with pytest.raises(TypeError, match="storage must be .*sqlite:///"):
        run_distributed_search(
            sgd_search(), X, y, storage=tmp_path / "s.db", study_name="s", n_trials=1
        )
    with pytest.raises(TypeError, match="storage must be"):
        load_best_estimator(sgd_search(), X, y, storage=None, study_name="s")
    nothing_runs()


@pytest.mark.filterwarnings("ignore::optuna.exceptions.ExperimentalWarning")
def test_an_in_memory_rdb_storage_object_is_refused_for_workers(data, nothing_runs):
    X, y = data
    storage = optuna.storages.RDBStorage("sqlite://", heartbeat_interval=1)
    with pytest.raises(ValueError, match="storage='sqlite://' is an in-memory"):
        run_distributed_search(
            sgd_search(), X, y, storage=storage, study_name="s", n_trials=1
        )


def _hyperband_search_with_study(url):
    return hyperband_search(
        SGDClassifier(), SPACE, max_epochs=3, random_state=0, study=url
    )


@pytest.mark.parametrize(
    "make_search",
    [lambda url: sgd_search(study=url), _hyperband_search_with_study],
    ids=["HyperbandSearchCV", "hyperband_search"],
)
def test_a_url_as_study_is_a_type_error_suggesting_storage(
    make_search, tmp_path, data, nothing_runs
):
    X, y = data
    url = f"sqlite:///{tmp_path / 'study.db'}"
    with pytest.raises(TypeError, match="^study must be an optuna.Study") as error:
        make_search(url).fit(X, y)  # hyperband_search raises when called
    assert f"storage={url!r}" in str(error.value)
    if make_search is not _hyperband_search_with_study:
        with pytest.raises(TypeError, match="^search.study must be an optuna.Study"):
            run_distributed_search(
                make_search(url), X, y, storage=url, study_name="s", n_trials=1
            )
    nothing_runs()
    assert not (tmp_path / "study.db").exists()


def test_a_url_given_for_results_is_a_type_error_suggesting_load_study():
    url = "sqlite:///study.db"
    with pytest.raises(TypeError, match="^search must be .*optuna.load_study"):
        search_results_frame(url)
    with pytest.raises(TypeError, match="^study must be an optuna.Study.*load_study"):
        SearchHistoryDisplay.from_study(url)
    with pytest.raises(TypeError, match="^study must be an optuna.Study; got int"):
        SearchHistoryDisplay.from_study(3)


@pytest.mark.filterwarnings("ignore::optuna.exceptions.ExperimentalWarning")
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_storage_objects_are_still_accepted(tmp_path, data):
    X, y = data
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    backend = optuna.storages.journal.JournalFileBackend(str(tmp_path / "j.log"))
    journal = optuna.storages.JournalStorage(backend)
    study = optuna.create_study(storage=journal, study_name="j", direction="maximize")
    study.enqueue_trial({"alpha": 0.01})
    study.optimize(lambda t: t.suggest_float("alpha", 1e-6, 1.0, log=True), 1)
    best = load_best_estimator(sgd_search(), X, y, storage=journal, study_name="j")
    assert best.alpha == 0.01

    rdb = optuna.storages.RDBStorage(
        f"sqlite:///{tmp_path / 'rdb.db'}", heartbeat_interval=1
    )
    search = run_distributed_search(
        sgd_search(), X, y, storage=rdb, study_name="r", n_trials=2, refit=False
    )
    finished = (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED)
    assert len(search.study_.get_trials(states=finished)) == 2


def test_an_unknown_study_name_lists_the_stored_ones(tmp_path, data):
    X, y = data
    url = f"sqlite:///{tmp_path / 'study.db'}"
    optuna.create_study(storage=url, study_name="there")
    with pytest.raises(ValueError, match=r"no study named 'gone'.*\['there'\]"):
        load_best_estimator(sgd_search(), X, y, storage=url, study_name="gone")


def _open_connections(url):
    """How many connections other than this query's the database ``url`` has."""
    with psycopg.connect(url) as connection:
        return connection.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()[0]


@pytest.mark.filterwarnings("ignore::optuna.exceptions.ExperimentalWarning")
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_url_search_leaves_no_connection_open(data, postgres_url):
    # Connections left to the garbage collector stay open on the server until
    # then, and warn in whatever code runs at that moment.
    X, y = data
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    search = run_distributed_search(
        sgd_search(), X, y, storage=postgres_url, study_name="s", n_trials=2
    )
    assert _open_connections(postgres_url) == 0
    best = load_best_estimator(sgd_search(), X, y, storage=postgres_url, study_name="s")
    assert _open_connections(postgres_url) == 0
    assert best.alpha == search.best_params_["alpha"]
    assert len(search.study_.trials) == 2  # a closed engine reconnects
