"""Range creation functions of ``mx.nd``: ``arange``, ``linspace``, ``eye``.

Thin wrappers over the ``_arange``, ``_linspace`` and ``_eye`` ops, with MXNet 1.x's
Python signatures (the ops take the context and dtype as parameters).
"""
import warnings

import numpy as np

from ..context import Context
from ..dtype import normalize
from ..ops import registry
from . import dispatch
from .ndarray import new_array

__all__ = ["arange", "linspace", "eye"]


def _invoke(op_name, ctx, dtype, **params):
    ctx = Context.default_ctx if ctx is None else Context(ctx)
    op = registry.get(op_name)
    params = op.make_params({**params, "ctx": str(ctx), "dtype": normalize(dtype).name})
    return dispatch.invoke(op, [], params, ctx=ctx, new_array=new_array)


def arange(start, stop=None, step=1.0, repeat=1, infer_range=None, ctx=None,
           dtype=np.float32):
    """Evenly spaced values within ``[start, stop)``, each repeated ``repeat`` times.

    With one argument the range is ``[0, start)``.

    Examples
    --------
    >>> mx.nd.arange(3).asnumpy()
    array([0., 1., 2.], dtype=float32)
    >>> mx.nd.arange(2, 6, step=2, repeat=2).asnumpy()
    array([2., 2., 4., 4.], dtype=float32)
    """
    if infer_range is not None:
        warnings.warn("`infer_range` argument has been deprecated", DeprecationWarning)
    return _invoke("_arange", ctx, dtype, start=start, stop=stop, step=step, repeat=repeat,
                   infer_range=False)


def linspace(start, stop, num, endpoint=True, ctx=None, dtype=np.float32):
    """``num`` evenly spaced samples over ``[start, stop]`` (``stop`` excluded when
    ``endpoint`` is False).

    Examples
    --------
    >>> mx.nd.linspace(0, 1, 5).asnumpy()
    array([0.  , 0.25, 0.5 , 0.75, 1.  ], dtype=float32)
    """
    return _invoke("_linspace", ctx, dtype, start=start, stop=stop, num=num,
                   endpoint=endpoint)


def eye(N, M=0, k=0, ctx=None, dtype=None, **kwargs):
    """A 2-D array with ones on the ``k``-th diagonal and zeros elsewhere.

    Examples
    --------
    >>> mx.nd.eye(2, 3, 1).asnumpy()
    array([[0., 1., 0.],
           [0., 0., 1.]], dtype=float32)
    """
    return _invoke("_eye", ctx, np.float32 if dtype is None else dtype, N=N, M=M, k=k,
                   **kwargs)
