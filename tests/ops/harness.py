"""Registry-driven op checks (STYLE P9): forward vs NumPy, numeric gradients in float64,
shape/type inference vs actual outputs, for every sample an op family declares.

A family test file declares samples and hands them to ``parametrize``::

    SAMPLES = [
        Sample("sigmoid", [(3, 4)], ref=lambda x: 1 / (1 + np.exp(-x))),
        Sample("clip", [(5,)], {"a_min": -0.5, "a_max": 0.5}, ref=lambda x, a_min, a_max: ...),
    ]

    @parametrize(SAMPLES)
    def test_op(sample):
        run_sample(sample)
"""
import dataclasses
from typing import Any, Callable, Optional

import numpy as np
import pytest

import mixnet as mx
from mixnet.ops import registry

DECLARED = set()   # op names that have samples (for the completeness test)


@dataclasses.dataclass
class Sample:
    """One call of an op.

    op : registered op name
    inputs : list of shapes (random float data) or numpy arrays
    params : op parameters (keyword arguments of the nd function)
    ref : NumPy reference ``ref(*inputs, **params)`` -> array or tuple; None skips it
    grad : check gradients numerically (float64) w.r.t. the inputs in ``grad_inputs``
    grad_inputs : indices of inputs to differentiate (default: all float inputs)
    low, high : range of random inputs
    dtype : dtype of random inputs in the forward check
    rtol, atol : forward tolerances; grad_rtol/grad_atol for the gradient check
    nd_fn : name of the function under ``mx.nd`` when not the op name (e.g. 'random.normal')
    """

    op: str
    inputs: list
    params: dict = dataclasses.field(default_factory=dict)
    ref: Optional[Callable] = None
    grad: bool = True
    grad_inputs: Optional[list] = None
    low: float = -1.0
    high: float = 1.0
    dtype: Any = np.float32
    rtol: float = 1e-5
    atol: float = 1e-6
    grad_rtol: float = 1e-4
    grad_atol: float = 1e-5
    nd_fn: Optional[str] = None
    id: str = ""

    def __post_init__(self):
        DECLARED.add(self.op)


def parametrize(samples):
    ids = [s.id or f"{s.op}-{i}" for i, s in enumerate(samples)]
    return pytest.mark.parametrize("sample", samples, ids=ids)


def make_inputs(sample, dtype, seed=0):
    rng = np.random.RandomState(seed)
    out = []
    for x in sample.inputs:
        if isinstance(x, np.ndarray):
            out.append(x.astype(dtype) if x.dtype.kind == "f" else x)
        else:
            out.append(rng.uniform(sample.low, sample.high, size=x).astype(dtype))
    return out


def nd_function(sample):
    fn = mx.nd
    for part in (sample.nd_fn or sample.op).split("."):
        fn = getattr(fn, part)
    return fn


def call(sample, arrays):
    return nd_function(sample)(*arrays, **sample.params)


def _as_list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def check_forward(sample):
    inputs = make_inputs(sample, sample.dtype)
    outs = _as_list(call(sample, [mx.nd.array(x, dtype=x.dtype) for x in inputs]))
    if sample.ref is not None:
        expect = _as_list(sample.ref(*inputs, **sample.params))
        assert len(outs) == len(expect), f"{sample.op}: {len(outs)} outputs, ref {len(expect)}"
        for o, e in zip(outs, expect):
            e = np.asarray(e)
            got = o.asnumpy()
            assert got.shape == e.shape, f"{sample.op}: shape {got.shape} vs ref {e.shape}"
            np.testing.assert_allclose(got, e, rtol=sample.rtol, atol=sample.atol,
                                       err_msg=f"forward of {sample.op}")
    return inputs, outs


def check_inference(sample, inputs, outs):
    op = registry.get(sample.op)
    kwargs = {k: v for k, v in sample.params.items()}
    if op.variadic is not None:
        kwargs.setdefault(op.variadic, len(inputs))
    if "ctx" in kwargs:
        kwargs["ctx"] = str(kwargs["ctx"])
    params = op.make_params(kwargs) if (kwargs or op.default_params is None) \
        else op.default_params
    shapes = op.infer_shape(params, [tuple(x.shape) for x in inputs])
    types = op.infer_type(params, [np.dtype(x.dtype) for x in inputs])
    for o, s, t in zip(outs, shapes, types):
        assert tuple(o.shape) == tuple(s), f"{sample.op}: inferred shape {s}, got {o.shape}"
        assert np.dtype(o.dtype) == np.dtype(t), f"{sample.op}: inferred {t}, got {o.dtype}"


def check_gradient(sample, eps=1e-6):
    """Autograd gradient of sum(out_i * w_i) vs central differences, in float64."""
    inputs = make_inputs(sample, np.float64, seed=1)
    which = sample.grad_inputs
    if which is None:
        which = [i for i, x in enumerate(inputs) if x.dtype.kind == "f"]
    rng = np.random.RandomState(2)
    nds = [mx.nd.array(x, dtype=x.dtype) for x in inputs]
    for i in which:
        nds[i].attach_grad()
    with mx.autograd.record():
        outs = _as_list(call(sample, nds))
    weights = [rng.uniform(-1, 1, size=o.shape) for o in outs]
    mx.autograd.backward(outs, [mx.nd.array(w, dtype=o.dtype) for w, o in zip(weights, outs)])

    def objective(arrays):
        res = _as_list(call(sample, [mx.nd.array(a, dtype=a.dtype) for a in arrays]))
        return sum(float((r.asnumpy().astype(np.float64) * w).sum())
                   for r, w in zip(res, weights))

    for i in which:
        analytic = nds[i].grad.asnumpy()
        numeric = np.zeros_like(inputs[i])
        flat = inputs[i].reshape(-1)
        for k in range(flat.size):
            old = flat[k]
            flat[k] = old + eps
            plus = objective(inputs)
            flat[k] = old - eps
            minus = objective(inputs)
            flat[k] = old
            numeric.reshape(-1)[k] = (plus - minus) / (2 * eps)
        np.testing.assert_allclose(analytic, numeric, rtol=sample.grad_rtol,
                                   atol=sample.grad_atol,
                                   err_msg=f"gradient of {sample.op} w.r.t. input {i}")


def run_sample(sample):
    """Forward, inference and (when declared) gradient checks of one sample."""
    inputs, outs = check_forward(sample)
    check_inference(sample, inputs, outs)
    op = registry.get(sample.op)
    if sample.grad and op.grad is not None:
        check_gradient(sample)
