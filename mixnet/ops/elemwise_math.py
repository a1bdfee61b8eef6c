"""Array math shared by the elementwise families: quiet kernels and special functions.

Special functions come from ``scipy.special`` (NumPy) or ``cupyx.scipy.special`` (CuPy)
when importable; without SciPy, NumPy falls back to the pure-Python versions below
(float64, accurate to a few ulps, slow: fine for a dependency-free install).
"""
import functools
import math

import numpy as np

__all__ = ["digamma", "erf", "erfinv", "gamma", "gammaln", "quiet"]


def quiet(kernel):
    """``kernel`` without NumPy's floating-point warnings.

    MXNet computes out-of-domain values (``x / 0``, ``log(-1)``) silently as inf/nan.
    """
    @functools.wraps(kernel)
    def run(*args, **kwargs):
        with np.errstate(all="ignore"):
            return kernel(*args, **kwargs)
    return run


_SPECIAL = {}


def _special(xp):
    """``scipy.special`` for ``xp`` (cached), or None when it cannot be imported."""
    if xp not in _SPECIAL:
        try:
            if xp is np:
                import scipy.special as mod
            else:
                import cupyx.scipy.special as mod
        except ImportError:
            mod = None
        _SPECIAL[xp] = mod
    return _SPECIAL[xp]


def _float(x):
    """Integer inputs are computed in float64 (the op casts the result back)."""
    return x if x.dtype.kind == "f" else x.astype(np.float64)


def _call(name, fallback, xp, x):
    mod = _special(xp)
    x = _float(x)
    if mod is not None:
        return getattr(mod, name)(x)
    return fallback(x.astype(np.float64)).astype(x.dtype)


def erf(xp, x):
    """Gauss error function."""
    return _call("erf", _erf_fallback, xp, x)


def erfinv(xp, x):
    """Inverse error function (±inf at ±1, nan outside [-1, 1])."""
    return _call("erfinv", _erfinv_fallback, xp, x)


def gamma(xp, x):
    """Gamma function (inf at 0, nan at negative integers, as C's tgamma)."""
    return _call("gamma", _gamma_fallback, xp, x)


def gammaln(xp, x):
    """log |gamma(x)| (inf at non-positive integers)."""
    return _call("gammaln", _gammaln_fallback, xp, x)


def digamma(xp, x):
    """Digamma function psi(x) = d/dx log gamma(x)."""
    return _call("digamma", _digamma_fallback, xp, x)


# --- pure-Python fallbacks (NumPy float64 only) --------------------------------------

def _vectorize(fn):
    return np.vectorize(fn, otypes=[np.float64])


@_vectorize
def _erf_fallback(x):
    return math.erf(x)


@_vectorize
def _gamma_fallback(x):
    try:
        return math.gamma(x)
    except ValueError:          # pole: 0 -> inf, negative integers -> nan (tgamma)
        return math.copysign(math.inf, x) if x == 0 else math.nan
    except OverflowError:
        return math.inf


@_vectorize
def _gammaln_fallback(x):
    try:
        return math.lgamma(x)
    except (ValueError, OverflowError):
        return math.inf


@_vectorize
def _digamma_fallback(x):
    if x == 0:
        return -math.inf
    if math.isnan(x) or (x < 0 and x == math.floor(x)):
        return math.nan
    if x < 0:   # reflection: psi(1 - x) - psi(x) = pi / tan(pi x)
        return _digamma_fallback(1 - x) - math.pi / math.tan(math.pi * x)
    acc = 0.0
    while x < 10:   # recurrence psi(x) = psi(x + 1) - 1/x up to where the series converges
        acc -= 1 / x
        x += 1
    f = 1 / (x * x)
    # Asymptotic series: sum of B_2k / (2k x^2k), k = 1..6.
    series = f * (1 / 12 - f * (1 / 120 - f * (1 / 252 - f * (1 / 240 - f * (
        1 / 132 - f * 691 / 32760)))))
    return float(acc + math.log(x) - 0.5 / x - series)


def _erfinv_fallback(y):
    y = np.asarray(y, dtype=np.float64)
    inside = np.abs(y) < 1
    t = np.where(inside, y, 0.0)
    # Winitzki's closed form (rel. error ~2e-3), then Newton steps on erf(x) = y.
    a = 0.147
    ln = np.log1p(-t * t)
    b = 2 / (math.pi * a) + ln / 2
    x = np.sign(t) * np.sqrt(np.sqrt(b * b - ln / a) - b)
    for _ in range(4):
        x = x - (_erf_fallback(x) - t) / (2 / math.sqrt(math.pi) * np.exp(-x * x))
    edge = np.where(np.abs(y) == 1, np.copysign(np.inf, y), np.nan)
    return np.where(inside, x, edge)
