"""NDArray core: creation, views and in-place semantics, async errors, pickling, dlpack."""
import pickle

import numpy as np
import pytest

import mixnet as mx
from mixnet.base import MXNetError


def test_array_defaults_to_float32_and_keeps_context():
    a = mx.nd.array(np.arange(6, dtype=np.int64).reshape(2, 3))
    assert a.dtype == np.float32 and a.shape == (2, 3) and a.context == mx.cpu(0)
    with mx.cpu(1):
        b = mx.nd.ones((2,))
    assert b.context == mx.cpu(1)
    assert mx.nd.array([1, 2], dtype="int32").dtype == np.int32


def test_contiguous_slice_is_a_view_and_writes_through():
    a = mx.nd.array(np.arange(12).reshape(4, 3))
    v = a[1:3]
    v[:] = 0
    expect = np.arange(12).reshape(4, 3).astype(np.float32)
    expect[1:3] = 0
    np.testing.assert_array_equal(a.asnumpy(), expect)
    row = a[3]
    row += 100
    assert a.asnumpy()[3].tolist() == [109, 110, 111]


def test_noncontiguous_slice_copies():
    a = mx.nd.array(np.arange(12).reshape(4, 3))
    col = a[:, 1]
    col[:] = -1
    assert (a.asnumpy()[:, 1] != -1).all()
    assert not mx.nd.NDArray._basic_indexing_slice_is_contiguous((slice(None), 1), (4, 3))


def test_reshape_is_a_view_with_special_codes():
    a = mx.nd.zeros((2, 3, 4))
    assert a.reshape((0, -1)).shape == (2, 12)
    assert a.reshape((-3, 4)).shape == (6, 4)
    assert a.reshape((-4, 1, 2, -2)).shape == (1, 2, 3, 4)
    assert a.reshape((-1,), reverse=True).shape == (24,)
    r = a.reshape((6, 4))
    r[:] = 7
    assert (a.asnumpy() == 7).all()
    with pytest.raises(MXNetError, match="Reshape"):
        a.reshape((5, 5))


def test_setitem_forms():
    a = mx.nd.zeros((3, 4))
    a[0] = 1
    a[1, 1:3] = mx.nd.ones((2,)) * 2
    a[2] = np.arange(4)
    a[:, 3] = 9
    expect = np.zeros((3, 4), np.float32)
    expect[0] = 1
    expect[1, 1:3] = 2
    expect[2] = np.arange(4)
    expect[:, 3] = 9
    np.testing.assert_array_equal(a.asnumpy(), expect)
    with pytest.raises(MXNetError, match="cannot assign"):
        a[0] = np.ones(3)


def test_getitem_advanced_and_out_of_range():
    a = mx.nd.array([[0, 1], [2, 3]])
    assert a[[1, 1, 0], [0, 1, 0]].asnumpy().tolist() == [2, 3, 0]
    assert a[1, 1].shape == (1,)
    with pytest.raises(IndexError):
        a[5]


def test_inplace_ops_mutate_and_keep_identity():
    a = mx.nd.ones((3,))
    b = a
    a += 2
    a *= mx.nd.array([1, 2, 3])
    assert b is a
    assert a.asnumpy().tolist() == [3, 6, 9]


def test_scalar_cast_to_int_dtype_like_mxnet():
    b = mx.nd.array([1, 2], dtype="int32")
    assert (b * 1.5).asnumpy().tolist() == [1, 2]
    assert (b + 2.5).dtype == np.int32


def test_async_error_surfaces_at_sync_and_engine_recovers():
    a = mx.nd.ones((2, 2))
    bad = mx.nd.Cast(a, dtype="float32")
    # an error inside a kernel: a broken op output is only seen at the sync point
    op = mx.ops.registry.get("_copy")
    from mixnet.ndarray import dispatch
    from mixnet.ndarray.ndarray import new_array
    orig = op.forward
    op.forward = lambda xp, p, d: (_ for _ in ()).throw(ValueError("kernel failed"))
    try:
        c = dispatch.invoke(op, [bad], None, new_array=new_array)
    finally:
        op.forward = orig
    d = c + 1
    with pytest.raises(MXNetError, match="_copy"):
        d.asnumpy()
    assert (a + 1).asnumpy().sum() == 8


def test_shape_error_names_op_and_shapes():
    with pytest.raises(MXNetError) as info:
        mx.nd.broadcast_add(mx.nd.ones((2, 3)), mx.nd.ones((4, 5)))
    msg = str(info.value)
    assert "broadcast_add" in msg and "(2, 3)" in msg and "(4, 5)" in msg


def test_unknown_argument_is_named():
    with pytest.raises(MXNetError, match="unknown argument.*foo"):
        mx.nd.Cast(mx.nd.ones((2,)), dtype="int32", foo=1)


def test_pickle_roundtrip_uses_mxnet_state_format():
    a = mx.nd.array(np.arange(6).reshape(2, 3))
    state = a.__getstate__()
    assert set(state) == {"handle"} and bytes(state["handle"][:4]) == b"\xc9\xfa\x93\xf9"
    b = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(a.asnumpy(), b.asnumpy())


def test_save_load_roundtrip(tmp_path):
    data = {"w": mx.nd.array(np.random.rand(3, 4)), "b": mx.nd.array([1, 2], dtype="int64")}
    mx.nd.save(str(tmp_path / "p.params"), data)
    back = mx.nd.load(str(tmp_path / "p.params"))
    for k in data:
        np.testing.assert_array_equal(back[k].asnumpy(), data[k].asnumpy())
        assert back[k].dtype == data[k].dtype
    with pytest.raises(MXNetError):
        mx.nd.load_frombuffer(open(tmp_path / "p.params", "rb").read()[:-3])


def test_dlpack_shares_memory_with_numpy():
    a = mx.nd.zeros((2, 3))
    b = np.from_dlpack(_Capsule(mx.nd.to_dlpack_for_read(a)))
    a[0, 0] = 5
    a.wait_to_read()
    assert b[0, 0] == 5
    x = np.arange(4, dtype=np.float32)
    y = mx.nd.from_numpy(x)
    y[0] = 42          # MXNet takes ownership: writes go through the NDArray
    y.wait_to_read()
    assert x[0] == 42 and not x.flags.writeable


class _Capsule:
    def __init__(self, cap):
        self.cap = cap

    def __dlpack__(self, **kw):
        return self.cap

    def __dlpack_device__(self):
        return (1, 0)


def test_contexts_are_distinct_devices():
    a = mx.nd.ones((2,), ctx=mx.cpu(1))
    b = a.as_in_context(mx.cpu(2))
    assert b.context == mx.cpu(2) and (b.asnumpy() == 1).all()
    with pytest.raises(MXNetError, match="one context"):
        a + mx.nd.ones((2,))
