"""``mx.sym.random``: symbolic sampling with MXNet 1.x's signatures.

Number parameters use the ``_random_*`` ops; Symbol parameters the ``_sample_*`` ops
(as ``mx.nd.random`` does for NDArrays).
"""
import numbers

from ..base import MXNetTypeError, _Null
from ..ops import registry
from .arith import _fn
from .symbol import Symbol

__all__ = ["uniform", "normal", "randn", "exponential", "gamma", "poisson",
           "negative_binomial", "generalized_negative_binomial", "multinomial", "shuffle",
           "randint"]


def _helper(dist, params, shape, dtype, kwargs):
    extra = {k: v for k, v in dict(shape=shape, dtype=dtype, **kwargs).items()
             if v is not _Null and v is not None}
    if "ctx" in extra:
        extra["ctx"] = str(extra["ctx"])
    if all(isinstance(p, Symbol) for p in params):
        extra.pop("ctx", None)
        return _fn(f"_sample_{dist}")(*params, **extra)
    if all(isinstance(p, numbers.Number) for p in params):
        names = registry.get(f"_random_{dist}").params._specs
        return _fn(f"_random_{dist}")(**dict(zip(names, params)), **extra)
    raise MXNetTypeError(f"random.{dist}: parameters must all be numbers or all Symbols, "
                         f"got {[type(p).__name__ for p in params]}")


def uniform(low=0, high=1, shape=_Null, dtype=_Null, **kwargs):
    """Draw samples from a uniform distribution."""
    return _helper("uniform", [low, high], shape, dtype, kwargs)


def normal(loc=0, scale=1, shape=_Null, dtype=_Null, **kwargs):
    """Draw samples from a normal (Gaussian) distribution."""
    return _helper("normal", [loc, scale], shape, dtype, kwargs)


def randn(*shape, **kwargs):
    """Normal samples of the given shape (loc/scale keywords)."""
    loc, scale = kwargs.pop("loc", 0), kwargs.pop("scale", 1)
    return _helper("normal", [loc, scale], shape, kwargs.pop("dtype", _Null), kwargs)


def exponential(scale=1, shape=_Null, dtype=_Null, **kwargs):
    """Draw samples from an exponential distribution."""
    return _helper("exponential", [1.0 / scale], shape, dtype, kwargs)


def gamma(alpha=1, beta=1, shape=_Null, dtype=_Null, **kwargs):
    """Draw samples from a gamma distribution."""
    return _helper("gamma", [alpha, beta], shape, dtype, kwargs)


def poisson(lam=1, shape=_Null, dtype=_Null, **kwargs):
    """Draw samples from a Poisson distribution."""
    return _helper("poisson", [lam], shape, dtype, kwargs)


def negative_binomial(k=1, p=1, shape=_Null, dtype=_Null, **kwargs):
    """Draw samples from a negative binomial distribution."""
    return _helper("negative_binomial", [k, p], shape, dtype, kwargs)


def generalized_negative_binomial(mu=1, alpha=1, shape=_Null, dtype=_Null, **kwargs):
    """Draw samples from a generalized negative binomial distribution."""
    return _helper("generalized_negative_binomial", [mu, alpha], shape, dtype, kwargs)


def randint(low, high, shape=_Null, dtype=_Null, **kwargs):
    """Draw random integers in [low, high)."""
    return _helper("randint", [low, high], shape, dtype, kwargs)


def multinomial(data, shape=_Null, get_prob=False, dtype="int32", **kwargs):
    """Draw samples from multinomial distributions given by ``data``'s rows."""
    extra = {k: v for k, v in dict(shape=shape, **kwargs).items() if v is not _Null}
    return _fn("_sample_multinomial")(data, get_prob=get_prob, dtype=dtype, **extra)


def shuffle(data, **kwargs):
    """Shuffle the elements along the first axis."""
    return _fn("_shuffle")(data, **kwargs)
