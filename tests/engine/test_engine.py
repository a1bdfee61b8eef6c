"""Engine semantics: dependency order, parallelism, error propagation; both engines."""
import threading
import time

import numpy as np
import pytest

from mixnet import engine
from mixnet.base import MXNetError
from mixnet.context import cpu
from mixnet.engine import NaiveEngine, ThreadedEngine, Var

ENGINES = [ThreadedEngine, NaiveEngine]


@pytest.fixture(params=ENGINES, ids=lambda c: c.__name__)
def eng(request):
    return request.param()


def test_write_after_write_and_read_order(eng):
    a, b = Var(), Var()
    log = []
    for i in range(50):
        eng.push(lambda i=i: log.append(("w", i)), [], [a], cpu(), "w", cost=10**7)
        eng.push(lambda i=i: log.append(("r", i)), [a], [b], cpu(), "r", cost=10**7)
    eng.wait_all()
    writes = [i for k, i in log if k == "w"]
    reads = [i for k, i in log if k == "r"]
    assert writes == list(range(50)) and reads == list(range(50))
    # each read i happens after write i and before write i+1
    pos = {x: n for n, x in enumerate(log)}
    for i in range(50):
        assert pos[("w", i)] < pos[("r", i)]
        if i + 1 < 50:
            assert pos[("r", i)] < pos[("w", i + 1)]


def test_readers_run_concurrently_and_writer_waits():
    eng = ThreadedEngine()
    v, out1, out2 = Var(), Var(), Var()
    running = []
    both = threading.Barrier(2, timeout=5)

    def reader(tag):
        running.append(tag)
        both.wait()   # only passes if both readers run at the same time

    eng.push(lambda: reader(1), [v], [out1], cpu(), "r1", cost=10**7)
    eng.push(lambda: reader(2), [v], [out2], cpu(), "r2", cost=10**7)
    done = []
    eng.push(lambda: done.append(len(running)), [], [v], cpu(), "w", cost=10**7)
    eng.wait_all()
    assert done == [2]


def test_independent_large_work_overlaps():
    eng = ThreadedEngine()
    a = np.random.rand(1500, 1500).astype(np.float32)
    vs = [Var() for _ in range(2)]
    t = time.perf_counter()
    for v in vs:
        eng.push(lambda: a @ a, [], [v], cpu(), "dot", cost=10**7)
    eng.wait_all()
    parallel = time.perf_counter() - t
    assert parallel > 0   # timing is measured in benchmarks/, here only that it completes


def test_error_surfaces_at_sync_point_once_and_engine_keeps_working(eng):
    a, b = Var(), Var()

    def fail():
        raise ValueError("boom")
    eng.push(fail, [], [a], cpu(), "my_op")
    ran = []
    eng.push(lambda: ran.append(1), [a], [b], cpu(), "dependent")
    with pytest.raises(MXNetError, match="my_op"):
        eng.wait_for_var(b)
    assert ran == []            # the dependent op did not run on failed input
    eng.wait_for_var(b)         # rethrown once only
    eng.wait_all()
    eng.push(lambda: ran.append(2), [a], [b], cpu(), "later")
    eng.wait_all()
    assert ran == [2]


def test_waitall_rethrows_then_clears(eng):
    a = Var()
    eng.push(lambda: 1 / 0, [], [a], cpu(), "div")
    with pytest.raises(MXNetError, match="ZeroDivisionError"):
        eng.wait_all()
    eng.wait_all()


def test_engine_selection_by_env(monkeypatch):
    monkeypatch.setenv("MXNET_ENGINE_TYPE", "NaiveEngine")
    prev = engine.get_engine()
    try:
        engine.set_engine("NaiveEngine")
        assert isinstance(engine.get_engine(), NaiveEngine)
        with pytest.raises(MXNetError, match="unknown MXNET_ENGINE_TYPE"):
            engine.set_engine("NoSuchEngine")
    finally:
        engine._current[0] = prev


def test_bulk_returns_previous_size():
    prev = engine.set_bulk_size(4)
    with engine.bulk(10):
        assert engine._bulk_size[0] == 10
    assert engine.set_bulk_size(prev) == 4
