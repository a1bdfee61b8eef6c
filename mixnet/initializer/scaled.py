"""Initializers scaled by the weight's shape: Orthogonal, Xavier, MSRAPrelu.

Layer 9.
"""
import numpy as np

from .. import random
from .base import Initializer, register

__all__ = ["Orthogonal", "Xavier", "MSRAPrelu"]


@register
class Orthogonal(Initializer):
    """Initialize a weight as a (scaled) orthogonal matrix, from the SVD of a random one
    (Saxe et al., https://arxiv.org/abs/1312.6120).

    Parameters
    ----------
    scale : float, optional
        Scaling factor of weight.
    rand_type : str, optional
        'uniform' or 'normal' random numbers for the matrix that is orthogonalized.

    Examples
    --------
    >>> w = mx.nd.empty((3, 5))
    >>> mx.init.Orthogonal(scale=1.0)._init_weight('w', w)
    >>> bool(abs(w.asnumpy().dot(w.asnumpy().T) - np.eye(3)).max() < 1e-5)
    True
    """

    def __init__(self, scale=1.414, rand_type="uniform"):
        super().__init__(scale=scale, rand_type=rand_type)
        self.scale = scale
        self.rand_type = rand_type

    def _init_weight(self, _, arr):
        nout = arr.shape[0]
        nin = int(np.prod(arr.shape[1:]))
        if self.rand_type == "uniform":
            tmp = random.uniform(-1.0, 1.0, shape=(nout, nin)).asnumpy()
        elif self.rand_type == "normal":
            tmp = random.normal(0.0, 1.0, shape=(nout, nin)).asnumpy()
        else:
            raise ValueError(f"Orthogonal: rand_type must be 'uniform' or 'normal', got "
                             f"{self.rand_type!r}")
        u, _, v = np.linalg.svd(tmp, full_matrices=False)
        res = u if u.shape == tmp.shape else v
        arr[:] = self.scale * res.reshape(arr.shape)


def _fans(name, shape):
    """(fan_in, fan_out) of a weight: dims 1 and 0 times the receptive field size."""
    if len(shape) < 2:
        raise ValueError(f'Xavier initializer cannot be applied to vector {name}. It '
                         f'requires at least 2D.')
    hw_scale = float(np.prod(shape[2:])) if len(shape) > 2 else 1.
    return shape[1] * hw_scale, shape[0] * hw_scale


@register
class Xavier(Initializer):
    """"Xavier" initialization: keeps the scale of gradients roughly the same in all layers.

    Draws from ``[-c, c]`` (``rnd_type='uniform'``) or N(0, c**2) (``'gaussian'``), with
    ``c = sqrt(magnitude / factor)`` and ``factor`` = ``(fan_in + fan_out) / 2`` ('avg'),
    ``fan_in`` ('in') or ``fan_out`` ('out').

    Parameters
    ----------
    rnd_type : str, optional
        'uniform' or 'gaussian'.
    factor_type : str, optional
        'avg', 'in' or 'out'.
    magnitude : float, optional
        Scale of random number.

    Examples
    --------
    >>> mx.init.Xavier(factor_type="in", magnitude=2.34).dumps()
    '["xavier", {"rnd_type": "uniform", "factor_type": "in", "magnitude": 2.34}]'
    """

    def __init__(self, rnd_type="uniform", factor_type="avg", magnitude=3):
        super().__init__(rnd_type=rnd_type, factor_type=factor_type, magnitude=magnitude)
        self.rnd_type = rnd_type
        self.factor_type = factor_type
        self.magnitude = float(magnitude)

    def _init_weight(self, name, arr):
        fan_in, fan_out = _fans(name, arr.shape)
        if self.factor_type == "avg":
            factor = (fan_in + fan_out) / 2.0
        elif self.factor_type == "in":
            factor = fan_in
        elif self.factor_type == "out":
            factor = fan_out
        else:
            raise ValueError("Incorrect factor type")
        scale = np.sqrt(self.magnitude / factor)
        if self.rnd_type == "uniform":
            random.uniform(-scale, scale, arr.shape, out=arr)
        elif self.rnd_type == "gaussian":
            random.normal(0, scale, arr.shape, out=arr)
        else:
            raise ValueError("Unknown random type")


@register
class MSRAPrelu(Xavier):
    """Initialize the weight as in He et al., "Delving Deep into Rectifiers"
    (https://arxiv.org/abs/1502.01852): Xavier, gaussian, with magnitude
    ``2 / (1 + slope**2)``.

    Parameters
    ----------
    factor_type : str, optional
        'avg', 'in' or 'out'.
    slope : float, optional
        Initial slope of any PReLU (or similar) nonlinearities.
    """

    def __init__(self, factor_type="avg", slope=0.25):
        magnitude = 2. / (1 + slope ** 2)
        super().__init__("gaussian", factor_type, magnitude)
        self._kwargs = {'factor_type': factor_type, 'slope': slope}
