"""Symbol/Executor checks of ``mx.test_utils``: finite-difference gradients
(``numeric_grad``, ``check_numeric_gradient``), ``check_symbolic_forward/backward``,
``check_consistency``, ``simple_forward``, ``check_speed``.

Part of the test-helper layer (12): may import any mixnet module. ``numeric_grad``
only needs an executor-like object (``arg_dict``, ``aux_dict``, ``forward``,
``outputs``); the other checks need ``mixnet.symbol``, which is optional until it
lands: they raise a clear MXNetError without it.
"""
import json
import time

import numpy as np

from ..base import MXNetError
from ..context import Context
from .. import ndarray as nd
from .compare import assert_almost_equal, get_tolerance, default_numeric_eps
from .random import default_dtype

try:
    from .. import symbol as _sym
except ImportError:  # mixnet.symbol not built yet: the Symbol checks raise on use
    _sym = None

__all__ = ["numeric_grad", "check_numeric_gradient", "check_symbolic_forward",
           "check_symbolic_backward", "check_speed", "simple_forward",
           "same_symbol_structure"]

_FLOATS = (np.float16, np.float32, np.float64)


def _require_symbol(fn_name):
    if _sym is None:
        raise MXNetError(f"{fn_name} needs mixnet.symbol (Symbol and Executor), which this "
                         "mixnet build does not have yet")
    return _sym


def _sorted_items(d):
    return sorted(d.items(), key=lambda t: t[0])


def _check_dtype(dtype, allow_asnumpy=True):
    if not ((allow_asnumpy and isinstance(dtype, str) and dtype == "asnumpy")
            or dtype in _FLOATS):
        raise MXNetError(f"dtype must be {'asnumpy, ' if allow_asnumpy else ''}"
                         f"float16, float32 or float64, got {dtype!r}")


def _to_nd(v, ctx, dtype):
    """NumPy -> NDArray of ``dtype`` ('asnumpy' keeps the array's dtype); others as is."""
    if not isinstance(v, np.ndarray):
        return v
    return nd.array(v, ctx=ctx, dtype=v.dtype if isinstance(dtype, str) else dtype)


def _parse_location(sym, location, ctx, dtype=default_dtype()):
    """{argument name: NDArray} (sorted by name) from a list in argument order or a dict."""
    _check_dtype(dtype)
    if isinstance(location, dict):
        if set(location.keys()) != set(sym.list_arguments()):
            raise ValueError("Symbol arguments and keys of the given location do not match."
                             f"symbol args:{set(sym.list_arguments())}, "
                             f"location.keys():{set(location.keys())}")
    elif isinstance(location, (list, tuple)):
        location = dict(zip(sym.list_arguments(), location))
    else:
        raise ValueError(f"location must be a list, tuple or dict, got {type(location)}")
    return dict(_sorted_items({k: _to_nd(v, ctx, dtype) for k, v in location.items()}))


def _parse_aux_states(sym, aux_states, ctx, dtype=default_dtype()):
    """{aux state name: NDArray} from a list in ``list_auxiliary_states`` order or a dict."""
    _check_dtype(dtype)
    if aux_states is None:
        return None
    names = sym.list_auxiliary_states()
    if isinstance(aux_states, dict):
        if set(aux_states.keys()) != set(names):
            raise ValueError("Symbol aux_states names and given aux_states do not match."
                             f"symbol aux_names:{set(names)}, "
                             f"aux_states.keys:{set(aux_states.keys())}")
    else:
        aux_states = dict(zip(names, aux_states))
    return {k: nd.array(v, ctx=ctx, dtype=v.dtype if isinstance(dtype, str) else dtype)
            for k, v in aux_states.items()}


def _assign(target, value, dtype):
    """Write NumPy ``value`` into the executor array ``target`` (dense or sparse)."""
    src = nd.array(value, dtype=dtype, ctx=target.context)
    if target.stype != 'default':
        src = nd.cast_storage(src, stype=target.stype)
    target[:] = src


def numeric_grad(executor, location, aux_states=None, eps=1e-4, use_forward_train=True,
                 dtype=default_dtype()):
    """Central finite differences of ``sum(executor.outputs[0])`` w.r.t. each argument.

    ``location`` maps argument names to NumPy arrays (the point); ``aux_states`` maps aux
    names to NumPy arrays, restored before every forward. Integer arguments get zero
    gradients. Returns {name: NumPy array of ``dtype``}. Based on Theano's numeric_grad.
    """
    _check_dtype(dtype, allow_asnumpy=False)
    approx_grads = {k: np.zeros(v.shape, dtype=dtype) for k, v in location.items()}
    for k, v in location.items():
        if executor.arg_dict[k].stype == 'default':
            _assign(executor.arg_dict[k], v, dtype)
    for k in location:
        location[k] = np.asarray(location[k], order='C')
    for k, v in location.items():
        if v.dtype.kind != 'f':
            continue
        old_value = v.copy()
        flat = v.reshape(-1)   # a view: C order was forced above
        for i in range(flat.size):
            flat[i] += eps / 2.0
            f_peps = _forward_at(executor, k, v, aux_states, use_forward_train, dtype)
            flat[i] -= eps
            f_neps = _forward_at(executor, k, v, aux_states, use_forward_train, dtype)
            approx_grads[k].reshape(-1)[i] = (f_peps - f_neps).sum() / eps
            flat[i] = old_value.reshape(-1)[i]
        _assign(executor.arg_dict[k], old_value, dtype)
    return approx_grads


def _forward_at(executor, name, value, aux_states, is_train, dtype):
    _assign(executor.arg_dict[name], value, dtype)
    for key, val in (aux_states or {}).items():
        _assign(executor.aux_dict[key], val, dtype)
    executor.forward(is_train=is_train)
    return executor.outputs[0].asnumpy()


def _grad_requests(sym, grad_nodes):
    """(names to check, {name: grad_req}) from None, a list of names or a dict."""
    if grad_nodes is None:
        names = sym.list_arguments()
        return names, {k: 'write' for k in names}
    if isinstance(grad_nodes, (list, tuple)):
        return list(grad_nodes), {k: 'write' for k in grad_nodes}
    if isinstance(grad_nodes, dict):
        return list(grad_nodes.keys()), grad_nodes.copy()
    raise ValueError(f"grad_nodes must be None, a list or a dict, got {type(grad_nodes)}")


def _compare_grad(name, req, reference, got, orig, rtol, atol, labels, equal_nan=False):
    """Check one gradient buffer against ``reference`` as its grad_req implies."""
    if req == 'write':
        assert_almost_equal(reference, got, rtol, atol, labels, equal_nan=equal_nan)
    elif req == 'add':
        got = got.asnumpy() if hasattr(got, 'asnumpy') else got
        assert_almost_equal(reference, got - orig, rtol, atol, labels, equal_nan=equal_nan)
    elif req == 'null':
        assert_almost_equal(orig, got, rtol, atol, labels, equal_nan=equal_nan)
    else:
        raise ValueError(f"Invalid grad_req {req} for argument {name}")


def check_numeric_gradient(sym, location, aux_states=None, numeric_eps=None, rtol=None,
                           atol=None, grad_nodes=None, use_forward_train=True, ctx=None,
                           grad_stype_dict=None, dtype=default_dtype()):
    """Check ``sym``'s backward pass against finite differences.

    The scalar objective is ``sum(sym * random_projection)``; each argument's symbolic
    gradient is compared with ``numeric_grad`` at ``location``. See MXNet's docs for the
    parameters. Based on Theano's verify_grad.
    """
    sym_mod = _require_symbol("check_numeric_gradient")
    _check_dtype(dtype, allow_asnumpy=False)
    ctx = Context.default_ctx if ctx is None else ctx
    location = _parse_location(sym, location, ctx, dtype)
    location_npy = {k: v.asnumpy() for k, v in location.items()}
    aux_states = _parse_aux_states(sym, aux_states, ctx, dtype)
    aux_npy = None if aux_states is None else {k: v.asnumpy() for k, v in aux_states.items()}
    grad_nodes, grad_req = _grad_requests(sym, grad_nodes)

    _, out_shape, _ = sym.infer_shape(**{k: v.shape for k, v in location.items()})
    out = sym_mod.make_loss(_project(sym_mod, sym))
    # random_projection elements stay >= 0.1: tiny ones lose finite-difference precision
    location["__random_proj"] = nd.array(np.random.rand(*out_shape[0]) + 0.1, ctx=ctx,
                                         dtype=dtype)
    args_grad_npy = {k: np.random.normal(0, 0.01, size=location[k].shape) for k in grad_nodes}
    args_grad_npy["__random_proj"] = np.random.normal(0, 0.01, size=out_shape[0])
    args_grad = {k: nd.array(v, ctx=ctx, dtype=dtype) for k, v in args_grad_npy.items()}
    for k, stype in (grad_stype_dict or {}).items():
        if k in args_grad and stype != 'default':
            # uninitialized sparse buffer: an expected-zero gradient is never written
            args_grad[k] = nd.zeros(args_grad[k].shape, ctx=args_grad[k].context,
                                    dtype=args_grad[k].dtype, stype=stype)
    executor = out.bind(ctx, grad_req=grad_req, args=location, args_grad=args_grad,
                        aux_states=aux_states)
    if len(executor.arg_arrays) != len(location):
        raise ValueError("Executor arg_arrays and and location len do not match."
                         f"Got {len(executor.arg_arrays)} inputs and {len(location)} locations")
    if len(executor.outputs) != 1:
        raise MXNetError(f"check_numeric_gradient: the loss must have one output, "
                         f"got {len(executor.outputs)}")
    executor.forward(is_train=True)
    eps = get_tolerance(executor.outputs[0], numeric_eps, default_numeric_eps())
    if dtype in (np.float32, np.float16) and eps < 1e-5:
        raise MXNetError(f"numeric_eps={eps} is too small for finite differences in "
                         f"{np.dtype(dtype).name}")
    executor.backward()
    numeric = numeric_grad(executor, location_npy, aux_npy, eps=eps,
                           use_forward_train=use_forward_train, dtype=dtype)
    for name in grad_nodes:
        _compare_grad(name, grad_req[name], numeric[name], executor.grad_dict[name],
                      args_grad_npy[name], rtol, atol, (f"NUMERICAL_{name}", f"BACKWARD_{name}"))


def _project(sym_mod, sym):
    """``sym * __random_proj``, through the NumPy-symbol API when ``sym`` is one."""
    proj = sym_mod.Variable("__random_proj")
    np_symbol = getattr(getattr(sym_mod, "numpy", None), "_Symbol", None)
    if np_symbol is not None and isinstance(sym, np_symbol):
        # make_loss is a classic-symbol op: multiply as np symbols, then convert back
        return (sym * proj.as_np_ndarray()).as_nd_ndarray()
    return sym * proj


def check_symbolic_forward(sym, location, expected, rtol=None, atol=None, aux_states=None,
                           ctx=None, equal_nan=False, dtype=default_dtype()):
    """Bind ``sym`` at ``location``, run forward (predict mode), compare with ``expected``
    (list in output order or dict by output name). Returns the executor's outputs."""
    _require_symbol("check_symbolic_forward")
    ctx = Context.default_ctx if ctx is None else ctx
    location = _parse_location(sym, location, ctx, dtype)
    aux_states = _parse_aux_states(sym, aux_states, ctx, dtype)
    if isinstance(expected, dict):
        expected = [expected[k] for k in sym.list_outputs()]
    args_grad = {k: nd.zeros(v.shape, ctx=ctx, dtype=v.dtype if dtype == "asnumpy" else dtype)
                 for k, v in location.items()}
    executor = sym.bind(ctx=ctx, args=location, args_grad=args_grad, aux_states=aux_states)
    executor.forward(is_train=False)
    for name, expect, output in zip(sym.list_outputs(), expected, executor.outputs):
        assert_almost_equal(expect, output, rtol, atol, (f"EXPECTED_{name}", f"FORWARD_{name}"),
                            equal_nan=equal_nan)
    return executor.outputs


def check_symbolic_backward(sym, location, out_grads, expected, rtol=None, atol=None,
                            aux_states=None, grad_req='write', ctx=None, grad_stypes=None,
                            equal_nan=False, dtype=default_dtype()):
    """Bind ``sym``, run forward (train) and backward with ``out_grads``, and compare the
    argument gradients with ``expected`` honouring ``grad_req`` ('write'/'add'/'null').
    Returns the gradient arrays by name."""
    _require_symbol("check_symbolic_backward")
    ctx = Context.default_ctx if ctx is None else ctx
    location = _parse_location(sym, location, ctx, dtype)
    aux_states = _parse_aux_states(sym, aux_states, ctx, dtype)
    if isinstance(expected, (list, tuple)):
        expected = dict(zip(sym.list_arguments(), expected))
    # dirty the gradient buffers deterministically (sorted order), to catch missing writes
    args_grad_npy = {k: np.random.normal(size=v.shape) for k, v in _sorted_items(expected)}
    args_grad = {k: _grad_buffer(v, expected[k], ctx, dtype, (grad_stypes or {}).get(k))
                 for k, v in args_grad_npy.items()}
    if isinstance(grad_req, str):
        grad_req = {k: grad_req for k in sym.list_arguments()}
    elif isinstance(grad_req, (list, tuple)):
        grad_req = dict(zip(sym.list_arguments(), grad_req))
    executor = sym.bind(ctx=ctx, args=location, args_grad=args_grad, aux_states=aux_states,
                        grad_req=grad_req)
    executor.forward(is_train=True)
    executor.backward(_out_grads_to_nd(out_grads, ctx, dtype))
    for name in expected:
        _compare_grad(name, grad_req[name], expected[name], args_grad[name],
                      args_grad_npy[name], rtol, atol, (f"EXPECTED_{name}", f"BACKWARD_{name}"),
                      equal_nan=equal_nan)
    return args_grad


def _grad_buffer(value, expect, ctx, dtype, stype):
    if stype is not None and stype != 'default':
        from .random import create_sparse_array
        return create_sparse_array(value.shape, stype, density=0.0)
    return nd.array(value, ctx=ctx, dtype=expect.dtype if dtype == "asnumpy" else dtype)


def _out_grads_to_nd(out_grads, ctx, dtype):
    if isinstance(out_grads, (tuple, list)):
        return [_to_nd(g, ctx, dtype) for g in out_grads]
    if isinstance(out_grads, dict):
        return {k: _to_nd(g, ctx, dtype) for k, g in out_grads.items()}
    if out_grads is not None:
        raise ValueError(f"out_grads must be None, a list or a dict, got {type(out_grads)}")
    return None


def simple_forward(sym, ctx=None, is_train=False, **inputs):
    """Run ``sym`` on NumPy ``inputs`` (by argument name); NumPy output(s) back."""
    _require_symbol("simple_forward")
    ctx = ctx or Context.default_ctx
    exe = sym.bind(ctx, args={k: nd.array(v) for k, v in inputs.items()})
    exe.forward(is_train=is_train)
    outputs = [x.asnumpy() for x in exe.outputs]
    return outputs[0] if len(outputs) == 1 else outputs


def check_speed(sym, location=None, ctx=None, N=20, grad_req=None, typ="whole", **kwargs):
    """Seconds per forward ('forward') or forward+backward ('whole') run of ``sym``."""
    _require_symbol("check_speed")
    ctx = Context.default_ctx if ctx is None else ctx
    grad_req = 'write' if grad_req is None else grad_req
    if location is None:
        exe = sym.simple_bind(grad_req=grad_req, ctx=ctx, **kwargs)
        location = {k: np.random.normal(size=arr.shape, scale=1.0)
                    for k, arr in exe.arg_dict.items()}
    else:
        if not isinstance(location, dict):
            raise ValueError(f'Expect dict, get "location"={location}')
        exe = sym.simple_bind(grad_req=grad_req, ctx=ctx,
                              **{k: v.shape for k, v in location.items()})
    for name, iarr in location.items():
        exe.arg_dict[name][:] = iarr.astype(exe.arg_dict[name].dtype)
    if typ not in ("whole", "forward"):
        raise ValueError('typ can only be "whole" or "forward".')

    def run_once():
        exe.forward(is_train=typ == "whole")
        if typ == "whole":
            exe.backward(out_grads=exe.outputs)

    run_once()   # warm up
    for output in exe.outputs:
        output.wait_to_read()
    tic = time.time()
    for _ in range(N):
        run_once()
    nd.waitall()
    return (time.time() - tic) / N


def same_symbol_structure(sym1, sym2):
    """True when the two symbols' JSON graphs have the same op at every node position."""
    nodes1 = json.loads(sym1.tojson())["nodes"]
    nodes2 = json.loads(sym2.tojson())["nodes"]
    return all(n1["op"] == n2["op"] for n1, n2 in zip(nodes1, nodes2))

