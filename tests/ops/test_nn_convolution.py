"""Convolution, Deconvolution, im2col and col2im (and their backward ops) against plain
loop references, numeric gradients, shape inference and MXNet 1.9.1 values."""
import itertools

import numpy as np
import pytest

import mixnet as mx
from mixnet.ops import registry

from .harness import Sample, parametrize, run_sample


def _geom(kernel, stride=(), dilate=(), pad=()):
    n = len(kernel)
    return (tuple(kernel), tuple(stride) or (1,) * n, tuple(dilate) or (1,) * n,
            tuple(pad) or (0,) * n)


def _padded(x, pad):
    return np.pad(x, [(0, 0), (0, 0)] + [(p, p) for p in pad])


def _window(xp, pos, kernel, stride, dilate):
    """x[:, :, window of output position pos] as (N, C, *kernel)."""
    sl = tuple(slice(o * s, o * s + d * (k - 1) + 1, d)
               for o, s, d, k in zip(pos, stride, dilate, kernel))
    return xp[(slice(None), slice(None)) + sl]


def conv_ref(x, w, b=None, *, kernel, stride=(), dilate=(), pad=(), num_filter, num_group=1,
             no_bias=False, layout=None, **_):
    if layout in ("NHWC", "NDHWC"):
        x, w = np.moveaxis(x, -1, 1), np.moveaxis(w, -1, 1)
    kernel, stride, dilate, pad = _geom(kernel, stride, dilate, pad)
    xp = _padded(x, pad)
    out_sp = [(xp.shape[2 + i] - dilate[i] * (kernel[i] - 1) - 1) // stride[i] + 1
              for i in range(len(kernel))]
    out = np.zeros((x.shape[0], num_filter) + tuple(out_sp))
    cg, fg = x.shape[1] // num_group, num_filter // num_group
    for pos in itertools.product(*map(range, out_sp)):
        win = _window(xp, pos, kernel, stride, dilate)
        for f in range(num_filter):
            grp = f // fg
            patch = win[:, grp * cg:(grp + 1) * cg]
            out[(slice(None), f) + pos] = (patch * w[f]).reshape(x.shape[0], -1).sum(1)
    if b is not None:
        out += b.reshape((1, -1) + (1,) * len(kernel))
    out = out.astype(x.dtype)
    return np.moveaxis(out, 1, -1) if layout in ("NHWC", "NDHWC") else out


def _deconv_pad(in_sp, kernel, stride, dilate, pad, adj, target_shape):
    n = len(kernel)
    adj = tuple(adj) or (0,) * n
    if not any(target_shape):
        return pad, adj
    pads, adjs = [], []
    for i in range(n):
        full = stride[i] * (in_sp[i] - 1) + dilate[i] * (kernel[i] - 1) + 1 - target_shape[i]
        pads.append((full + 1) // 2)
        adjs.append(full % 2)
    return tuple(pads), tuple(adjs)


def deconv_ref(x, w, b=None, *, kernel, stride=(), dilate=(), pad=(), adj=(), target_shape=(),
               num_filter, num_group=1, no_bias=True, **_):
    """Scatter every input pixel times its kernel into the (padded) output."""
    kernel, stride, dilate, pad = _geom(kernel, stride, dilate, pad)
    pad, adj = _deconv_pad(x.shape[2:], kernel, stride, dilate, pad, adj, target_shape)
    n = len(kernel)
    out_sp = [stride[i] * (x.shape[2 + i] - 1) + dilate[i] * (kernel[i] - 1) + 1 - 2 * pad[i]
              + adj[i] for i in range(n)]
    big = np.zeros((x.shape[0], num_filter) + tuple(o + 2 * p for o, p in zip(out_sp, pad)))
    cg, fg = x.shape[1] // num_group, num_filter // num_group
    for pos in itertools.product(*map(range, x.shape[2:])):
        for c in range(x.shape[1]):
            grp = c // cg
            for ko in itertools.product(*map(range, kernel)):
                o = tuple(p * s + k * d for p, s, k, d in zip(pos, stride, ko, dilate))
                if all(oi < bi for oi, bi in zip(o, big.shape[2:])):
                    big[(slice(None), slice(grp * fg, (grp + 1) * fg)) + o] += \
                        x[(slice(None), c) + pos][:, None] * w[(c, slice(None)) + ko]
    out = big[(slice(None), slice(None)) + tuple(slice(p, p + o) for p, o in zip(pad, out_sp))]
    if b is not None:
        out = out + b.reshape((1, -1) + (1,) * n)
    return out.astype(x.dtype)


def im2col_ref(x, *, kernel, stride=(), dilate=(), pad=()):
    kernel, stride, dilate, pad = _geom(kernel, stride, dilate, pad)
    xp = _padded(x, pad)
    out_sp = [(xp.shape[2 + i] - dilate[i] * (kernel[i] - 1) - 1) // stride[i] + 1
              for i in range(len(kernel))]
    cols = [_window(xp, pos, kernel, stride, dilate).reshape(x.shape[0], -1)
            for pos in itertools.product(*map(range, out_sp))]
    return np.stack(cols, axis=-1)


def col2im_ref(cols, *, output_size, kernel, stride=(), dilate=(), pad=()):
    kernel, stride, dilate, pad = _geom(kernel, stride, dilate, pad)
    n, c = cols.shape[0], cols.shape[1] // int(np.prod(kernel))
    big = np.zeros((n, c) + tuple(s + 2 * p for s, p in zip(output_size, pad)))
    out_sp = [(big.shape[2 + i] - dilate[i] * (kernel[i] - 1) - 1) // stride[i] + 1
              for i in range(len(kernel))]
    for j, pos in enumerate(itertools.product(*map(range, out_sp))):
        win = _window(big, pos, kernel, stride, dilate)
        win += cols[:, :, j].reshape(win.shape)
    return big[(slice(None), slice(None)) +
               tuple(slice(p, p + s) for p, s in zip(pad, output_size))].astype(cols.dtype)


C2 = {"kernel": (2, 2), "num_filter": 3}
SAMPLES = [
    Sample("Convolution", [(2, 3, 5, 4), (3, 3, 2, 2), (3,)], C2, ref=conv_ref),
    Sample("Convolution", [(1, 4, 5, 5), (4, 2, 3, 2), (4,)],
           {"kernel": (3, 2), "stride": (2, 1), "pad": (1, 1), "dilate": (1, 2),
            "num_filter": 4, "num_group": 2}, ref=conv_ref),
    Sample("Convolution", [(2, 2, 7), (3, 2, 3)],
           {"kernel": (3,), "stride": (2,), "pad": (1,), "dilate": (2,), "num_filter": 3,
            "no_bias": True}, ref=conv_ref),
    Sample("Convolution", [(1, 2, 3, 4, 3), (2, 2, 2, 2, 2), (2,)],
           {"kernel": (2, 2, 2), "stride": (1, 2, 1), "pad": (0, 1, 1), "num_filter": 2},
           ref=conv_ref),
    Sample("Convolution", [(1, 4, 3, 2), (2, 2, 2, 2), (2,)],
           {"kernel": (2, 2), "num_filter": 2, "layout": "NHWC"}, ref=conv_ref),
    Sample("Convolution", [(2, 3, 5, 4), (3, 3, 2, 2), (3,)], C2, ref=conv_ref,
           dtype=np.float64, grad=False, id="conv-float64"),
    Sample("Deconvolution", [(1, 2, 3, 2), (2, 3, 3, 3)],
           {"kernel": (3, 3), "stride": (2, 2), "pad": (1, 1), "adj": (1, 0), "num_filter": 3},
           ref=deconv_ref),
    Sample("Deconvolution", [(1, 4, 2, 3), (4, 1, 2, 2), (2,)],
           {"kernel": (2, 2), "num_group": 2, "num_filter": 2, "no_bias": False,
            "dilate": (2, 1)}, ref=deconv_ref),
    Sample("Deconvolution", [(1, 2, 2, 2), (2, 1, 3, 3)],
           {"kernel": (3, 3), "stride": (2, 2), "target_shape": (4, 5), "num_filter": 1},
           ref=deconv_ref),
    Sample("Deconvolution", [(2, 2, 3), (2, 2, 3)],
           {"kernel": (3,), "stride": (3,), "dilate": (2,), "num_filter": 2}, ref=deconv_ref),
    Sample("Deconvolution", [(1, 2, 2, 2, 2), (2, 1, 2, 1, 2)],
           {"kernel": (2, 1, 2), "stride": (2, 1, 1), "pad": (1, 0, 0), "num_filter": 1},
           ref=deconv_ref),
    Sample("im2col", [(2, 2, 4, 3)], {"kernel": (2, 2)}, ref=im2col_ref),
    Sample("im2col", [(1, 2, 5, 6)],
           {"kernel": (2, 3), "stride": (2, 1), "pad": (1, 0), "dilate": (1, 2)},
           ref=im2col_ref),
    Sample("im2col", [(1, 2, 6)], {"kernel": (3,), "stride": (2,), "pad": (1,)},
           ref=im2col_ref),
    Sample("col2im", [(2, 8, 6)], {"output_size": (4, 3), "kernel": (2, 2)}, ref=col2im_ref),
    Sample("col2im", [(1, 12, 6)],
           {"output_size": (5, 6), "kernel": (2, 3), "stride": (2, 1), "pad": (1, 0),
            "dilate": (1, 2)}, ref=col2im_ref),
    # backward ops: forward values vs a finite difference is what their gradient check does;
    # here their own (higher-order) gradients are checked numerically
    Sample("_backward_Convolution", [(1, 2, 2, 2), (1, 2, 3, 3), (2, 2, 2, 2)],
           {"kernel": (2, 2), "num_filter": 2}),
    Sample("_backward_Convolution", [(1, 2, 2, 2), (1, 2, 4, 4), (2, 1, 2, 2)],
           {"kernel": (2, 2), "stride": (2, 2), "num_filter": 2, "num_group": 2,
            "no_bias": True}),
    Sample("_backward_Deconvolution", [(1, 2, 4, 4), (1, 2, 2, 2), (2, 2, 2, 2)],
           {"kernel": (2, 2), "stride": (2, 2), "num_filter": 2, "no_bias": False}),
    Sample("_backward_im2col", [(1, 8, 6), (1, 2, 3, 4)], {"kernel": (2, 2)}),
]


@parametrize(SAMPLES)
def test_op(sample):
    run_sample(sample)


def test_conv_backward_matches_finite_difference_of_forward():
    rng = np.random.RandomState(3)
    x, w = rng.randn(2, 2, 5, 5), rng.randn(3, 2, 3, 3)
    g = rng.randn(2, 3, 3, 3)
    p = {"kernel": (3, 3), "num_filter": 3}
    dx, dw, db = mx.nd._backward_Convolution(*(mx.nd.array(a, dtype="float64")
                                               for a in (g, x, w)), **p)
    # the adjoint identity <g, conv(x)> = <dx, x> for the linear part
    y = conv_ref(x, w, **p)
    np.testing.assert_allclose((g * y).sum(), (dx.asnumpy() * x).sum(), rtol=1e-10)
    np.testing.assert_allclose((g * y).sum(), (dw.asnumpy() * w).sum(), rtol=1e-10)
    np.testing.assert_allclose(db.asnumpy(), g.sum(axis=(0, 2, 3)), rtol=1e-10)


def _infer(op_name, in_shapes, **params):
    op = registry.get(op_name)
    shapes = list(in_shapes)
    out = op.infer_shape(op.make_params(params), shapes)
    return shapes, out


def test_infer_shape_fills_weight_and_bias():
    shapes, out = _infer("Convolution", [(2, 6, 9, 8), None, None], kernel=(3, 2),
                         stride=(2, 2), pad=(1, 0), num_filter=4, num_group=2)
    assert shapes[1:] == [(4, 3, 3, 2), (4,)]
    assert out == [(2, 4, 5, 4)]
    shapes, out = _infer("Convolution", [(2, 5, 5, 3), None], kernel=(3, 3), num_filter=4,
                         no_bias=True, layout="NHWC")
    assert shapes[1] == (4, 3, 3, 3) and out == [(2, 3, 3, 4)]
    shapes, out = _infer("Deconvolution", [(2, 4, 3, 5), None, None], kernel=(3, 3),
                         stride=(2, 2), num_filter=6, num_group=2, no_bias=False)
    assert shapes[1:] == [(4, 3, 3, 3), (6,)]
    assert out == [(2, 6, 7, 11)]
    shapes, out = _infer("Deconvolution", [(2, 4, 3, 5), None], kernel=(3, 3), stride=(2, 2),
                         num_filter=2, target_shape=(6, 10))
    assert out == [(2, 2, 6, 10)]


def test_infer_shape_with_unknown_data():
    shapes, out = _infer("Convolution", [None, None, None], kernel=(3, 3), num_filter=4)
    assert out == [None] and shapes[2] == (4,)
    # unknown batch / spatial dims (0) stay unknown, the weight is still filled
    shapes, out = _infer("Convolution", [(0, 3, 0, 5), None, None], kernel=(3, 3),
                         num_filter=4)
    assert shapes[1] == (4, 3, 3, 3) and out == [(0, 4, 0, 3)]


@pytest.mark.parametrize("call, words", [
    (lambda: mx.nd.Convolution(mx.nd.ones((2, 3, 5, 5)), mx.nd.ones((4, 3, 7, 7)),
                               mx.nd.ones((4,)), kernel=(7, 7), num_filter=4),
     ["Convolution", "kernel size exceed input", "7", "5"]),
    (lambda: mx.nd.Convolution(mx.nd.ones((2, 3, 5, 5)), mx.nd.ones((4, 2, 3, 3)),
                               mx.nd.ones((4,)), kernel=(3, 3), num_filter=4),
     ["Convolution", "weight", "[4,2,3,3]", "(4, 3, 3, 3)"]),
    (lambda: mx.nd.Convolution(mx.nd.ones((2, 3, 5, 5)), mx.nd.ones((4, 3, 3, 3)),
                               mx.nd.ones((5,)), kernel=(3, 3), num_filter=4),
     ["Convolution", "bias", "[5]"]),
    (lambda: mx.nd.Convolution(mx.nd.ones((2, 3, 5)), mx.nd.ones((4, 3, 3, 3)),
                               mx.nd.ones((4,)), kernel=(3, 3), num_filter=4),
     ["Convolution", "4D"]),
    (lambda: mx.nd.Convolution(mx.nd.ones((2, 3, 5, 5)), mx.nd.ones((4, 3, 3, 3)),
                               mx.nd.ones((4,)), kernel=(3, 3), stride=(2,), num_filter=4),
     ["Convolution", "Stride", "[2]"]),
    (lambda: mx.nd.Convolution(mx.nd.ones((2, 3, 5, 5)), mx.nd.ones((6, 1, 3, 3)),
                               mx.nd.ones((6,)), kernel=(3, 3), num_filter=6, num_group=2),
     ["Convolution", "group"]),
    (lambda: mx.nd.Convolution(mx.nd.ones((2, 3, 5, 5)), mx.nd.ones((4, 3, 3, 3)),
                               mx.nd.ones((4,)), kernel=(3, 3), num_filter=4, no_bias=True),
     ["Convolution", "expects 2 inputs"]),
    (lambda: mx.nd.Deconvolution(mx.nd.ones((2, 3, 4, 5)), mx.nd.ones((3, 4, 3, 3)),
                                 kernel=(3, 3), stride=(2, 2), adj=(2, 0), num_filter=4),
     ["Deconvolution", "adj", "stride"]),
    (lambda: mx.nd.Deconvolution(mx.nd.ones((2, 3, 4, 5)), mx.nd.ones((3, 4, 3, 3)),
                                 kernel=(3, 3), stride=(2, 2), target_shape=(20, 10),
                                 num_filter=4),
     ["Deconvolution", "too big target shape"]),
    (lambda: mx.nd.Deconvolution(mx.nd.ones((2, 4, 5)), mx.nd.ones((4, 4, 3)), kernel=(3,),
                                 num_filter=3),
     ["Deconvolution", "weight", "[4,4,3]", "(4, 3, 3)"]),
    (lambda: mx.nd.im2col(mx.nd.ones((1, 2, 5, 5)), kernel=(6, 6)),
     ["im2col", "kernel size exceed input"]),
    (lambda: mx.nd.col2im(mx.nd.ones((2, 12, 11)), output_size=(4, 5), kernel=(2, 2)),
     ["col2im", "output size does not match"]),
    (lambda: mx.nd.col2im(mx.nd.ones((2, 13, 12)), output_size=(4, 5), kernel=(2, 2)),
     ["col2im", "multiples of kernel size"]),
])
def test_errors_name_op_and_values(call, words):
    with pytest.raises(mx.base.MXNetError) as err:
        call()
    for word in words:
        assert word in str(err.value), (word, str(err.value))


def test_integer_input_rejected():
    with pytest.raises(mx.base.MXNetError, match="floating point"):
        mx.nd.Convolution(mx.nd.ones((1, 1, 3, 3), dtype="int32"),
                          mx.nd.ones((1, 1, 2, 2), dtype="int32"),
                          mx.nd.ones((1,), dtype="int32"), kernel=(2, 2), num_filter=1)


def test_values_match_mxnet():
    # values from MXNet 1.9.1
    x = mx.nd.array(np.arange(32).reshape(1, 2, 4, 4) / 10)
    w = mx.nd.array(np.arange(24).reshape(3, 2, 2, 2) / 10 - 1)
    y = mx.nd.Convolution(x, w, mx.nd.array([0.1, 0.2, 0.3]), kernel=(2, 2), stride=(2, 1),
                          pad=(1, 0), num_filter=3)
    np.testing.assert_allclose(y.asnumpy()[0, :, 1], [[-5.98, -6.5, -7.02],
                                                      [3.4, 3.52, 3.64],
                                                      [12.78, 13.54, 14.3]], rtol=1e-5)
    x = mx.nd.array(np.arange(8).reshape(1, 2, 2, 2) / 4)
    w = mx.nd.array(np.arange(18).reshape(2, 1, 3, 3) / 9 - 1)
    y = mx.nd.Deconvolution(x, w, kernel=(3, 3), stride=(2, 2), target_shape=(4, 5),
                            num_filter=1)
    np.testing.assert_allclose(y.asnumpy()[0, 0, 3], [0.833333, 1.055556, 2.194444, 1.194444,
                                                      1.472222], rtol=1e-5)
    cols = mx.nd.im2col(mx.nd.array(np.arange(9).reshape(1, 1, 3, 3)), kernel=(2, 2))
    np.testing.assert_array_equal(cols.asnumpy()[0], [[0, 1, 3, 4], [1, 2, 4, 5],
                                                      [3, 4, 6, 7], [4, 5, 7, 8]])
    img = mx.nd.col2im(mx.nd.ones((1, 4, 4)), output_size=(3, 3), kernel=(2, 2))
    np.testing.assert_array_equal(img.asnumpy()[0, 0], [[1, 2, 1], [2, 4, 2], [1, 2, 1]])


def test_second_order_gradient_through_convolution():
    rng = np.random.RandomState(0)
    x = mx.nd.array(rng.randn(1, 2, 4, 4), dtype="float64")
    w = mx.nd.array(rng.randn(2, 2, 3, 3), dtype="float64")
    x.attach_grad()
    w.attach_grad()
    with mx.autograd.record():
        y = mx.nd.Convolution(x, w, kernel=(3, 3), num_filter=2, no_bias=True)
        gx = mx.autograd.grad(mx.nd.sum(y * y), [x], create_graph=True)[0]
        z = mx.nd.sum(gx * gx)
    z.backward()
    assert w.grad.shape == w.shape and np.isfinite(w.grad.asnumpy()).all()
