"""Shape ops: matrix.py, matrix_join.py, matrix_expand.py."""
import numpy as np
import pytest

import mixnet as mx

from .harness import Sample, parametrize, run_sample


def adjoint(forward):
    """NumPy reference of the backward op of a linear ``forward(data, *rest, **params)``:
    ``ref(ograd, *rest_inputs, data)`` = J^T ograd, built column by column from ``forward``
    (independent of the op's own backward formula). ``data`` is the last input."""
    def ref(ograd, *inputs, **params):
        *rest, data = inputs
        out = np.zeros(data.shape)
        for k in range(data.size):
            unit = np.zeros(data.size)
            unit[k] = 1
            col = np.asarray(forward(unit.reshape(data.shape), *rest, **params), float)
            out.reshape(-1)[k] = (col * ograd).sum()
        return out
    return ref


def d2s_ref(x, block_size):
    n, c, h, w = x.shape
    b, c_out = block_size, c // (block_size ** 2)
    out = np.zeros((n, c_out, h * b, w * b), x.dtype)
    for i in range(b):
        for j in range(b):
            for k in range(c_out):
                out[:, k, i::b, j::b] = x[:, (i * b + j) * c_out + k]
    return out


def s2d_ref(x, block_size):
    n, c, h, w = x.shape
    b = block_size
    out = np.zeros((n, c * b * b, h // b, w // b), x.dtype)
    for i in range(b):
        for j in range(b):
            out[:, (i * b + j) * c:(i * b + j + 1) * c] = x[:, :, i::b, j::b]
    return out


def split_ref(x, num_outputs, axis=1, squeeze_axis=False):
    parts = np.split(x, num_outputs, axis=axis)
    return [p.squeeze(axis) if squeeze_axis else p for p in parts]


def split_v2_ref(x, indices=(), axis=1, squeeze_axis=False, sections=0):
    parts = np.split(x, sections if sections else list(indices[1:]), axis=axis)
    return [p.squeeze(axis) if squeeze_axis else p for p in parts]


def pad_ref(x, mode, pad_width, constant_value=0.0):
    pairs = list(zip(pad_width[::2], pad_width[1::2]))
    if mode == "constant":
        return np.pad(x, pairs, mode="constant", constant_values=constant_value)
    return np.pad(x, pairs, mode=mode)


def broadcast_to_ref(x, shape):
    return np.broadcast_to(x, [s if t == 0 else t for s, t in zip(x.shape, shape)])


def broadcast_axis_ref(x, axis, size):
    shape = list(x.shape)
    for a, n in zip(np.atleast_1d(axis), np.atleast_1d(size)):
        shape[a] = n
    return np.broadcast_to(x, shape)


def concat_ref(*xs, dim=1):
    return np.concatenate(xs, axis=dim)


def backward_concat_ref(g, *xs, dim=1):
    cuts = np.cumsum([x.shape[dim] for x in xs])[:-1]
    return np.split(g, cuts, axis=dim)


PAD = {"mode": "constant", "pad_width": (0, 0, 0, 0, 1, 2, 2, 1), "constant_value": 0.5}
PAD_EDGE = {"mode": "edge", "pad_width": (0, 0, 0, 0, 1, 1, 2, 1)}
PAD_REFLECT = {"mode": "reflect", "pad_width": (0, 0, 0, 0, 1, 1, 1, 2)}

SAMPLES = [
    Sample("Reshape", [(2, 3, 4)], {"shape": (0, -1)}, ref=lambda x, shape: x.reshape(2, 12)),
    Sample("reshape", [(2, 3, 4)], {"shape": (-3, -2)}, ref=lambda x, shape: x.reshape(6, 4)),
    Sample("reshape", [(2, 3, 4)], {"shape": (-4, 1, 2, 0, -1)},
           ref=lambda x, shape: x.reshape(1, 2, 3, 4)),
    Sample("reshape", [(2, 3, 4)], {"shape": (-1, 0), "reverse": True},
           ref=lambda x, shape, reverse: x.reshape(6, 4)),
    Sample("reshape_like", [(2, 3), (3, 2)], ref=lambda a, b: a.reshape(b.shape),
           grad_inputs=[0]),
    Sample("transpose", [(2, 3, 4)], ref=lambda x: x.T),
    Sample("transpose", [(2, 3, 4)], {"axes": (1, 2, 0)}, ref=lambda x, axes: x.transpose(axes)),
    Sample("SwapAxis", [(2, 3, 4)], {"dim1": 0, "dim2": -1},
           ref=lambda x, dim1, dim2: np.swapaxes(x, dim1, dim2)),
    Sample("swapaxes", [(2, 3)], {"dim1": 1}, ref=lambda x, dim1: np.swapaxes(x, dim1, 0)),
    Sample("expand_dims", [(2, 3)], {"axis": -1}, ref=lambda x, axis: x[..., None]),
    Sample("expand_dims", [(2, 3)], {"axis": 1}, ref=lambda x, axis: x[:, None]),
    Sample("squeeze", [(1, 3, 1)], ref=lambda x: x.reshape(3)),
    Sample("squeeze", [(1, 3, 1)], {"axis": -1}, ref=lambda x, axis: x.reshape(1, 3)),
    Sample("squeeze", [(1, 1)], ref=lambda x: x.reshape(1)),
    Sample("Flatten", [(2, 3, 2)], ref=lambda x: x.reshape(2, 6)),
    Sample("flatten", [(4,)], ref=lambda x: x.reshape(4, 1)),
    Sample("reverse", [(2, 3, 4)], {"axis": (0, 2)}, ref=lambda x, axis: np.flip(x, axis)),
    Sample("flip", [(3, 2)], {"axis": 1}, ref=lambda x, axis: x[:, ::-1]),
    Sample("depth_to_space", [(1, 8, 2, 3)], {"block_size": 2}, ref=d2s_ref),
    Sample("space_to_depth", [(1, 2, 4, 2)], {"block_size": 2}, ref=s2d_ref),
    # matrix_join.py
    Sample("Concat", [(2, 3), (2, 1)], ref=concat_ref),
    Sample("concat", [(2, 3), (1, 3), (2, 3)], {"dim": 0}, ref=concat_ref),
    Sample("Concat", [(2, 2, 3), (2, 1, 3)], {"dim": -2}, ref=concat_ref),
    Sample("_backward_Concat", [(2, 4), (2, 3), (2, 1)], ref=backward_concat_ref,
           grad_inputs=[0]),
    Sample("stack", [(2, 3), (2, 3)], ref=lambda *xs: np.stack(xs)),
    Sample("stack", [(2, 3), (2, 3), (2, 3)], {"axis": -1},
           ref=lambda *xs, axis: np.stack(xs, axis)),
    Sample("SliceChannel", [(2, 4, 3)], {"num_outputs": 2}, ref=split_ref),
    Sample("split", [(3, 2)], {"num_outputs": 3, "axis": 0, "squeeze_axis": True},
           ref=split_ref),
    Sample("split", [(3, 2)], {"num_outputs": 2, "axis": -1}, ref=split_ref),
    Sample("_split_v2", [(2, 5)], {"indices": (0, 1, 3)}, ref=split_v2_ref),
    Sample("_split_v2", [(4, 2)], {"indices": (), "sections": 2, "axis": 0}, ref=split_v2_ref),
    Sample("_split_v2", [(2, 3, 2)], {"indices": (0, 1, 2), "axis": 1, "squeeze_axis": True},
           ref=split_v2_ref),
    # matrix_expand.py
    Sample("tile", [(2, 3)], {"reps": (2,)}, ref=lambda x, reps: np.tile(x, reps)),
    Sample("tile", [(3,)], {"reps": (2, 2)}, ref=lambda x, reps: np.tile(x, reps)),
    Sample("_backward_tile", [(4, 3), (2, 3)], {"reps": (2, 1)}, grad_inputs=[0],
           ref=adjoint(lambda x, reps: np.tile(x, reps))),
    Sample("_backward_tile", [(2, 6), (3,)], {"reps": (2, 2)}, grad_inputs=[0],
           ref=adjoint(lambda x, reps: np.tile(x, reps))),
    Sample("repeat", [(2, 3)], {"repeats": 2}, ref=lambda x, repeats: np.repeat(x, repeats)),
    Sample("repeat", [(2, 3)], {"repeats": 3, "axis": -1},
           ref=lambda x, repeats, axis: np.repeat(x, repeats, axis)),
    Sample("_backward_repeat", [(2, 6), (2, 3)], {"repeats": 2, "axis": 1}, grad_inputs=[0],
           ref=adjoint(lambda x, repeats, axis: np.repeat(x, repeats, axis))),
    Sample("_backward_repeat", [(8,), (2, 2)], {"repeats": 2}, grad_inputs=[0],
           ref=adjoint(lambda x, repeats: np.repeat(x, repeats))),
    Sample("Pad", [(1, 2, 2, 3)], PAD, ref=pad_ref),
    Sample("pad", [(1, 1, 2, 3)], PAD_EDGE, ref=pad_ref),
    Sample("pad", [(1, 1, 2, 3)], PAD_REFLECT, ref=pad_ref),
    Sample("pad", [(1, 1, 2, 2, 2)], {"mode": "edge", "pad_width": (0,) * 4 + (1, 0) * 3},
           ref=pad_ref),
    Sample("_backward_Pad", [(1, 1, 5, 6), (1, 1, 2, 3)], PAD, grad_inputs=[0],
           ref=adjoint(lambda x, **p: pad_ref(x, **{**p, "constant_value": 0.0}))),
    Sample("_backward_Pad", [(1, 1, 4, 6), (1, 1, 2, 3)], PAD_EDGE, grad_inputs=[0],
           ref=adjoint(pad_ref)),
    Sample("_backward_Pad", [(1, 1, 4, 6), (1, 1, 2, 3)], PAD_REFLECT, grad_inputs=[0],
           ref=adjoint(pad_ref)),
    Sample("broadcast_to", [(1, 3, 1)], {"shape": (2, 0, 4)}, ref=broadcast_to_ref),
    Sample("broadcast_axis", [(1, 3, 1)], {"axis": (0, 2), "size": (2, 4)},
           ref=broadcast_axis_ref),
    Sample("broadcast_axes", [(3, 1)], {"axis": 1, "size": 2}, ref=broadcast_axis_ref),
]


@parametrize(SAMPLES)
def test_op(sample):
    run_sample(sample)


def _arange(*shape):
    return mx.nd.array(np.arange(np.prod(shape), dtype=np.float32).reshape(shape))


def test_depth_to_space_matches_mxnet_values():
    # Values printed by MXNet 1.9.1 for arange(48).reshape(1, 12, 2, 2) / (1, 3, 4, 4).
    d2s = mx.nd.depth_to_space(_arange(1, 12, 2, 2), 2).asnumpy().ravel()[:12]
    np.testing.assert_array_equal(d2s, [0, 12, 1, 13, 24, 36, 25, 37, 2, 14, 3, 15])
    s2d = mx.nd.space_to_depth(_arange(1, 3, 4, 4), 2).asnumpy().ravel()[:12]
    np.testing.assert_array_equal(s2d, [0, 2, 8, 10, 16, 18, 24, 26, 32, 34, 40, 42])


def test_outputs_keep_legacy_shapes():
    assert mx.nd.squeeze(mx.nd.ones((1, 1))).shape == (1,)
    assert mx.nd.split(_arange(2, 3), 1).shape == (2, 3)      # one output: not a list
    assert mx.nd.repeat(_arange(2, 3), repeats=0, axis=1).shape == (0,)
    assert mx.nd.tile(_arange(2, 3), reps=()).shape == (2, 3)


def test_gradients_through_join_and_split():
    x = _arange(2, 3, 4)
    x.attach_grad()
    with mx.autograd.record():
        y = mx.nd.concat(x, x * 2, dim=1)
        parts = mx.nd.split(y, 2, axis=2)
        z = mx.nd.stack(*parts, axis=0)
    z.backward()
    np.testing.assert_allclose(x.grad.asnumpy(), np.full((2, 3, 4), 3.0))


def _raises(fn, *words, exc=mx.base.MXNetError):
    with pytest.raises(exc) as info:
        fn()
    for w in words:
        assert w in str(info.value), f"{w!r} not in {info.value}"


def test_concat_errors_name_the_input_and_shapes():
    x = _arange(2, 3, 4)
    _raises(lambda: mx.nd.concat(x, mx.nd.ones((2, 2, 5)), dim=1),
            "Concat", "arg1", "(2, 2, 5)", "(2, 3, 4)")
    _raises(lambda: mx.nd.concat(x, x.astype("int32")), "Concat", "int32", "input 1")
    _raises(lambda: mx.nd.concat(x, x, dim=3), "dim=3", exc=IndexError)
    _raises(lambda: mx.nd.stack(x, mx.nd.ones((2, 3, 5))), "stack", "arg1", "(2, 3, 5)")


def test_axis_errors():
    x = _arange(2, 3, 4)
    _raises(lambda: mx.nd.transpose(x, axes=(0, 1)), "transpose", "axes")
    _raises(lambda: mx.nd.transpose(x, axes=(0, 1, 1)), "repeats")
    # MXNet 1.9.1 rejects negative axes in transpose / reverse / broadcast_axis.
    _raises(lambda: mx.nd.transpose(x, axes=(-1, 0, 1)), "axis -1", exc=IndexError)
    _raises(lambda: mx.nd.flip(x, axis=-1), "reverse", exc=IndexError)
    _raises(lambda: mx.nd.swapaxes(x, 0, 3), "dim2=3", exc=IndexError)
    _raises(lambda: mx.nd.expand_dims(x, axis=4), "expand_dims", exc=IndexError)
    _raises(lambda: mx.nd.squeeze(mx.nd.ones((1, 2, 1)), axis=1), "size=2")
    _raises(lambda: mx.nd.repeat(x, repeats=-1), "negative")
    _raises(lambda: mx.nd.tile(x, reps=(0, 1)), "reps")


def test_split_errors():
    x = _arange(2, 3, 4)
    _raises(lambda: mx.nd.split(x, 2, axis=1), "evenly", "num_outputs=2")
    _raises(lambda: mx.nd.split(x, 2, axis=-1, squeeze_axis=True), "squeeze")
    _raises(lambda: mx.nd._split_v2(x, indices=(0, 3, 1), axis=2), "start 3")
    _raises(lambda: mx.nd._split_v2(x, indices=(0, 5), axis=2), "end 5")


def test_pad_and_broadcast_errors():
    x4 = _arange(2, 3, 2, 2)
    _raises(lambda: mx.nd.pad(x4, mode="constant", pad_width=(0, 0, 1, 1, 0, 0, 0, 0)),
            "first two axes")
    _raises(lambda: mx.nd.pad(_arange(2, 3, 4), mode="edge", pad_width=(0,) * 6), "4-D or 5-D")
    _raises(lambda: mx.nd.pad(x4, mode="reflect", pad_width=(0, 0, 0, 0, 2, 2, 1, 1)),
            "smaller than the input size")
    _raises(lambda: mx.nd.pad(x4.astype("int32"), mode="edge", pad_width=(0,) * 8),
            "floating point")
    _raises(lambda: mx.nd.pad(x4, mode="wrap", pad_width=(0,) * 8), "mode")
    _raises(lambda: mx.nd.broadcast_to(mx.nd.ones((1, 3, 1)), shape=(2, 2, 4)),
            "(1, 3, 1)", "(2, 2, 4)")
    _raises(lambda: mx.nd.broadcast_axis(mx.nd.ones((1, 3, 1)), axis=1, size=4), "size 1")
