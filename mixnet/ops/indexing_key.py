"""``x[key]`` as ops: ``_index`` and its gradient ``_index_backward``.

The key is encoded into a hashable tuple so it can be an op parameter (and be cached).
"""
import numpy as np

from .param import Param, Any, Shape
from .registry import op

__all__ = ["encode_key", "decode_key", "is_basic"]


def is_basic(key):
    return all(k is None or k is Ellipsis or isinstance(k, (int, np.integer, slice))
               for k in key)


def encode_key(key, ndim=None):
    """A hashable encoding of a normalized index tuple."""
    out = []
    for k in key:
        if k is None:
            out.append(("n",))
        elif k is Ellipsis:
            out.append(("e",))
        elif isinstance(k, slice):
            out.append(("s", k.start, k.stop, k.step))
        elif isinstance(k, (int, np.integer)):
            out.append(("i", int(k)))
        else:
            arr = np.asarray(k)
            out.append(("a", arr.shape, arr.dtype.str, tuple(arr.reshape(-1).tolist())))
    return tuple(out)


def decode_key(code):
    out = []
    for item in code:
        tag = item[0]
        if tag == "n":
            out.append(None)
        elif tag == "e":
            out.append(Ellipsis)
        elif tag == "s":
            out.append(slice(item[1], item[2], item[3]))
        elif tag == "i":
            out.append(item[1])
        else:
            out.append(np.array(item[3], dtype=np.dtype(item[2])).reshape(item[1]))
    return tuple(out)


def _device_key(xp, code):
    key = decode_key(code)
    if xp is np:
        return key
    return tuple(xp.asarray(k) if isinstance(k, np.ndarray) else k for k in key)


class IndexParam(Param):
    key = Any(doc="Encoded index tuple")
    out_shape = Shape(doc="Shape of the result")


def _index_shape(params, in_shapes):
    return [params.out_shape]


@op("_index", params=IndexParam, infer_shape=_index_shape)
def _index(xp, params, data):
    """``data[key]`` (a copy)."""
    return data[_device_key(xp, params.key)].reshape(params.out_shape)


@_index.gradient
def _(F, node, ograds):
    p = node.params
    return [F._index_backward(ograds[0], node.inputs[0], key=p.key, out_shape=p.out_shape)]


def _backward_shape(params, in_shapes):
    return [in_shapes[1]]


def _second_type(params, in_types):
    return [in_types[1]]


@op("_index_backward", params=IndexParam, inputs=("ograd", "data"),
    infer_shape=_backward_shape, infer_type=_second_type)
def _index_backward(xp, params, ograd, data):
    """Scatter-add ``ograd`` into zeros shaped like ``data`` at ``key``."""
    key = _device_key(xp, params.key)
    out = xp.zeros(data.shape, dtype=data.dtype)
    target = out[key].shape
    if is_basic(key):
        out[key] += ograd.reshape(target)
    else:
        xp.add.at(out, key, ograd.reshape(target))
    return out


@_index_backward.gradient
def _(F, node, ograds):
    p = node.params
    return [F._index(ograds[0], key=p.key, out_shape=p.out_shape), None]
