"""Symbol operator overloads and fluent methods (MXNet's node names: ``_plus0``...)."""
import numbers

from ..base import MXNetError
from ..ops import registry
from .op import make_function
from .symbol import Symbol

__all__ = []

_FNS = {}


def _fn(name):
    fn = _FNS.get(name)
    if fn is None:
        fn = _FNS[name] = make_function(registry.get(name), name)
    return fn


def _binary(array_op, scalar_op, reverse_scalar_op=None, reverse=False):
    def method(self, other):
        if isinstance(other, Symbol):
            return _fn(array_op)(other, self) if reverse else _fn(array_op)(self, other)
        if isinstance(other, numbers.Number):
            op = reverse_scalar_op if reverse and reverse_scalar_op else scalar_op
            return _fn(op)(self, scalar=other)
        raise TypeError(f"type {type(other).__name__} not supported")
    return method


_OVERLOADS = {
    "__add__": ("_Plus", "_PlusScalar"), "__radd__": ("_Plus", "_PlusScalar", None, True),
    "__sub__": ("_Minus", "_MinusScalar"),
    "__rsub__": ("_Minus", "_MinusScalar", "_RMinusScalar", True),
    "__mul__": ("_Mul", "_MulScalar"), "__rmul__": ("_Mul", "_MulScalar", None, True),
    "__truediv__": ("_Div", "_DivScalar"),
    "__rtruediv__": ("_Div", "_DivScalar", "_RDivScalar", True),
    "__mod__": ("_Mod", "_ModScalar"), "__rmod__": ("_Mod", "_ModScalar", "_RModScalar", True),
    "__pow__": ("_Power", "_PowerScalar"),
    "__rpow__": ("_Power", "_PowerScalar", "_RPowerScalar", True),
    "__eq__": ("_equal", "_equal_scalar"), "__ne__": ("_not_equal", "_not_equal_scalar"),
    "__gt__": ("_greater", "_greater_scalar"), "__ge__": ("_greater_equal", "_greater_equal_scalar"),
    "__lt__": ("_lesser", "_lesser_scalar"), "__le__": ("_lesser_equal", "_lesser_equal_scalar"),
}

for _name, _spec in _OVERLOADS.items():
    setattr(Symbol, _name, _binary(*_spec))
Symbol.__div__, Symbol.__rdiv__ = Symbol.__truediv__, Symbol.__rtruediv__
Symbol.__hash__ = object.__hash__


def _iop(name):
    def method(self, other):
        raise MXNetError(f"Symbol does not support in-place operator {name}")
    return method


for _name in ("__iadd__", "__isub__", "__imul__", "__itruediv__", "__imod__"):
    setattr(Symbol, _name, _iop(_name))


def _neg(self):
    return self.__mul__(-1.0)


def _abs(self):
    return _fn("abs")(self)


Symbol.__neg__ = _neg
Symbol.__abs__ = _abs


def _fluent(op_name):
    def method(self, *args, **kwargs):
        return _fn(op_name)(self, *args, **kwargs)
    method.__name__ = op_name
    return method


_FLUENT = ("reshape", "reshape_like", "zeros_like", "ones_like", "broadcast_axes", "repeat",
           "pad", "swapaxes", "split", "split_v2", "slice", "slice_axis", "slice_like", "take",
           "one_hot", "pick", "sort", "topk", "argsort", "argmax", "argmax_channel", "argmin",
           "clip", "abs", "sign", "flatten", "shape_array", "size_array", "expand_dims", "tile",
           "transpose", "flip", "depth_to_space", "space_to_depth", "diag", "sum", "nansum",
           "prod", "nanprod", "mean", "max", "min", "norm", "round", "rint", "fix", "floor",
           "ceil", "trunc", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "degrees",
           "radians", "sinh", "cosh", "tanh", "arcsinh", "arccosh", "arctanh", "exp", "expm1",
           "log", "log10", "log2", "log1p", "sqrt", "rsqrt", "cbrt", "rcbrt", "square",
           "reciprocal", "relu", "sigmoid", "softmax", "log_softmax", "softmin", "squeeze",
           "broadcast_to", "broadcast_like", "astype")

for _name in _FLUENT:
    _target = {"astype": "cast"}.get(_name, _name)   # MXNet's astype calls op.cast
    if registry.find(_target) is not None and not hasattr(Symbol, _name):
        setattr(Symbol, _name, _fluent(_target))
