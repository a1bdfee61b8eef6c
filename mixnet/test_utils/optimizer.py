"""``compare_optimizer`` of ``mx.test_utils``: two optimizers must make the same update.

Part of the test-helper layer (12).
"""
from copy import deepcopy

from ..context import Context
from .. import ndarray as nd
from .compare import assert_almost_equal, compare_ndarray_tuple
from .random import rand_ndarray

__all__ = ["compare_optimizer"]


def _pair(shape, stype, dtype, density=None):
    """(dense copy, original) of a random weight/gradient of storage type ``stype``."""
    ctx = Context.default_ctx
    if stype == 'default':
        arr = nd.random.uniform(shape=shape, ctx=ctx, dtype=dtype)
        return arr.copyto(ctx), arr
    if stype in ('row_sparse', 'csr'):
        kwargs = {} if density is None else {'density': density}
        arr = rand_ndarray(shape, stype, dtype=dtype, **kwargs)
        return arr.copyto(ctx).tostype('default'), arr
    raise Exception("type not supported yet")  # MXNet's exception type and message


def compare_optimizer(opt1, opt2, shape, dtype, w_stype='default', g_stype='default',
                      rtol=1e-4, atol=1e-5, compare_states=True, ntensors=1):
    """Apply one update of ``opt1`` (dense copies) and ``opt2`` and compare weights (and
    states when ``compare_states``). A list ``shape`` tests ``opt2``'s multi-tensor
    update of ``ntensors`` weights against ``opt1`` one tensor at a time."""
    if isinstance(shape, list):
        _compare_multi(opt1, opt2, shape, dtype, rtol, atol, compare_states, ntensors)
        return
    if ntensors != 1:
        raise ValueError("compare_optimizer: ntensors > 1 needs a list of shapes")
    w1, w2 = _pair(shape, w_stype, dtype, density=1)
    g1, g2 = _pair(shape, g_stype, dtype)
    state1 = opt1.create_state_multi_precision(0, w1)
    state2 = opt2.create_state_multi_precision(0, w2)
    if compare_states:
        compare_ndarray_tuple(state1, state2)
    opt1.update_multi_precision(0, w1, g1, state1)
    opt2.update_multi_precision(0, w2, g2, state2)
    if compare_states:
        compare_ndarray_tuple(state1, state2, rtol=rtol, atol=atol)
    assert_almost_equal(w1, w2, rtol=rtol, atol=atol)


def _compare_multi(opt1, opt2, shapes, dtype, rtol, atol, compare_states, ntensors):
    ctx = Context.default_ctx
    w1 = tuple(nd.random.uniform(shape=s, ctx=ctx, dtype=dtype) for s in shapes)
    g1 = tuple(nd.random.uniform(shape=s, ctx=ctx, dtype=dtype) for s in shapes)
    w2, g2 = deepcopy(w1), deepcopy(g1)
    state2 = [opt2.create_state_multi_precision(0, w2[i]) for i in range(ntensors)]
    opt2.update_multi_precision(list(range(ntensors)), w2, g2, state2)
    for i in range(ntensors):
        state1 = opt1.create_state_multi_precision(i, w1[i])
        opt1.update_multi_precision(i, w1[i], g1[i], state1)
        if compare_states:
            compare_ndarray_tuple(state1, state2[i], rtol, atol)
        compare_ndarray_tuple(w1[i], w2[i], rtol, atol)
