"""Workers on real storages: a PostgreSQL server and a journal file, and faults.

Each test starts ``_search_worker.py`` processes on one study, kills some with
SIGKILL (no clean-up of any kind), and checks that the study still ends with
exactly ``n_trials`` finished trials, none lost, duplicated or left running.
"""

from collections import Counter

import optuna
import pytest
from optuna.trial import TrialState

from skvision.model_selection._distributed import (
    BEATS_ATTR,
    SURPLUS_ATTR,
    WORKER_ATTR,
)

FINISHED = (TrialState.COMPLETE, TrialState.PRUNED)
QUICK, STUCK = ("--delay", 0.05), ("--delay", 600)  # seconds per epoch


@pytest.fixture(params=["postgresql", "journal"])
def storage(request, tmp_path):
    """A PostgreSQL database URL, or a journal file (``journal:PATH``)."""
    if request.param == "postgresql":
        return request.getfixturevalue("postgres_url")
    return f"journal:{tmp_path / 'study.log'}"


def check_exactly(n_trials, trials):
    """Exactly ``n_trials`` finished; the others FAIL; numbers all distinct."""
    states = Counter(trial.state for trial in trials)
    assert states[TrialState.COMPLETE] + states[TrialState.PRUNED] == n_trials
    assert set(states) <= {*FINISHED, TrialState.FAIL}, states
    assert len({trial.number for trial in trials}) == len(trials)


def test_three_workers_finish_exactly_n_trials(storage, search_workers, tmp_path):
    workers = search_workers(storage, "three", n_trials=12)
    barrier = ("--barrier", tmp_path, "--n-workers", 3)
    processes = [workers.start(i, *QUICK, *barrier) for i in range(3)]
    ran = [workers.finish(process) for process in processes]

    trials = workers.study().get_trials()
    check_exactly(12, trials)
    assert sum(ran) == len(trials) and min(ran) >= 1  # all three took part
    by_worker = Counter(trial.user_attrs[WORKER_ATTR] for trial in trials)
    assert by_worker == {i: ran[i] for i in range(3)}


def test_a_worker_killed_mid_trial_is_replaced(storage, search_workers):
    workers = search_workers(storage, "killed", n_trials=6)
    victim = workers.start(0, *STUCK)
    trials = workers.wait_for_running()
    others = [workers.start(i, *QUICK) for i in (1, 2)]
    workers.wait_for(lambda trials: trials[0].user_attrs.get(BEATS_ATTR), "a beat")
    workers.kill(victim)
    ran = [workers.finish(process) for process in others]

    trials = workers.study().get_trials()
    check_exactly(6, trials)
    (dead,) = [t for t in trials if t.user_attrs[WORKER_ATTR] == 0]
    assert dead.state == TrialState.FAIL  # through its beats, which stopped
    assert sum(ran) == len(trials) - 1


def test_a_study_whose_workers_all_died_resumes(storage, search_workers):
    workers = search_workers(storage, "resumed", n_trials=5)
    stuck = [workers.start(i, *STUCK) for i in range(3)]
    workers.wait_for_running(3)
    for process in stuck:
        workers.kill(process)
    assert [t.state for t in workers.study().trials] == [TrialState.RUNNING] * 3

    restarted = [workers.start(i, *QUICK) for i in range(3, 6)]
    ran = [workers.finish(process) for process in restarted]
    trials = workers.study().get_trials()
    check_exactly(5, trials)
    assert all(t.state == TrialState.FAIL for t in trials[:3])
    assert sum(ran) == len(trials) - 3


def test_a_trial_whose_worker_died_before_its_first_beat_is_replaced(
    storage, search_workers
):
    # The state a worker killed between creating its trial and its first beat
    # leaves: a RUNNING trial that never beats. It once blocked the study.
    workers = search_workers(storage, "orphan", n_trials=2)
    study = optuna.create_study(
        storage=workers.optuna_storage(), study_name="orphan", direction="maximize"
    )
    orphan = study.ask()
    ran = workers.finish(workers.start(0, *QUICK))
    trials = workers.study().get_trials()
    check_exactly(2, trials)
    assert trials[orphan.number].state == TrialState.FAIL
    assert BEATS_ATTR not in trials[orphan.number].user_attrs
    assert ran == len(trials) - 1


def test_workers_carry_on_through_a_database_restart(
    postgres_server, postgres_url, search_workers
):
    workers = search_workers(postgres_url, "restart", n_trials=12)
    processes = [workers.start(i, "--delay", 0.1) for i in range(3)]
    before = workers.wait_for(lambda t: finished(t) >= 3, "3 finished trials")
    postgres_server.restart()  # closes every connection
    ran = [workers.finish(process) for process in processes]

    trials = workers.study().get_trials()
    check_exactly(12, trials)
    for trial in before:  # nothing finished before the restart is lost
        if trial.state in FINISHED:
            assert trials[trial.number].state == trial.state
            assert trials[trial.number].value == trial.value
    # A trial the restart interrupted is FAIL and replaced: at most one a worker.
    interrupted = [t for t in trials if t.state == TrialState.FAIL]
    interrupted = [t for t in interrupted if SURPLUS_ATTR not in t.user_attrs]
    assert len(interrupted) <= 3 and sum(ran) + len(interrupted) == len(trials)


def test_a_worker_whose_database_stays_away_stops_and_a_rerun_resumes(
    search_workers, own_postgres_server
):
    server = own_postgres_server
    workers = search_workers(server.create_database("away"), "away", 3)
    process = workers.start(0, "--delay", 0.3, "--reconnect-timeout", 2)
    workers.wait_for_running()
    server.pause()
    out, err = process.communicate(timeout=120)
    assert process.returncode != 0
    assert "LostStorageError: The study's storage did not answer for 2" in err
    assert "rerun it when the database is back" in err
    server.resume()

    ran = workers.finish(workers.start(1, *QUICK))
    trials = workers.study().get_trials()
    check_exactly(3, trials)
    # (Worker 0's trial may hold no worker attribute: the pause can come
    # between creating it and writing the attribute.)
    assert ran == sum(t.user_attrs.get(WORKER_ATTR) == 1 for t in trials)


def finished(trials):
    return sum(trial.state in FINISHED for trial in trials)
