"""Fluent methods (``x.sum()``, ``x.exp()``, ...) that call the generated nd functions."""
from ..ops import registry
from .ndarray import NDArray
from .op import make_function

__all__ = ["FLUENT_METHODS", "attach"]

# MXNet 1.x NDArray's fluent methods: method name -> op name.
FLUENT_METHODS = {name: name for name in (
    "zeros_like", "ones_like", "broadcast_axes", "repeat", "pad", "swapaxes", "split",
    "split_v2", "slice", "slice_axis", "slice_like", "take", "one_hot", "pick", "sort",
    "topk", "argsort", "argmax", "argmax_channel", "argmin", "clip", "abs", "sign", "flatten",
    "shape_array", "size_array", "expand_dims", "tile", "transpose", "flip", "depth_to_space",
    "space_to_depth", "diag", "sum", "nansum", "prod", "nanprod", "mean", "max", "min",
    "norm", "round", "rint", "fix", "floor", "ceil", "trunc", "sin", "cos", "tan", "arcsin",
    "arccos", "arctan", "degrees", "radians", "sinh", "cosh", "tanh", "arcsinh", "arccosh",
    "arctanh", "exp", "expm1", "log", "log10", "log2", "log1p", "log_sigmoid", "sqrt",
    "rsqrt", "cbrt", "rcbrt", "square", "reciprocal", "relu", "sigmoid", "softmax",
    "log_softmax", "softmin", "mish", "squeeze", "broadcast_to", "broadcast_like")}
FLUENT_METHODS["broadcast_axes"] = "broadcast_axis"


def _method(fn, name):
    def method(self, *args, **kwargs):
        return fn(self, *args, **kwargs)
    method.__name__ = name
    method.__doc__ = f"Convenience fluent method for :py:func:`{fn.__name__}`."
    return method


def attach(cls=NDArray):
    """Add every fluent method whose op is registered (and not defined by hand)."""
    for name, op_name in FLUENT_METHODS.items():
        op = registry.find(op_name)
        if op is None or name in vars(cls):
            continue
        setattr(cls, name, _method(make_function(op), name))
