"""The single-process kvstore ('local', 'device'), checked against MXNet 1.9.1's behaviour
(values, key-type rules, error cases), plus create()'s registry and the trainer helpers."""
import numpy as np
import pytest

import mixnet as mx
from mixnet import kvstore as kvs
from mixnet.base import MXNetError
from mixnet.kvstore.local import _rows_only

SHAPE = (4, 4)
DEVS = [mx.cpu(i) for i in range(4)]


def value(kv, key, shape=SHAPE):
    out = mx.nd.zeros(shape)
    kv.pull(key, out=out)
    return out.asnumpy()


@pytest.fixture(params=["local", "device"])
def kv(request):
    return kvs.create(request.param)


# --- create / registry ------------------------------------------------------------
@pytest.mark.parametrize("name", ["local", "device", "LOCAL", "local_allreduce_cpu",
                                  "local_allreduce_device", "horovod"])
def test_create_single_process_names(name):
    # MXNet builds its local store for every name that is neither dist nor nccl
    store = kvs.create(name)
    assert isinstance(store, kvs.KVStore) and isinstance(store, kvs.KVStoreBase)
    assert store.type == name.lower()
    assert store.rank == 0 and store.num_workers == 1


@pytest.mark.parametrize("name", ["dist_sync", "dist_async", "dist_device_sync"])
def test_create_dist_needs_backend(name):
    with pytest.raises(MXNetError, match="distributed"):
        kvs.create(name)


def test_create_errors():
    with pytest.raises(MXNetError, match="NCCL"):
        kvs.create("nccl")
    with pytest.raises(TypeError, match="string"):
        kvs.create(3)


def test_register_family_plugs_in_dist(monkeypatch):
    class FakeDist(kvs.KVStore):
        pass
    monkeypatch.setitem(kvs.base._FAMILIES, "dist", FakeDist)
    store = kvs.create("dist_sync")
    assert isinstance(store, FakeDist) and store.type == "dist_sync"


def test_register_class_and_teststore(monkeypatch):
    monkeypatch.setattr(kvs.KVStoreBase, "kv_registry", dict(kvs.KVStoreBase.kv_registry))

    @kvs.KVStoreBase.register
    class MyStore(kvs.KVStoreBase):
        pass
    assert type(kvs.create("MyStore")) is MyStore
    with pytest.warns(UserWarning, match="overriding"):
        kvs.KVStoreBase.register(MyStore)
    ts = kvs.create("teststore")
    assert ts.type == "teststore" and not ts.is_capable("optimizer")
    grads = [mx.nd.ones((2,), d) for d in DEVS[:2]]
    ts.pushpull(0, grads)
    assert all((g.asnumpy() == 2).all() for g in grads)


# --- init / push / pull -----------------------------------------------------------
def test_init_copies_and_pull(kv):
    w = mx.nd.ones(SHAPE) * 4
    kv.init(3, w)
    w[:] = 7   # the store holds a copy
    assert (value(kv, 3) == 4).all()


def test_init_list_and_duplicate(kv):
    kv.init(["a", "b"], [mx.nd.ones(SHAPE), mx.nd.zeros(SHAPE)])
    assert (value(kv, "a") == 1).all() and (value(kv, "b") == 0).all()
    with pytest.raises(MXNetError, match="duplicate init of key a"):
        kv.init("a", mx.nd.ones(SHAPE))


def test_keys_shared_value_do_not_alias(kv):
    # MXNet tests init several keys with one array: each key must get its own buffer
    kv.init([5, 7], [mx.nd.zeros(SHAPE)] * 2)
    kv._set_updater(lambda key, grad, stored: stored.__iadd__(grad))
    kv.push(5, mx.nd.ones(SHAPE))
    assert (value(kv, 5) == 1).all() and (value(kv, 7) == 0).all()


def test_push_sums_devices_and_replaces(kv):
    kv.init(3, mx.nd.ones(SHAPE) * 10)
    kv.push(3, [mx.nd.ones(SHAPE, d) for d in DEVS])
    assert (value(kv, 3) == 4).all()   # no updater: the sum replaces the stored value


def test_push_does_not_alias_the_gradient(kv):
    kv.init(3, mx.nd.zeros(SHAPE))
    g = mx.nd.ones(SHAPE, mx.cpu(1))
    kv.push(3, g)
    g[:] = 5
    assert (value(kv, 3) == 1).all()


def test_pull_does_not_alias_the_store(kv):
    kv.init(3, mx.nd.ones(SHAPE))
    outs = [mx.nd.zeros(SHAPE, d) for d in DEVS]
    kv.pull(3, out=outs)
    outs[1][:] = 9
    assert (value(kv, 3) == 1).all()
    assert all((o.asnumpy() == 1).all() for i, o in enumerate(outs) if i != 1)


def test_list_keys_multi_device():
    kv = kvs.create()
    keys = ["b", "c", "d"]
    kv.init(keys, [mx.nd.zeros(SHAPE)] * 3)
    kv.push(keys, [[mx.nd.ones(SHAPE, d) * 2 for d in DEVS]] * 3)
    outs = [[mx.nd.empty(SHAPE, d) for d in DEVS] for _ in keys]
    kv.pull(keys, out=outs)
    assert all((o.asnumpy() == 8).all() for row in outs for o in row)


def test_duplicate_keys_in_one_push_are_merged():
    kv = kvs.create()
    kv.init("x", mx.nd.ones((2,)))
    kv._set_updater(lambda key, grad, stored: stored.__iadd__(grad))
    kv.push(["x", "x"], [mx.nd.ones((2,)), mx.nd.ones((2,))])
    assert (value(kv, "x", (2,)) == 3).all()


def test_pull_casts_to_out_dtype():
    kv = kvs.create()
    kv.init(3, mx.nd.ones(SHAPE) * 2.7)
    out = mx.nd.zeros(SHAPE, dtype="int32")
    kv.pull(3, out=out)
    assert out.dtype == np.int32 and (out.asnumpy() == 2).all()


def test_pushpull(kv):
    kv.init(3, mx.nd.zeros(SHAPE))
    grads = [mx.nd.ones(SHAPE, DEVS[0]), mx.nd.ones(SHAPE, DEVS[1]) * 2]
    kv.pushpull(3, grads)
    assert all((g.asnumpy() == 3).all() for g in grads)
    out = mx.nd.zeros(SHAPE)
    kv.pushpull(3, mx.nd.ones(SHAPE), out=out)
    assert (out.asnumpy() == 1).all()


def test_broadcast(kv):
    outs = [mx.nd.zeros(SHAPE, d) for d in DEVS[:2]]
    kv.broadcast("q", mx.nd.ones(SHAPE) * 3, out=outs)
    assert all((o.asnumpy() == 3).all() for o in outs)
    with pytest.raises(MXNetError, match="duplicate init"):
        kv.broadcast("q", mx.nd.ones(SHAPE), out=outs)
    kv.broadcast(["r", "s"], [mx.nd.ones(SHAPE)] * 2, out=[mx.nd.zeros(SHAPE)] * 2)


# --- updater / optimizer -------------------------------------------------------
def test_updater_gets_key_grad_stored():
    seen = []

    def update(key, grad, stored):
        seen.append((key, grad.context == stored.context))
        stored += grad

    for key in (3, "a"):
        kv = kvs.create()
        kv.init(key, mx.nd.zeros(SHAPE))
        kv._set_updater(update)
        for _ in range(4):
            kv.push(key, [mx.nd.ones(SHAPE, d) for d in DEVS])
        assert (value(kv, key) == 16).all()
    assert seen == [(3, True)] * 4 + [("a", True)] * 4


def test_set_optimizer_sgd_and_states(tmp_path, kv):
    kv.init(3, mx.nd.zeros((2,)))
    kv.set_optimizer(mx.optimizer.SGD(learning_rate=0.1, momentum=0.9))
    kv.push(3, [mx.nd.ones((2,), DEVS[0]), mx.nd.ones((2,), DEVS[1])])
    np.testing.assert_allclose(value(kv, 3, (2,)), [-0.2, -0.2], rtol=1e-6)
    fname = str(tmp_path / "kv.states")
    kv.save_optimizer_states(fname)
    before = kv._updater.states[3].asnumpy()
    kv.push(3, mx.nd.ones((2,)))
    kv.load_optimizer_states(fname)
    np.testing.assert_allclose(kv._updater.states[3].asnumpy(), before)
    kv.save_optimizer_states(fname, dump_optimizer=True)
    kv.load_optimizer_states(fname)
    assert isinstance(kv._updater.optimizer, mx.optimizer.SGD)


def test_optimizer_errors(tmp_path, kv):
    with pytest.raises(MXNetError, match="set_optimizer"):
        kv.save_optimizer_states(str(tmp_path / "x"))
    with pytest.raises(TypeError, match="Optimizer"):
        kv.set_optimizer("sgd")
    kv._set_updater(lambda k, g, w: None)
    with pytest.raises(MXNetError, match="no states"):
        kv.load_optimizer_states(str(tmp_path / "x"))


def test_is_capable(kv):
    assert kv.is_capable("optimizer") and kv.is_capable("OPTIMIZER")
    with pytest.raises(ValueError, match="Unknown capability: foo"):
        kv.is_capable("foo")


# --- gradient compression ----------------------------------------------------------
def test_gradient_compression_device_quantizes():
    kv = kvs.create("device")
    kv.set_gradient_compression({"type": "2bit", "threshold": 0.5})
    kv.init(1, mx.nd.zeros((2, 3)))
    grads = [mx.nd.ones((2, 3)) * 0.3, mx.nd.ones((2, 3), mx.cpu(1)) * 0.7]
    kv.push(1, grads)
    assert np.allclose(value(kv, 1, (2, 3)), 0.5)     # 0.3 -> 0 (kept), 0.7 -> 0.5
    kv.push(1, grads)
    assert np.allclose(value(kv, 1, (2, 3)), 1.0)     # residuals 0.6 and 0.9 -> 0.5 each
    kv.push(1, mx.nd.ones((2, 3)) * -0.55)
    assert np.allclose(value(kv, 1, (2, 3)), 0.0)     # residual 0.1 - 0.55 > -0.5
    kv.push(1, mx.nd.ones((2, 3)) * -0.2)
    assert np.allclose(value(kv, 1, (2, 3)), -0.5)    # -0.45 - 0.2 <= -0.5 (as MXNet)


def test_gradient_compression_validation():
    with pytest.raises(MXNetError, match="not supported for this type"):
        kvs.create("local").set_gradient_compression({"type": "2bit"})
    kv = kvs.create("device")
    kv.set_gradient_compression({"type": "2bit"})   # threshold defaults to 0.5
    assert kv._compression.params() == {"type": "2bit", "threshold": 0.5}
    for params, match in [({"type": "3bit"}, "Unknown type for gradient compression 3bit"),
                          ({"threshold": 0.5}, "Required parameter type"),
                          ({"type": "2bit", "threshold": -1}, "greater than 0"),
                          ({"type": "2bit", "threshold": "x"}, "number"),
                          ("2bit", "dict")]:
        with pytest.raises(MXNetError, match=match):
            kv.set_gradient_compression(params)


# --- errors ---------------------------------------------------------------------
def test_uninitialized_key(kv):
    for call in (lambda: kv.push(3, mx.nd.ones(SHAPE)),
                 lambda: kv.pull(3, out=mx.nd.ones(SHAPE))):
        with pytest.raises(MXNetError, match="key 3 has not been inited"):
            call()


def test_mixed_key_types():
    int_kv, str_kv = kvs.create(), kvs.create()
    int_kv.init(3, mx.nd.zeros(SHAPE))
    str_kv.init("a", mx.nd.zeros(SHAPE))
    dense = mx.nd.ones(SHAPE)
    for kv, key in ((int_kv, "a"), (str_kv, 3), (int_kv, ["b", "c"]), (str_kv, [5, 7])):
        vals = [dense] * len(key) if isinstance(key, list) else dense
        for call in (kv.init, kv.push, kv.pull):
            with pytest.raises(MXNetError, match="Mixed key types are not allowed"):
                call(key, vals)


def test_bad_keys_and_values(kv):
    kv.init(3, mx.nd.zeros(SHAPE))
    with pytest.raises(MXNetError, match="unexpected type for keys"):
        kv.push(3.0, mx.nd.ones(SHAPE))
    with pytest.raises(MXNetError, match="inconsistent types of keys"):
        kv.push([3, "a"], [mx.nd.ones(SHAPE)] * 2)
    with pytest.raises(MXNetError, match="2 keys need a list of 2"):
        kv.push([3, 4], [mx.nd.ones(SHAPE)])
    with pytest.raises(MXNetError, match="must be an NDArray"):
        kv.push(3, np.ones(SHAPE))
    with pytest.raises(MXNetError, match="needs `out`"):
        kv.pull(3)
    with pytest.raises(MXNetError, match="shape mismatch"):
        kv.pull(3, out=mx.nd.zeros((3, 3)))


def test_row_sparse_pull_rejects_dense_out(kv):
    kv.init("e", mx.nd.ones(SHAPE))
    with pytest.raises(MXNetError, match="Expected row_sparse storage type"):
        kv.row_sparse_pull("e", out=mx.nd.zeros(SHAPE), row_ids=mx.nd.array([1]))
    with pytest.raises(MXNetError, match="number of row_ids"):
        kv.row_sparse_pull("e", out=[mx.nd.zeros(SHAPE)] * 3, row_ids=[mx.nd.array([1])] * 2)


def test_rows_only_keeps_requested_rows():
    stored = mx.nd.array(np.arange(8).reshape(4, 2))
    got = _rows_only(stored, mx.nd.array([3, 1, 1])).asnumpy()
    np.testing.assert_array_equal(got, [[0, 0], [2, 3], [0, 0], [6, 7]])
    with pytest.raises(MXNetError, match="row_ids must be in"):
        _rows_only(stored, mx.nd.array([4]))


# --- trainer helpers (MXNet's model._create_kvstore & co) ---------------------------
def test_create_kvstore_helper():
    from mixnet.kvstore.training import _create_kvstore
    params = {"w": mx.nd.zeros((2, 2))}
    assert _create_kvstore(None, 2, params) == (None, False)
    assert _create_kvstore("local", 1, params) == (None, False)
    kv, update_on_kv = _create_kvstore("device", 2, params)
    assert kv.type == "device" and update_on_kv is True
    mine = kvs.create("local")
    assert _create_kvstore(mine, 1, params) == (mine, True)
    with pytest.raises(TypeError):
        _create_kvstore(3, 2, params)


def test_update_params_on_kvstore_helper():
    from mixnet.kvstore.training import _initialize_kvstore, _update_params_on_kvstore
    kv = kvs.create("local")
    kv.set_optimizer(mx.optimizer.SGD(learning_rate=1.0))
    weights = [[mx.nd.zeros((2,), d) for d in DEVS[:2]]]
    _initialize_kvstore(kv, weights, {"w": mx.nd.ones((2,))}, ["w"], True)
    assert all((w.asnumpy() == 1).all() for w in weights[0])
    grads = [[mx.nd.ones((2,), d) for d in DEVS[:2]]]
    _update_params_on_kvstore(weights, grads, kv, ["w"])
    assert all((w.asnumpy() == -1).all() for w in weights[0])   # 1 - 1.0 * (1 + 1)
