"""``mx.nd.random``: sampling functions with MXNet 1.x's Python signatures.

Scalar distribution parameters call the ``_random_*`` ops (one distribution, ``shape``
draws); NDArray parameters call the ``_sample_*`` ops (``shape`` draws per element), as
MXNet's ``_random_helper`` does. ``*_like`` functions come from the registry's ``random``
namespace.
"""
import numpy as np

from ..base import MXNetTypeError, MXNetValueError, _Null
from ..context import Context
from ..ops import registry
from .ndarray import NDArray
from .op import make_function, namespace_functions

__all__ = ["uniform", "normal", "randn", "exponential", "gamma", "poisson",
           "negative_binomial", "generalized_negative_binomial", "multinomial", "shuffle",
           "randint"]

_NUMERIC = (int, float, np.generic)
_OPS = {}


def _op(name):
    fn = _OPS.get(name)
    if fn is None:
        fn = _OPS[name] = make_function(registry.get(name))
    return fn


def _drop_null(kwargs):
    return {k: v for k, v in kwargs.items() if v is not _Null}


def _random_helper(dist, params, shape, dtype, ctx, out, kwargs, sample=True):
    """Draw from distribution ``dist`` with scalar or NDArray ``params``."""
    if isinstance(params[0], NDArray):
        for p in params[1:]:
            if not isinstance(p, NDArray):
                raise MXNetTypeError(f"Distribution parameters must all have the same type, "
                                     f"but got both {type(params[0])} and {type(p)}.")
        if not sample:
            raise MXNetTypeError(f"random.{dist} takes numbers as parameters, got NDArray")
        return _op(f"_sample_{dist}")(*params, out=out,
                                      **_drop_null(dict(shape=shape, dtype=dtype, **kwargs)))
    if isinstance(params[0], _NUMERIC):
        for p in params[1:]:
            if not isinstance(p, _NUMERIC):
                raise MXNetTypeError(f"Distribution parameters must all have the same type, "
                                     f"but got both {type(params[0])} and {type(p)}.")
        ctx = Context.default_ctx if ctx is None else ctx
        if shape is _Null:
            # MXNet infers the shape from out=; here the op needs it given.
            shape = 1 if out is None else out.shape
        names = registry.get(f"_random_{dist}").params._specs
        values = dict(zip(names, params))
        return _op(f"_random_{dist}")(out=out, ctx=ctx, **_drop_null(
            dict(values, shape=shape, dtype=dtype, **kwargs)))
    raise MXNetValueError(f"Distribution parameters must be either NDArray or numbers, but "
                          f"got {type(params[0])}.")


def uniform(low=0, high=1, shape=_Null, dtype=_Null, ctx=None, out=None, **kwargs):
    """Draw samples from a uniform distribution on ``[low, high)``.

    Examples
    --------
    >>> mx.nd.random.uniform(0, 1, shape=(2,)).shape
    (2,)
    """
    return _random_helper("uniform", [low, high], shape, dtype, ctx, out, kwargs)


def normal(loc=0, scale=1, shape=_Null, dtype=_Null, ctx=None, out=None, **kwargs):
    """Draw samples from a normal (Gaussian) distribution with mean ``loc``, std ``scale``.

    Examples
    --------
    >>> mx.nd.random.normal(0, 1, shape=(2, 2)).shape
    (2, 2)
    """
    return _random_helper("normal", [loc, scale], shape, dtype, ctx, out, kwargs)


def randn(*shape, **kwargs):
    """Draw samples from a normal distribution; the shape is given positionally.

    Examples
    --------
    >>> mx.nd.random.randn(2, 3, loc=5).shape
    (2, 3)
    """
    loc = kwargs.pop("loc", 0)
    scale = kwargs.pop("scale", 1)
    dtype = kwargs.pop("dtype", _Null)
    ctx = kwargs.pop("ctx", None)
    out = kwargs.pop("out", None)
    return _random_helper("normal", [loc, scale], shape, dtype, ctx, out, kwargs)


def exponential(scale=1, shape=_Null, dtype=_Null, ctx=None, out=None, **kwargs):
    """Draw samples from an exponential distribution with mean ``scale`` (rate 1/scale).

    Examples
    --------
    >>> mx.nd.random.exponential(2, shape=(3,)).shape
    (3,)
    """
    return _random_helper("exponential", [1.0 / scale], shape, dtype, ctx, out, kwargs)


def gamma(alpha=1, beta=1, shape=_Null, dtype=_Null, ctx=None, out=None, **kwargs):
    """Draw samples from a gamma distribution with shape ``alpha`` and scale ``beta``.

    Examples
    --------
    >>> mx.nd.random.gamma(2, 2, shape=(3,)).shape
    (3,)
    """
    return _random_helper("gamma", [alpha, beta], shape, dtype, ctx, out, kwargs)


def poisson(lam=1, shape=_Null, dtype=_Null, ctx=None, out=None, **kwargs):
    """Draw samples from a Poisson distribution with rate ``lam``.

    Examples
    --------
    >>> mx.nd.random.poisson(4, shape=(2,)).shape
    (2,)
    """
    return _random_helper("poisson", [lam], shape, dtype, ctx, out, kwargs)


def negative_binomial(k=1, p=1, shape=_Null, dtype=_Null, ctx=None, out=None, **kwargs):
    """Draw samples from a negative binomial distribution (failures before ``k``
    successes, success probability ``p``).

    Examples
    --------
    >>> mx.nd.random.negative_binomial(3, 0.4, shape=(2,)).shape
    (2,)
    """
    return _random_helper("negative_binomial", [k, p], shape, dtype, ctx, out, kwargs)


def generalized_negative_binomial(mu=1, alpha=1, shape=_Null, dtype=_Null, ctx=None,
                                  out=None, **kwargs):
    """Draw samples from a generalized negative binomial distribution (mean ``mu``,
    dispersion ``alpha``).

    Examples
    --------
    >>> mx.nd.random.generalized_negative_binomial(2, 0.3, shape=(2,)).shape
    (2,)
    """
    return _random_helper("generalized_negative_binomial", [mu, alpha], shape, dtype, ctx,
                          out, kwargs)


def randint(low, high, shape=_Null, dtype=_Null, ctx=None, out=None, **kwargs):
    """Draw integers uniformly from ``[low, high)`` (int32 unless ``dtype='int64'``).

    Examples
    --------
    >>> mx.nd.random.randint(0, 5, shape=(3,)).dtype
    <class 'numpy.int32'>
    """
    return _random_helper("randint", [low, high], shape, dtype, ctx, out, kwargs,
                          sample=False)


def multinomial(data, shape=_Null, get_prob=False, out=None, dtype="int32", **kwargs):
    """Draw category indices from the distributions along the last axis of ``data``.

    With ``get_prob=True`` also returns the log probability of each draw.

    Examples
    --------
    >>> mx.nd.random.multinomial(mx.nd.array([0.2, 0.8]), shape=2).shape
    (2,)
    """
    return _op("_sample_multinomial")(data, out=out, **_drop_null(
        dict(shape=shape, get_prob=get_prob, dtype=dtype, **kwargs)))


def shuffle(data, **kwargs):
    """Shuffle ``data`` along its first axis (a new array).

    Examples
    --------
    >>> mx.nd.random.shuffle(mx.nd.arange(4)).shape
    (4,)
    """
    return _op("_shuffle")(data, **kwargs)


_LIKE = namespace_functions("random")
globals().update(_LIKE)
__all__ += sorted(_LIKE)
