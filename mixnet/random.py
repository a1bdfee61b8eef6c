"""``mx.random``: seeding the per-context generators, and the sampling functions of
``mx.nd.random`` under MXNet 1.x's top-level names."""
import numpy as np

from .backend import random as _backend_random
from .base import MXNetValueError
from .context import Context
from .ndarray.random import (uniform, normal, randn, poisson, exponential, gamma,
                             multinomial, negative_binomial, generalized_negative_binomial,
                             shuffle, randint)

__all__ = ["seed", "uniform", "normal", "randn", "poisson", "exponential", "gamma",
           "multinomial", "negative_binomial", "generalized_negative_binomial", "shuffle",
           "randint"]


def seed(seed_state, ctx="all"):
    """Seed the random generators of every context (``ctx='all'``) or of one context.

    With the same seed, draws repeat; different contexts draw different streams.

    Examples
    --------
    >>> mx.random.seed(128)
    >>> a = mx.nd.random.normal(shape=(2,)).asnumpy()
    >>> mx.random.seed(128)
    >>> bool((a == mx.nd.random.normal(shape=(2,)).asnumpy()).all())
    True
    """
    if isinstance(seed_state, bool) or not isinstance(seed_state, (int, np.integer)):
        raise MXNetValueError("seed_state must be int")
    # MXNet passes the seed as a C int.
    state = int(np.array(int(seed_state) & 0xFFFFFFFF, dtype=np.uint32).view(np.int32))
    if ctx != "all":
        ctx = Context(ctx)
    _backend_random.seed(state, ctx)
