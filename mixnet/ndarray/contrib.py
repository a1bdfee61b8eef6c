"""``mx.nd.contrib``: contributed ops (registered with ``namespace="contrib"``)."""
from .op import namespace_functions as _namespace_functions

globals().update(_namespace_functions("contrib"))


def isinf(data):
    """1 where ``data`` is +-inf, else 0 (MXNet's contrib.isinf)."""
    return data.abs() == float("inf")


def isfinite(data):
    """1 where ``data`` is finite, else 0."""
    is_data_not_nan = data == data
    is_data_not_infinite = data.abs() != float("inf")
    return is_data_not_infinite * is_data_not_nan


def isnan(data):
    """1 where ``data`` is NaN, else 0."""
    return data != data
