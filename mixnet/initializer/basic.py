"""Constant and simple random initializers: Zero, One, Constant, Uniform, Normal,
Bilinear, LSTMBias.

Layer 9.
"""
import json

import numpy as np

from ..ndarray import NDArray
from .. import random
from .base import Initializer, register, alias, bilinear_kernel

__all__ = ["Zero", "One", "Constant", "Uniform", "Normal", "Bilinear", "LSTMBias"]


@register
@alias("zeros")
class Zero(Initializer):
    """Initializes weights to zero.

    Examples
    --------
    >>> w = mx.nd.ones((2,))
    >>> mx.init.Zero()._init_weight('w', w)
    >>> w.asnumpy()
    array([0., 0.], dtype=float32)
    """

    def __init__(self):
        super().__init__()

    def _init_weight(self, _, arr):
        arr[:] = 0


@register
@alias("ones")
class One(Initializer):
    """Initializes weights to one."""

    def __init__(self):
        super().__init__()

    def _init_weight(self, _, arr):
        arr[:] = 1


@register
class Constant(Initializer):
    """Initializes weights to a given value: a scalar, or an NDArray / NumPy array that
    matches (broadcasts to) the parameter's shape.

    Parameters
    ----------
    value : float, NDArray or numpy.ndarray
        Value to set.

    Examples
    --------
    >>> mx.init.Constant(1).dumps()
    '["constant", {"value": 1}]'
    """

    def __init__(self, value):
        super().__init__(value=value)
        self.value = value

    def _init_weight(self, _, arr):
        arr[:] = self.value

    def dumps(self):
        val = self._kwargs['value']
        if not np.isscalar(val):
            # arrays are stored as nested lists so the JSON can be read back by create()
            self._kwargs['value'] = val.asnumpy().tolist() if isinstance(val, NDArray) \
                else np.asarray(val).tolist()
        return json.dumps([self.__class__.__name__.lower(), self._kwargs])


@register
class Uniform(Initializer):
    """Initializes weights with values drawn uniformly from ``[-scale, scale]``.

    Parameters
    ----------
    scale : float, optional
        The bound on the range of the generated random values (default 0.07).

    Examples
    --------
    >>> w = mx.nd.empty((100,))
    >>> mx.init.Uniform(0.1)._init_weight('w', w)
    >>> bool((abs(w.asnumpy()) <= 0.1).all())
    True
    """

    def __init__(self, scale=0.07):
        super().__init__(scale=scale)
        self.scale = scale

    def _init_weight(self, _, arr):
        random.uniform(-self.scale, self.scale, arr.shape, out=arr)


@register
class Normal(Initializer):
    """Initializes weights with values drawn from N(0, sigma**2).

    Parameters
    ----------
    sigma : float, optional
        Standard deviation of the normal distribution (default 0.01).
    """

    def __init__(self, sigma=0.01):
        super().__init__(sigma=sigma)
        self.sigma = sigma

    def _init_weight(self, _, arr):
        random.normal(0, self.sigma, arr.shape, out=arr)


@register
class Bilinear(Initializer):
    """Initialize a (N, C, H, W) weight as a bilinear upsampling kernel (for
    Deconvolution-based upsampling layers)."""

    def __init__(self):
        super().__init__()

    def _init_weight(self, _, arr):
        arr[:] = bilinear_kernel(arr.shape)


@register
class LSTMBias(Initializer):
    """Initialize all biases of an LSTMCell to 0.0 except the forget gate's, which is set
    to ``forget_bias``.

    Parameters
    ----------
    forget_bias : float, default 1.0
        Bias of the forget gate (Jozefowicz et al. 2015 recommend 1.0).

    Examples
    --------
    >>> b = mx.nd.empty((8,))
    >>> mx.init.LSTMBias(1.0)._init_weight('b', b)
    >>> b.asnumpy()
    array([0., 0., 1., 1., 0., 0., 0., 0.], dtype=float32)
    """

    def __init__(self, forget_bias=1.0):
        super().__init__(forget_bias=forget_bias)
        self.forget_bias = forget_bias

    def _init_weight(self, name, arr):
        arr[:] = 0.0
        # the LSTM gates are ordered (input, forget, cell, output): forget is the second
        num_hidden = int(arr.shape[0] / 4)
        arr[num_hidden:2 * num_hidden] = self.forget_bias
