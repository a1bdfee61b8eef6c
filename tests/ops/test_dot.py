import math

import numpy as np
import pytest

import mixnet as mx

from .harness import Sample, parametrize, run_sample


def _matrix(x, transposed, is_lhs):
    """MXNet's 2-D view of a dot operand (see mixnet/ops/linalg_dot.py)."""
    if is_lhs != transposed:
        m = x.reshape(math.prod(x.shape[:-1]), x.shape[-1])
        return m if is_lhs else m.T
    m = x.reshape(x.shape[0], math.prod(x.shape[1:]))
    return m.T if is_lhs else m


def _free(x, transposed, is_lhs):
    return x.shape[:-1] if is_lhs != transposed else x.shape[1:]


def dot_ref(a, b, transpose_a=False, transpose_b=False, forward_stype=None):
    out = _matrix(a, transpose_a, True) @ _matrix(b, transpose_b, False)
    shape = _free(a, transpose_a, True) + _free(b, transpose_b, False)
    return out.reshape(shape or (1,))


def batch_dot_ref(a, b, transpose_a=False, transpose_b=False):
    a = np.swapaxes(a, -1, -2) if transpose_a else a
    b = np.swapaxes(b, -1, -2) if transpose_b else b
    return np.matmul(a, b)


def backward_dot_ref(g, a, b, **flags):
    """Gradients of sum(g * dot(a, b)) w.r.t. a and b, through the 2-D views."""
    ta, tb = flags.get("transpose_a", False), flags.get("transpose_b", False)
    am, bm = _matrix(a, ta, True), _matrix(b, tb, False)
    gm = g.reshape(am.shape[0], bm.shape[1])
    da, db = gm @ bm.T, am.T @ gm
    return (da.T if ta else da).reshape(a.shape), (db.T if tb else db).reshape(b.shape)


T_A, T_B = {"transpose_a": True}, {"transpose_b": True}
T_AB = {"transpose_a": True, "transpose_b": True}

SAMPLES = [
    Sample("dot", [(2, 3), (3, 4)], ref=dot_ref),
    Sample("dot", [(3, 2), (3, 4)], T_A, ref=dot_ref),
    Sample("dot", [(2, 3), (4, 3)], T_B, ref=dot_ref),
    Sample("dot", [(3, 2), (4, 3)], T_AB, ref=dot_ref),
    Sample("dot", [(3,), (3,)], ref=dot_ref),
    Sample("dot", [(3,), (3, 2)], ref=dot_ref),
    Sample("dot", [(2, 3), (3,)], ref=dot_ref),
    Sample("dot", [(3, 2), (3,)], T_A, ref=dot_ref),
    Sample("dot", [(2, 2, 3), (3, 2, 2)], ref=dot_ref),
    Sample("dot", [(2, 2, 3), (2, 2)], T_A, ref=dot_ref),
    Sample("dot", [(2, 3, 2), (2, 3, 2)], T_AB, ref=dot_ref),
    Sample("dot", [(2, 3), (3, 4)], {"forward_stype": "default"}, ref=dot_ref),
    Sample("batch_dot", [(2, 3, 4), (2, 4, 2)], ref=batch_dot_ref),
    Sample("batch_dot", [(2, 4, 3), (2, 4, 2)], T_A, ref=batch_dot_ref),
    Sample("batch_dot", [(2, 3, 4), (2, 2, 4)], T_B, ref=batch_dot_ref),
    Sample("batch_dot", [(2, 4, 3), (2, 2, 4)], T_AB, ref=batch_dot_ref),
    Sample("batch_dot", [(2, 2, 2, 3), (2, 2, 3, 2)], ref=batch_dot_ref),
    # the backward op's own gradient (higher orders) is checked numerically
    Sample("_backward_dot", [(2, 4), (2, 3), (3, 4)], ref=backward_dot_ref),
    Sample("_backward_dot", [(2, 4), (3, 2), (4, 3)], T_AB, ref=backward_dot_ref),
    Sample("_backward_dot", [(1,), (3,), (3,)], ref=backward_dot_ref),
    Sample("_backward_dot", [(2, 2, 2), (2, 3), (3, 2, 2)], ref=backward_dot_ref),
    Sample("_backward_dot", [(2, 2, 2), (3, 2, 2), (2, 3)], T_AB, ref=backward_dot_ref),
]


@parametrize(SAMPLES)
def test_op(sample):
    run_sample(sample)


def test_nd_shapes_match_mxnet():
    o = mx.nd.ones
    # shapes from MXNet 1.9.1
    assert mx.nd.dot(o((2, 3, 4)), o((4, 5, 6))).shape == (2, 3, 5, 6)
    assert mx.nd.dot(o((2, 3, 4)), o((2, 5)), transpose_a=True).shape == (3, 4, 5)
    assert mx.nd.dot(o((2, 3, 4)), o((5, 3, 2)), transpose_a=True,
                     transpose_b=True).shape == (3, 4, 5, 3)
    assert mx.nd.dot(o((4,)), o((4, 3)), transpose_a=True).shape == (3,)
    assert mx.nd.dot(o((3,)), o((3,))).shape == (1,)
    with mx.util.np_shape(True):
        assert mx.nd.dot(o((4,)), o((4,))).shape == ()


def test_partial_shape_inference():
    from mixnet.ops import registry
    dot, batch_dot = registry.get("dot"), registry.get("batch_dot")
    p = dot.default_params
    assert dot.infer_shape(p, [(0, 3, 4), (4, 5)]) == [(0, 3, 5)]
    assert batch_dot.infer_shape(p, [(0, 3, 4), (0, 4, 5)]) == [(0, 3, 5)]
    assert batch_dot.infer_shape(p, [(0, 3, 4), (0, 0, 5)]) == [None]


def test_second_order_through_dot():
    # d/dx sum(w * d/dx sum(dot(x, x))), by autograd (create_graph) and by differences
    x0 = np.array([[0.3, -0.2], [0.5, 0.7]])
    w = np.array([[1.0, 2.0], [-1.0, 0.5]])

    def first(xv):
        x = mx.nd.array(xv, dtype="float64")
        x.attach_grad()
        with mx.autograd.record():
            y = mx.nd.dot(x, x)
        return mx.autograd.grad(y, x, head_grads=mx.nd.ones((2, 2), dtype="float64"))

    x = mx.nd.array(x0, dtype="float64")
    x.attach_grad()
    with mx.autograd.record():
        y = mx.nd.dot(x, x)
        g = mx.autograd.grad(y, x, head_grads=mx.nd.ones((2, 2), dtype="float64"),
                             create_graph=True)
        z = mx.nd.sum(g * mx.nd.array(w, dtype="float64"))
    z.backward()
    eps, numeric = 1e-6, np.zeros_like(x0)
    for idx in np.ndindex(*x0.shape):
        xp, xm = x0.copy(), x0.copy()
        xp[idx] += eps
        xm[idx] -= eps
        numeric[idx] = ((first(xp).asnumpy() - first(xm).asnumpy()) * w).sum() / (2 * eps)
    np.testing.assert_allclose(x.grad.asnumpy(), numeric, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("call, words", [
    (lambda o: mx.nd.dot(o((2, 3)), o((2, 3))), ["dot", "dot shape error: [2,3] X [2,3]"]),
    (lambda o: mx.nd.dot(o((2, 3, 4)), o((2, 3)), transpose_b=True),
     ["dot", "[2,3,4] X [2,3]"]),
    (lambda o: mx.nd.dot(o((3,)), o((3,)), transpose_a=True), ["dot", "transpose vectors"]),
    (lambda o: mx.nd.dot(o((2, 3)), o((3, 4), dtype="float64")), ["dot", "float64"]),
    (lambda o: mx.nd.batch_dot(o((2, 3, 4)), o((3, 4, 5))),
     ["batch_dot", "leading batch dimensions must be equal", "[2,3,4] X [3,4,5]"]),
    (lambda o: mx.nd.batch_dot(o((2, 3, 4)), o((2, 5, 5))),
     ["batch_dot", "shape mismatch", "[2,3,4] X [2,5,5] trans_a=0 trans_b=0"]),
    (lambda o: mx.nd.batch_dot(o((3, 4)), o((4, 5))), ["batch_dot", "N >= 3", "[3,4]"]),
    (lambda o: mx.nd.batch_dot(o((6, 2, 3, 4)), o((6, 4, 5))), ["batch_dot", "N >= 3"]),
    (lambda o: mx.nd.dot(o((2, 3)), o((3, 4)), forward_stype="dense"),
     ["dot", "forward_stype"]),
])
def test_errors_name_the_op_and_values(call, words):
    with pytest.raises(mx.base.MXNetError) as info:
        call(mx.nd.ones)
    for w in words:
        assert w in str(info.value)
