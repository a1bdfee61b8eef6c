"""The ``Initializer`` base class, its name-pattern rules, the registry (``register``,
``alias``, ``create``) and the name-driven wrappers ``Load`` and ``Mixed``.

Layer 9: imports ndarray (layer 6) and below.
"""
import json
import logging
import re
import warnings
from math import sqrt

import numpy as np

from ..base import string_types
from .. import ndarray as nd
from ..ndarray import NDArray
from .. import random

__all__ = ["InitDesc", "Initializer", "register", "alias", "create", "Load", "Mixed"]


class InitDesc(str):
    """Descriptor for the initialization pattern: a parameter name with attributes.

    Parameters
    ----------
    name : str
        Name of variable.
    attrs : dict of str to str
        Attributes of this variable taken from ``Symbol.attr_dict``.
    global_init : Initializer
        Global initializer to fall back to.

    Examples
    --------
    >>> desc = mx.init.InitDesc('fc1_weight', {'__init__': '["one", {}]'})
    >>> desc, desc.attrs['__init__']
    ('fc1_weight', '["one", {}]')
    """

    # NOTE: a str subclass, as in MXNet, so older code that passes plain names still works.
    def __new__(cls, name, attrs=None, global_init=None):
        ret = super().__new__(cls, name)
        ret.attrs = attrs or {}
        ret.global_init = global_init
        return ret


# (name suffix, method) in MXNet's order of checks, for InitDesc names. New patterns
# belong in the ops' variable attributes (``__init__``), not here.
_DESC_RULES = (
    ("weight", "_init_weight"), ("bias", "_init_bias"), ("gamma", "_init_gamma"),
    ("beta", "_init_beta"), ("min", "_init_zero"), ("max", "_init_one"),
    ("weight_quantize", "_init_quantized_weight"), ("bias_quantize", "_init_quantized_bias"),
)

# Suffix rules of the deprecated ``init(str, arr)`` call, after its prefix rules.
_LEGACY_RULES = (
    ("bias", "_init_bias"), ("gamma", "_init_gamma"), ("beta", "_init_beta"),
    ("weight", "_init_weight"), ("moving_mean", "_init_zero"), ("moving_var", "_init_one"),
    ("moving_inv_var", "_init_zero"), ("moving_avg", "_init_zero"), ("min", "_init_zero"),
    ("max", "_init_one"),
)


def _rms_stat(x):
    """Default verbose statistic: ``norm(x) / sqrt(size(x))``."""
    return str((nd.norm(x) / sqrt(x.size)).asscalar())


class Initializer(object):
    """The base class of an initializer.

    Calling ``init(desc, arr)`` fills ``arr`` in place, choosing the rule from the
    variable's ``__init__`` attribute if any, else from the end of its name:
    ``weight`` (the subclass's rule), ``bias``/``beta``/``min`` (0), ``gamma``/``max`` (1).

    Examples
    --------
    >>> w = mx.nd.empty((2, 3))
    >>> mx.init.One()(mx.init.InitDesc('fc_weight'), w)
    >>> w.asnumpy()
    array([[1., 1., 1.],
           [1., 1., 1.]], dtype=float32)
    """

    def __init__(self, **kwargs):
        self._kwargs = kwargs
        self._verbose = False
        self._print_func = None

    def set_verbosity(self, verbose=False, print_func=None):
        """Switch verbose logging on or off; ``print_func(arr) -> str`` gives the statistic
        logged (default: ``norm(arr) / sqrt(arr.size)``)."""
        self._verbose = verbose
        self._print_func = _rms_stat if print_func is None else print_func
        return self

    def _verbose_print(self, desc, init, arr):
        if self._verbose and self._print_func:
            logging.info('Initialized %s as %s: %s', desc, init, self._print_func(arr))

    def dumps(self):
        """The initializer as a JSON string ``[name, kwargs]`` (what ``create`` reads).

        Examples
        --------
        >>> mx.init.Normal(0.5).dumps()
        '["normal", {"sigma": 0.5}]'
        """
        return json.dumps([self.__class__.__name__.lower(), self._kwargs])

    def __call__(self, desc, arr):
        """Initialize ``arr`` (an NDArray) in place according to ``desc`` (an InitDesc)."""
        if not isinstance(desc, InitDesc):
            self._legacy_init(desc, arr)
            return
        if desc.global_init is None:
            desc.global_init = self
        init = desc.attrs.get('__init__', "")
        if init:
            # the variable's own initializer (Variable(init=...) or an op's default)
            create(init)._init_weight(desc, arr)
            self._verbose_print(desc, init, arr)
            return
        for suffix, method in _DESC_RULES:
            if desc.endswith(suffix):
                getattr(self, method)(desc, arr)
                self._verbose_print(desc, suffix, arr)
                return
        self._init_default(desc, arr)

    def _legacy_init(self, name, arr):
        """The deprecated ``init(name, arr)`` form, with MXNet 0.x's name rules."""
        warnings.warn(
            "\033[91mCalling initializer with init(str, NDArray) has been deprecated."
            "please use init(mx.init.InitDesc(...), NDArray) instead.\033[0m",
            DeprecationWarning, stacklevel=3)
        if not isinstance(name, string_types):
            raise TypeError('name must be string')
        if not isinstance(arr, NDArray):
            raise TypeError('arr must be NDArray')
        if name.startswith('upsampling'):
            self._init_bilinear(name, arr)
        elif name.startswith('stn_loc') and name.endswith('weight'):
            self._init_zero(name, arr)
        elif name.startswith('stn_loc') and name.endswith('bias'):
            self._init_loc_bias(name, arr)
        else:
            for suffix, method in _LEGACY_RULES:
                if name.endswith(suffix):
                    getattr(self, method)(name, arr)
                    return
            self._init_default(name, arr)

    def _init_bilinear(self, _, arr):
        arr[:] = bilinear_kernel(arr.shape)

    def _init_loc_bias(self, _, arr):
        if arr.shape[0] != 6:
            raise ValueError(f"stn_loc bias must have 6 elements, got shape {arr.shape}")
        arr[:] = nd.array([1.0, 0, 0, 0, 1.0, 0], ctx=arr.context, dtype=arr.dtype)

    def _init_zero(self, _, arr):
        arr[:] = 0.0

    def _init_one(self, _, arr):
        arr[:] = 1.0

    def _init_bias(self, _, arr):
        arr[:] = 0.0

    def _init_quantized_bias(self, _, arr):
        arr[:] = 0

    def _init_gamma(self, _, arr):
        arr[:] = 1.0

    def _init_beta(self, _, arr):
        arr[:] = 0.0

    def _init_weight(self, name, arr):
        """Abstract method to initialize a weight."""
        raise NotImplementedError("Must override it")

    def _init_quantized_weight(self, _, arr):
        # NOTE: MXNet draws ONE int in [-127, 127) and broadcasts it; kept as is.
        arr[:] = random.randint(-127, 127, dtype='int32').asnumpy()

    def _init_default(self, name, _):
        raise ValueError(
            'Unknown initialization pattern for %s. '
            'Default initialization is now limited to '
            '"weight", "bias", "gamma" (1.0), and "beta" (0.0).'
            'Please use mx.sym.Variable(init=mx.init.*) to set initialization pattern' % name)

    def __eq__(self, other):
        if not isinstance(other, Initializer):
            return NotImplemented
        return type(self) is type(other) and self._kwargs == other._kwargs

    __hash__ = object.__hash__


def bilinear_kernel(shape):
    """Float32 NumPy array of ``shape`` (N, C, H, W) holding a bilinear upsampling kernel."""
    f = np.ceil(shape[3] / 2.)
    c = (2 * f - 1 - f % 2) / (2. * f)
    x = np.arange(shape[3])
    y = np.arange(shape[2])
    kernel = np.outer(1 - np.abs(y / f - c), 1 - np.abs(x / f - c)).astype('float32')
    return np.broadcast_to(kernel, shape)


# --- registry: lower-case name -> Initializer subclass ---------------------------------
_REGISTRY = {}


def register(klass, name=None):
    """Register an Initializer subclass under ``name`` (default: its class name), case
    insensitive, so ``create(name)`` and ``Variable(init=name)`` find it.

    Examples
    --------
    >>> @mx.init.register
    ... class Twos(mx.init.Initializer):
    ...     def _init_weight(self, _, arr):
    ...         arr[:] = 2
    >>> type(mx.init.create('twos')).__name__
    'Twos'
    """
    if not (isinstance(klass, type) and issubclass(klass, Initializer)):
        raise TypeError(f"Can only register subclass of Initializer, got {klass!r}")
    name = (klass.__name__ if name is None else name).lower()
    if name in _REGISTRY:
        old = _REGISTRY[name]
        warnings.warn(
            "\033[91mNew initializer %s.%s registered with name %s is"
            "overriding existing initializer %s.%s\033[0m" % (
                klass.__module__, klass.__name__, name, old.__module__, old.__name__),
            UserWarning, stacklevel=2)
    _REGISTRY[name] = klass
    return klass


def alias(*aliases):
    """Class decorator registering extra names for an Initializer subclass."""
    def reg(klass):
        for name in aliases:
            register(klass, name)
        return klass
    return reg


def create(*args, **kwargs):
    """Create an initializer from a name, a JSON string ``'[name, kwargs]'`` or
    ``'{"initializer": name, ...}'``, a dict, or return an Initializer instance as is.

    Examples
    --------
    >>> mx.init.create('normal', sigma=0.5).sigma
    0.5
    >>> mx.init.create('["xavier", {"magnitude": 2}]').magnitude
    2.0
    """
    if args:
        name, args = args[0], args[1:]
    else:
        name = kwargs.pop('initializer')
    if isinstance(name, Initializer):
        if args or kwargs:
            raise ValueError("initializer is already an instance. Additional arguments are "
                             "invalid")
        return name
    if isinstance(name, dict):
        return create(**name)
    if not isinstance(name, string_types):
        raise TypeError(f"initializer must be of string type, got {type(name).__name__}")
    if name.startswith('[') or name.startswith('{'):
        if args or kwargs:
            raise ValueError("a JSON initializer takes no additional arguments")
        spec = json.loads(name)
        return create(spec[0], **spec[1]) if name.startswith('[') else create(**spec)
    klass = _REGISTRY.get(name.lower())
    if klass is None:
        raise ValueError(f"{name.lower()} is not registered. Please register with "
                         f"initializer.register first")
    return klass(*args, **kwargs)


class Load(object):
    """Initialize variables by loading data from a file or a dict of NDArrays.

    Names starting with ``arg:`` or ``aux:`` are matched without that prefix.

    Parameters
    ----------
    param : str or dict of str -> NDArray
        Parameter file or dict mapping name to NDArray.
    default_init : Initializer
        Default initializer when a name is not found in ``param``.
    verbose : bool
        Log the source of each initialization.
    """

    def __init__(self, param, default_init=None, verbose=False):
        if isinstance(param, str):
            param = nd.load(param)
        if not isinstance(param, dict):
            raise TypeError(f"Load: param must be a file name or a dict of NDArrays, got "
                            f"{type(param).__name__}")
        self.param = {}
        for name, arr in param.items():
            if name.startswith('arg:') or name.startswith('aux:'):
                name = name[4:]
            self.param[name] = arr
        self.default_init = default_init
        self.verbose = verbose

    def __call__(self, name, arr):
        if name in self.param:
            if arr.shape != self.param[name].shape:
                raise ValueError(f"Parameter {name} cannot be initialized from loading. "
                                 f"Shape mismatch, target {arr.shape} vs loaded "
                                 f"{self.param[name].shape}")
            arr[:] = self.param[name]
            if self.verbose:
                logging.info('Initialized %s by loading', name)
            return
        if self.default_init is None:
            raise ValueError(f"Cannot Initialize {name}. Not found in loaded param and no "
                             f"default Initializer is provided.")
        self.default_init(name, arr)
        if self.verbose:
            logging.info('Initialized %s by default', name)


class Mixed(object):
    """Initialize parameters with the first initializer whose regular expression
    matches the name (``re.match``).

    Parameters
    ----------
    patterns : list of str
        Regular expressions matching parameter names.
    initializers : list of Initializer
        The initializer of each pattern.

    Examples
    --------
    >>> init = mx.init.Mixed(['bias', '.*'], [mx.init.Zero(), mx.init.One()])
    >>> b = mx.nd.ones((2,))
    >>> init(mx.init.InitDesc('bias'), b)
    >>> b.asnumpy()
    array([0., 0.], dtype=float32)
    """

    def __init__(self, patterns, initializers):
        if len(patterns) != len(initializers):
            raise ValueError(f"Mixed: {len(patterns)} patterns but {len(initializers)} "
                             f"initializers")
        self.map = list(zip([re.compile(p) for p in patterns], initializers))

    def __call__(self, name, arr):
        for prog, init in self.map:
            if prog.match(name):
                init(name, arr)
                return
        raise ValueError(f'Parameter name {name} did not match any pattern. Consider '
                         f'add a ".*" pattern at the and with default Initializer.')
