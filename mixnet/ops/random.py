"""Random sampling ops: ``_random_*`` (scalar parameters), ``_sample_*`` (one draw set per
element of parameter arrays), ``_random_*_like``, ``_sample_multinomial`` and ``_shuffle``.

Each distribution is declared once in ``DISTRIBUTIONS`` (its parameters, their checks and
a sampler) and registered in its three forms. Forwards get ``rng=``, the generator of the
op's context (a NumPy ``Generator`` on cpu, a CuPy ``RandomState`` on gpu): samplers use
only methods both provide (``uniform``, ``normal``, ``gamma``, ``exponential``,
``poisson``, ``permutation``), plus ``_integers`` below. Draws are made in float64 and
cast to the output dtype by dispatch.

Invalid scalar parameters (``normal`` with ``scale <= 0``) raise inside the forward, so,
as in MXNet, the error surfaces at the next sync point (``wait_to_read``, ``asnumpy``).
"""
import numpy as np

from ..base import MXNetValueError
from ..util import is_np_shape
from .elemwise_math import quiet
from .infer import ShapeError, InferTypeError, same_shape
from .param import Bool, Dtype, Float, Int, Param, Shape, Str
from .registry import op

__all__ = ["Distribution", "DISTRIBUTIONS"]

_FLOATS = ("float16", "float32", "float64")


class Distribution:
    """One distribution.

    params : ((name, Spec), ...) of the ``_random_*`` op, in MXNet's order
    sample : ``sample(xp, rng, size, *params) -> float64 array``; params are scalars or
        arrays broadcast to ``size``
    checks : ((predicate(*params) -> bool, message), ...) for scalar parameters
    """

    def __init__(self, params, sample, checks=()):
        self.params = params
        self.sample = sample
        self.checks = checks

    @property
    def names(self):
        return tuple(name for name, _ in self.params)


# --- samplers (NumPy Generator and CuPy RandomState share these methods) -------------

def _uniform(xp, rng, size, low, high):
    return low + (high - low) * rng.uniform(0.0, 1.0, size)


def _normal(xp, rng, size, loc, scale):
    return loc + scale * rng.normal(0.0, 1.0, size)


def _gamma(xp, rng, size, alpha, beta):
    return rng.gamma(alpha, 1.0, size) * beta


def _exponential(xp, rng, size, lam):
    return rng.exponential(1.0, size) / lam


def _poisson(xp, rng, size, lam):
    # MXNet's _sample_poisson gives 0 for a negative rate; NumPy would raise.
    return rng.poisson(xp.maximum(xp.asarray(lam, dtype=np.float64), 0.0), size)


def _gamma_poisson(xp, rng, size, shape, scale):
    """Poisson with a Gamma(shape, scale) rate: how MXNet draws negative binomials."""
    shape = xp.broadcast_to(xp.asarray(shape, dtype=np.float64), size)
    scale = xp.broadcast_to(xp.asarray(scale, dtype=np.float64), size)
    ok = (shape > 0) & (scale > 0) & xp.isfinite(scale)
    rate = rng.gamma(xp.where(ok, shape, 1.0), 1.0, size) * xp.where(ok, scale, 0.0)
    return rng.poisson(rate, size)


def _negative_binomial(xp, rng, size, k, p):
    with np.errstate(divide="ignore", invalid="ignore"):   # p == 0: an infinite rate
        return _gamma_poisson(xp, rng, size, k, (1.0 - xp.asarray(p, dtype=np.float64)) / p)


def _generalized_negative_binomial(xp, rng, size, mu, alpha):
    mu = xp.asarray(mu, dtype=np.float64)
    alpha = xp.asarray(alpha, dtype=np.float64)
    # alpha == 0 is the Poisson limit; otherwise the rate is Gamma(1/alpha, alpha*mu).
    safe = xp.where(alpha > 0, alpha, 1.0)
    mixed = _gamma_poisson(xp, rng, size, 1.0 / safe, alpha * mu)
    plain = _poisson(xp, rng, size, mu)
    return xp.where(alpha > 0, mixed, plain)


def _integers(rng, low, high, size, dtype):
    """``Generator.integers`` (NumPy) or ``RandomState.randint`` (CuPy)."""
    draw = getattr(rng, "integers", None) or rng.randint
    return draw(low, high, size=size, dtype=dtype)


DISTRIBUTIONS = {
    "uniform": Distribution(
        (("low", Float(0.0, "Lower bound of the distribution.")),
         ("high", Float(1.0, "Upper bound of the distribution."))),
        _uniform,
        ((lambda lo, hi: hi >= lo,
          "low must be less or equal to high in uniform distribution"),)),
    "normal": Distribution(
        (("loc", Float(0.0, "Mean of the distribution.")),
         ("scale", Float(1.0, "Standard deviation of the distribution."))),
        _normal,
        ((lambda loc, scale: scale > 0, "scale parameter in gaussian has to be positive"),)),
    "gamma": Distribution(
        (("alpha", Float(1.0, "Alpha parameter (shape) of the gamma distribution.")),
         ("beta", Float(1.0, "Beta parameter (scale) of the gamma distribution."))),
        _gamma,
        ((lambda a, b: a > 0, "alpha parameter in gamma distribution has to be positive"),
         (lambda a, b: b > 0, "beta parameter in gamma distribution has to be positive"))),
    "exponential": Distribution(
        (("lam", Float(1.0, "Lambda parameter (rate) of the exponential distribution.")),),
        _exponential,
        ((lambda lam: lam > 0,
          "lambda parameter in exponential distribution has to be positive"),)),
    "poisson": Distribution(
        (("lam", Float(1.0, "Lambda parameter (rate) of the Poisson distribution.")),),
        _poisson,
        ((lambda lam: lam >= 0,
          "lambda parameter in poisson distribution has to be non-negative"),)),
    "negative_binomial": Distribution(
        (("k", Int(1, "Limit of unsuccessful experiments.")),
         ("p", Float(1.0, "Failure probability in each experiment."))),
        _negative_binomial,
        ((lambda k, p: k >= 0,
          "k parameter in negative binomial distribution has to be non-negative"),
         (lambda k, p: p >= 0,
          "p parameter in negative binomial distribution has to be non-negative"))),
    "generalized_negative_binomial": Distribution(
        (("mu", Float(1.0, "Mean of the negative binomial distribution.")),
         ("alpha", Float(1.0, "Alpha (dispersion) parameter of the negative binomial "
                              "distribution."))),
        _generalized_negative_binomial,
        ((lambda mu, a: mu >= 0, "mu parameter in generalized negative binomial "
                                 "distribution has to be non-negative"),
         (lambda mu, a: a >= 0, "alpha parameter in generalized negative binomial "
                                "distribution has to be non-negative"))),
}

# MXNet's extra top-level names (``mx.nd.uniform``, ``mx.nd.normal``).
_SHORT_ALIASES = {"uniform": ("uniform",), "normal": ("normal",)}


def _check(op_name, dist, values):
    for ok, message in dist.checks:
        if not ok(*values):
            got = ", ".join(f"{n}={v:g}" for n, v in zip(dist.names, values))
            raise MXNetValueError(f"Operator {op_name}: {message}, got {got}")


def _legacy_shape(shape, what="shape"):
    """MXNet 1.x treats an empty shape or a 0 dim as unknown: the op cannot run."""
    if shape is None or (not is_np_shape() and (not shape or 0 in shape)):
        raise ShapeError(f"{what}={shape} gives no output shape; pass a non-empty shape "
                         "without zero dims")
    return tuple(shape)


def _output_type(default):
    def rule(params, in_types):
        return [np.dtype(params.dtype or default)]
    return rule


def _random_param(cls_name, specs, dtypes=_FLOATS):
    attrs = dict(specs)
    attrs["shape"] = Shape(None, "Shape of the output.")
    attrs["ctx"] = Str("", "Context of output, in format [cpu|gpu|cpu_pinned](n). Only "
                           "used for imperative calls.")
    attrs["dtype"] = Dtype(None, "DType of the output in case this can't be inferred. "
                                 "Defaults to float32 if not defined (dtype=None).",
                           choices=dtypes)
    return type(cls_name, (Param,), attrs)


def _random_shape(params, in_shapes):
    return [_legacy_shape(params.shape)]


def _register_random(dist_name, dist):
    name = f"_random_{dist_name}"

    def forward(xp, params, rng):
        values = [getattr(params, n) for n in dist.names]
        _check(name, dist, values)
        return dist.sample(xp, rng, params.shape, *values)

    forward.__doc__ = f"Draw random samples from a {dist_name.replace('_', ' ')} distribution."
    param_cls = _random_param(f"Random{dist_name.title().replace('_', '')}Param", dist.params)
    op(name, inputs=(), params=param_cls, infer_shape=_random_shape,
       infer_type=_output_type("float32"), grad=None, random=True, creates=True,
       aliases=(f"random_{dist_name}",) + _SHORT_ALIASES.get(dist_name, ()))(forward)


def _register_like(dist_name, dist):
    name = f"_random_{dist_name}_like"

    def forward(xp, params, data, rng):
        values = [getattr(params, n) for n in dist.names]
        _check(name, dist, values)
        return dist.sample(xp, rng, data.shape, *values)

    forward.__doc__ = (f"Draw random samples from a {dist_name.replace('_', ' ')} "
                       "distribution according to the input array shape.")
    param_cls = type(f"Random{dist_name.title().replace('_', '')}LikeParam", (Param,),
                     dict(dist.params))
    op(name, inputs=("data",), params=param_cls, infer_shape=same_shape,
       infer_type=lambda params, in_types: [in_types[0]], grad=None, random=True,
       namespace="random")(forward)


class SampleParam(Param):
    shape = Shape((), "Shape to be sampled from each random distribution.")
    dtype = Dtype(None, "DType of the output in case this can't be inferred. Defaults to "
                        "float32 if not defined (dtype=None).", choices=_FLOATS)


def _sample_shape(params, in_shapes):
    """Output: the parameter arrays' shape followed by ``shape`` (draws per element)."""
    first = in_shapes[0]
    for i, s in enumerate(in_shapes[1:], 1):
        if first is not None and s is not None and s != first:
            raise ShapeError(f"all parameter arrays must have the same shape, got {first} "
                             f"and {s}")
        first = first if first is not None else s
    if first is None:
        return [None]
    for i in range(len(in_shapes)):
        in_shapes[i] = first
    return [tuple(first) + tuple(params.shape)]


def _sample_type(params, in_types):
    known = [t for t in in_types if t is not None]
    if any(t != known[0] for t in known):
        raise InferTypeError(f"parameter arrays must share a dtype, got "
                             f"{[str(t) for t in known]}")
    return [np.dtype(params.dtype or "float32")]


def _register_sample(dist_name, dist):
    name = f"_sample_{dist_name}"
    inputs = {"normal": ("mu", "sigma")}.get(dist_name, dist.names)

    def forward(xp, params, *arrays, rng):
        size = arrays[0].shape + tuple(params.shape)
        lead = (slice(None),) * arrays[0].ndim + (None,) * len(params.shape)
        values = [xp.broadcast_to(a.astype(np.float64)[lead], size) for a in arrays]
        return dist.sample(xp, rng, size, *values)

    forward.__doc__ = (f"Concurrent sampling from multiple {dist_name.replace('_', ' ')} "
                       "distributions with parameters given by the input arrays.")
    # quiet: MXNet draws from out-of-domain parameters (lam=0 -> inf) without warnings.
    op(name, inputs=inputs, params=SampleParam, infer_shape=_sample_shape,
       infer_type=_sample_type, grad=None, random=True,
       aliases=(f"sample_{dist_name}",))(quiet(forward))


for _name, _dist in DISTRIBUTIONS.items():
    _register_random(_name, _dist)
    _register_like(_name, _dist)
    _register_sample(_name, _dist)


# --- randint, multinomial, shuffle -------------------------------------------------------

RandintParam = _random_param(
    "RandintParam", (("low", Int(doc="Lower bound of the distribution.")),
                     ("high", Int(doc="Upper bound of the distribution."))),
    dtypes=("int32", "int64"))


@op("_random_randint", inputs=(), params=RandintParam, infer_shape=_random_shape,
    infer_type=_output_type("int32"), grad=None, random=True, creates=True,
    aliases=("random_randint",))
def _random_randint(xp, params, rng):
    """Draw random samples from a discrete uniform distribution."""
    if params.high < params.low:
        raise MXNetValueError(f"Operator _random_randint: low must be less or equal to high "
                              f"in uniform distribution, got low={params.low}, "
                              f"high={params.high}")
    if params.high == params.low:
        # NOTE: MXNet hangs here; [low, low) holds no integer.
        raise MXNetValueError(f"Operator _random_randint: the interval [low, high) = "
                              f"[{params.low}, {params.high}) is empty")
    return _integers(rng, params.low, params.high, params.shape, params.dtype or "int32")


class MultinomialParam(Param):
    shape = Shape((), "Shape to be sampled from each random distribution.")
    get_prob = Bool(False, "Whether to also return the log probability of sampled result. "
                           "This is usually used for differentiating through stochastic "
                           "variables, e.g. in reinforcement learning.")
    dtype = Dtype("int32", "DType of the output in case this can't be inferred.",
                  choices=("float16", "float32", "float64", "int32", "uint8"))


def _multinomial_shape(params, in_shapes):
    data = in_shapes[0]
    if data is None:
        return [None] * (1 + params.get_prob)
    if len(data) < 1 or not data[-1]:
        raise ShapeError(f"data must hold probabilities along its last axis, got shape "
                         f"{data}")
    out = tuple(data[:-1]) + tuple(params.shape)
    out = out or (1,)   # a single distribution drawn once still gives shape (1,)
    return [out] * (1 + params.get_prob)


def _multinomial_type(params, in_types):
    return [np.dtype(params.dtype)] + [in_types[0]] * params.get_prob


@op("_sample_multinomial", inputs=("data",), params=MultinomialParam,
    num_outputs=lambda p: 1 + p.get_prob, infer_shape=_multinomial_shape,
    infer_type=_multinomial_type, random=True, aliases=("sample_multinomial",))
def _sample_multinomial(xp, params, data, rng):
    """Concurrent sampling from multiple multinomial distributions."""
    k = data.shape[-1]
    probs = data.reshape(-1, k).astype(np.float64)
    draws = max(1, int(np.prod(params.shape)))
    # Inverse CDF: the first category whose cumulative probability exceeds u.
    u = rng.uniform(0.0, 1.0, (probs.shape[0], draws))
    cdf = xp.cumsum(probs, axis=1)
    index = (u[:, :, None] >= cdf[:, None, :]).sum(axis=2)
    index = xp.minimum(index, k - 1)
    shape = _multinomial_shape(params, [data.shape])[0]
    samples = index.reshape(shape)
    if not params.get_prob:
        return samples
    picked = xp.take_along_axis(probs, index, axis=1)
    return samples, xp.log(picked).reshape(shape)


@_sample_multinomial.gradient
def _(F, node, ograds):
    if not node.params.get_prob:
        return [None]
    return [F._backward_sample_multinomial(ograds[1], node.inputs[0], node.output(0),
                                           shape=node.params.shape)]


class _ShapeParam(Param):
    shape = Shape((), "Shape sampled from each distribution (as in the forward op).")


@op("_backward_sample_multinomial", inputs=("ograd", "data", "samples"), params=_ShapeParam,
    infer_shape=lambda params, in_shapes: [in_shapes[1]],
    infer_type=lambda params, in_types: [in_types[1]], grad=None)
def _backward_sample_multinomial(xp, params, ograd, data, samples):
    """Gradient of the log probability of multinomial samples w.r.t. the probabilities."""
    k = data.shape[-1]
    probs = data.reshape(-1, k)
    index = samples.reshape(probs.shape[0], -1).astype(np.int64)
    scaled = ograd.reshape(index.shape) / xp.take_along_axis(probs, index, axis=1)
    # Each draw adds ograd / p[j] to its category j (a one-hot sum: no scatter needed).
    onehot = index[:, :, None] == xp.arange(k)[None, None, :]
    return (onehot * scaled[:, :, None]).sum(axis=1).reshape(data.shape)


@op("_shuffle", grad=None, random=True, aliases=("shuffle",))
def _shuffle(xp, params, data, rng):
    """Randomly shuffle the elements."""
    if data.ndim == 0 or data.shape[0] <= 1:
        return data.copy()
    return data[rng.permutation(data.shape[0])]
