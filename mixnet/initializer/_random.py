"""Random fills for initializers: draws from ``mx.nd.random`` (seeded by
``mx.random.seed``) written into the target array in place.

Layer 9.
"""
import numpy as np

from .. import ndarray as nd
from ..backend import random as _backend_random

__all__ = ["uniform", "normal", "randint"]


def _sampler(name):
    namespace = getattr(nd, "random", None)
    return getattr(namespace, name, None)


def _generator(ctx):
    # NOTE: stop-gap used only while mx.nd.random is not registered yet: the same
    # per-context generator the random ops use, so mx.random.seed still applies.
    return _backend_random.generator(ctx)


def uniform(low, high, arr):
    """Fill ``arr`` with U(low, high) draws."""
    sampler = _sampler("uniform")
    if sampler is not None:
        sampler(low, high, shape=arr.shape, out=arr)
    else:
        arr[:] = np.asarray(_generator(arr.context).uniform(low, high, size=arr.shape))


def normal(loc, scale, arr):
    """Fill ``arr`` with N(loc, scale**2) draws."""
    sampler = _sampler("normal")
    if sampler is not None:
        sampler(loc, scale, shape=arr.shape, out=arr)
    else:
        arr[:] = np.asarray(_generator(arr.context).normal(loc, scale, size=arr.shape))


def uniform_numpy(low, high, shape, ctx):
    """A float32 NumPy array of U(low, high) draws from ``ctx``'s stream."""
    sampler = _sampler("uniform")
    if sampler is not None:
        return sampler(low, high, shape=shape, ctx=ctx).asnumpy()
    return np.asarray(_generator(ctx).uniform(low, high, size=shape), dtype=np.float32)


def normal_numpy(loc, scale, shape, ctx):
    """A float32 NumPy array of N(loc, scale**2) draws from ``ctx``'s stream."""
    sampler = _sampler("normal")
    if sampler is not None:
        return sampler(loc, scale, shape=shape, ctx=ctx).asnumpy()
    return np.asarray(_generator(ctx).normal(loc, scale, size=shape), dtype=np.float32)


def randint(low, high, ctx):
    """One int32 draw in [low, high), as MXNet's ``random.randint(low, high)``."""
    sampler = _sampler("randint")
    if sampler is not None:
        return sampler(low, high, shape=(1,), dtype='int32', ctx=ctx).asnumpy()
    return np.asarray(_generator(ctx).integers(low, high, size=(1,)), dtype=np.int32)
