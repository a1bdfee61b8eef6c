"""Compare every elementwise/broadcast/scalar op on gpu(0) vs cpu: forward and gradient."""
import sys, numpy as np
import mixnet as mx
from mixnet.ops import registry
ctx = mx.gpu(0) if len(sys.argv) < 2 else getattr(mx, sys.argv[1])(0)
mods = ("mixnet.ops.elemwise_unary", "mixnet.ops.elemwise_unary_math", "mixnet.ops.elemwise_binary",
        "mixnet.ops.elemwise_scalar", "mixnet.ops.broadcast")
ops = [o for o in registry.all_ops() if o.forward.__module__ in mods or getattr(o.forward, "__wrapped__", o.forward).__module__ in mods]
POS = {"sqrt", "rsqrt", "cbrt", "rcbrt", "log", "log10", "log2", "reciprocal", "gamma", "gammaln",
       "_backward_gamma", "_backward_gammaln", "_power", "broadcast_power", "_power_scalar", "_rdiv_scalar",
       "arccosh", "_rmod_scalar", "_mod", "broadcast_mod", "elemwise_div", "broadcast_div"}
rng = np.random.RandomState(0)
bad = 0
for o in ops:
    name = o.name
    params = {}
    if o.params is not None and "scalar" in o.params._specs:
        params["scalar"] = 1.5
    if name in ("Cast",):
        params["dtype"] = "float64"
    nin = 3 if name == "add_n" else len(o.inputs)
    shapes = [(2, 3)] * nin
    if name.startswith("broadcast_") or name in ("_sum_to_shape_of",):
        shapes = [(2, 1, 3), (4, 1)] if name not in ("broadcast_like", "_sum_to_shape_of") else [(1, 3), (2, 3)]
        if name == "_sum_to_shape_of": shapes = [(2, 3), (1, 3)]
    lo = 1.2 if name == "arccosh" else (0.5 if name in POS else (-0.9))
    hi = 2.0 if name not in ("arcsin", "arccos", "arctanh", "erfinv") else 0.9
    for dtype in ("float32", "float64", "int32"):
        if dtype == "int32" and name in ("hard_sigmoid",): continue
        arrs = [(rng.uniform(lo, hi, s) * (4 if dtype == "int32" else 1)).astype(dtype) for s in shapes]
        if name == "_cast_like": arrs[1] = arrs[1].astype("float16")
        try:
            kw = dict(params, num_args=nin) if name == "add_n" else params
            from mixnet.ndarray import dispatch
            from mixnet.ndarray.ndarray import new_array
            p = o.make_params(kw)
            outs = []
            for c in (mx.cpu(0), ctx):
                xs = [mx.nd.array(a, ctx=c, dtype=a.dtype) for a in arrs]
                grads = None
                if dtype != "int32" and o.grad is not None and not name.startswith("_backward_gamma"):
                    for x in xs: x.attach_grad()
                    with mx.autograd.record():
                        y = dispatch.invoke(o, xs, p, new_array=new_array)
                    y.backward(mx.nd.ones(y.shape, ctx=c, dtype=y.dtype))
                    grads = [x.grad.asnumpy() for x in xs]
                else:
                    y = dispatch.invoke(o, xs, p, new_array=new_array)
                outs.append((y.asnumpy(), grads))
            (a, ga), (b, gb) = outs
            ok = a.dtype == b.dtype and np.allclose(a, b, rtol=1e-4, atol=1e-5, equal_nan=True)
            if ga is not None:
                ok = ok and all(np.allclose(u, v, rtol=1e-4, atol=1e-5, equal_nan=True) for u, v in zip(ga, gb))
            if not ok:
                bad += 1; print("MISMATCH", name, dtype, a.ravel()[:4], b.ravel()[:4])
        except Exception as e:
            bad += 1; print("ERROR", name, dtype, type(e).__name__, str(e)[:300])
print(f"checked {len(ops)} ops, {bad} problems on {ctx}")
