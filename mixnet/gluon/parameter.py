"""Gluon ``Parameter`` (one array per device plus its gradient), ``Constant`` and MXNet 1.x's
``ParameterDict`` (a prefix-named, shareable ordered dict of Parameters).

Layer 11: imports ndarray, symbol, autograd, initializer and below.
"""
import warnings
from collections import OrderedDict

import numpy as np

from .. import autograd, initializer
from .. import ndarray as nd
from .. import symbol
from ..base import MXNetError
from ..context import Context, cpu, current_context
from ..util import is_np_shape
from .utils import _brief_print_list, _indent, shape_is_known as _shape_is_known

__all__ = ["DeferredInitializationError", "Parameter", "Constant", "ParameterDict",
           "tensor_types"]

tensor_types = (symbol.Symbol, nd.NDArray)

_STYPES = ("default", "row_sparse", "csr")
_GRAD_REQS = ("write", "add", "null")


class DeferredInitializationError(MXNetError):
    """Error for unfinished deferred initialization."""


def _require(cond, message):
    # NOTE: MXNet reports these Gluon misuse errors as AssertionError (and its tests
    # check for that type); raised explicitly so that ``python -O`` keeps the checks.
    if not cond:
        raise AssertionError(message)


def _as_ctx_list(ctx):
    if ctx is None:
        return [current_context()]
    if isinstance(ctx, Context):
        return [ctx]
    return list(ctx)


def _dtype_or_none(dtype):
    return None if dtype is None else np.dtype(dtype)


class Parameter:
    """A container of a Block's weight: one NDArray per device and its gradient.

    Parameters
    ----------
    name : str
        Name of this parameter.
    grad_req : {'write', 'add', 'null'}, default 'write'
        How gradients are written: overwritten, accumulated, or not computed at all.
    shape : int or tuple of int, default None
        Shape; a 0 dimension is unknown until the first forward (deferred initialization).
    dtype : numpy.dtype or str, default 'float32'
    lr_mult, wd_mult : float, default 1.0
        Learning-rate and weight-decay multipliers used by optimizers.
    init : Initializer, default None
        This parameter's initializer (the global one passed to ``initialize`` otherwise).
    allow_deferred_init : bool, default False
        Whether ``initialize`` may wait for the shape to be known.
    differentiable : bool, default True
        False forces ``grad_req='null'``.
    stype, grad_stype : {'default', 'row_sparse', 'csr'}
        Storage types of the data and the gradient.

    Examples
    --------
    >>> w = mx.gluon.Parameter('fc_weight', shape=(2, 3), init=mx.init.One())
    >>> w.initialize(ctx=mx.cpu())
    >>> w.data().asnumpy()
    array([[1., 1., 1.],
           [1., 1., 1.]], dtype=float32)
    """

    def __init__(self, name, grad_req="write", shape=None, dtype=np.float32,
                 lr_mult=1.0, wd_mult=1.0, init=None, allow_deferred_init=False,
                 differentiable=True, stype="default", grad_stype="default"):
        self._var = None
        self._data = None
        self._grad = None
        self._ctx_list = None
        self._trainer = None
        self._deferred_init = ()
        self._differentiable = differentiable
        self._allow_deferred_init = allow_deferred_init
        self._grad_req = None
        if isinstance(shape, int):
            shape = (shape,)
        self._shape = None if shape is None else tuple(shape)
        self.name = name
        self._dtype = _dtype_or_none(dtype)
        self.lr_mult = lr_mult
        self.wd_mult = wd_mult
        self.grad_req = grad_req
        self.init = init
        _require(grad_stype in _STYPES, f"grad_stype for Parameter '{name}' must be one of "
                 f"'default', 'row_sparse', or 'csr', but got '{grad_stype}'")
        _require(stype in _STYPES, f"stype for Parameter '{name}' must be one of "
                 f"'default', 'row_sparse', or 'csr', but got '{stype}'")
        self._grad_stype = grad_stype
        self._stype = stype

    def __repr__(self):
        return f"Parameter {self.name} (shape={self.shape}, dtype={self.dtype})"

    # --- attributes ----------------------------------------------------------------
    @property
    def grad_req(self):
        return self._grad_req

    @grad_req.setter
    def grad_req(self, req):
        _require(req in _GRAD_REQS,
                 f"grad_req must be one of 'write', 'add', or 'null', but got '{req}'")
        if not self._differentiable:
            req = "null"
        if self._grad_req == req:
            return
        self._grad_req = req
        if req == "null" and self._grad is not None:
            self._grad = None
            self._data = [arr.detach() for arr in self._data]
        elif self._data is not None:
            self._init_grad()

    @property
    def dtype(self):
        """The data type; setting it casts the data (``cast``)."""
        return self._dtype

    @dtype.setter
    def dtype(self, dtype):
        self.cast(dtype)

    @property
    def stype(self):
        return self._stype

    @property
    def shape(self):
        """The shape; unknown dimensions are 0 (-1 under ``np_shape``)."""
        if self._shape is None:
            return None
        if is_np_shape():
            return tuple(d if d != 0 else -1 for d in self._shape)
        return self._shape

    @shape.setter
    def shape(self, new_shape):
        new_shape = None if new_shape is None else tuple(new_shape)
        if self._shape is None or new_shape is None:
            self._shape = new_shape
            return
        _require(len(self._shape) == len(new_shape) and
                 all(j in (-1, 0, i) for i, j in zip(new_shape, self._shape)),
                 f"Expected shape {new_shape} is incompatible with given shape {self._shape}.")
        self._shape = new_shape

    def _set_trainer(self, trainer):
        """Set the Trainer that updates this parameter (one per sparse parameter)."""
        if self._stype != "default" and self._trainer and trainer and \
                self._trainer is not trainer:
            raise RuntimeError(
                f"Failed to set the trainer for Parameter '{self.name}' because it was "
                f"already set. More than one trainers for a {self._stype} Parameter is not "
                "supported.")
        self._trainer = trainer

    # --- per-device lookup ---------------------------------------------------------------
    def _check_and_get(self, arr_list, ctx):
        if arr_list is not None:
            if ctx is list:
                return arr_list
            if ctx is None:
                if len(arr_list) == 1:
                    return arr_list[0]
                ctx = current_context()
            for c, arr in zip(self._ctx_list, arr_list):
                if c == ctx:
                    return arr
            raise RuntimeError(f"Parameter '{self.name}' was not initialized on context "
                               f"{ctx}. It was only initialized on {self._ctx_list}.")
        if self._deferred_init:
            raise DeferredInitializationError(
                f"Parameter '{self.name}' has not been initialized yet because initialization "
                "was deferred. Actual initialization happens during the first forward pass. "
                "Please pass one batch of data through the network before accessing "
                "Parameters. You can also avoid deferred initialization by specifying "
                "in_units, num_features, etc., for network layers.")
        raise RuntimeError(
            f"Parameter '{self.name}' has not been initialized. Note that you should "
            "initialize parameters and create Trainer with Block.collect_params() instead "
            "of Block.params because the later does not include Parameters of nested child "
            "Blocks")

    def _check_dense(self, what, alternative):
        if self._stype != "default":
            raise RuntimeError(f"Cannot return {what} of Parameter '{self.name}' because its "
                               f"storage type is {self._stype}. Please use {alternative}() "
                               "instead.")

    def data(self, ctx=None):
        """This parameter's array on ``ctx`` (the only one when there is one device)."""
        self._check_dense("a copy", "row_sparse_data")
        return self._check_and_get(self._data, ctx)

    def list_data(self):
        """The arrays on all devices, in initialization order."""
        self._check_dense("copies", "row_sparse_data")
        return self._check_and_get(self._data, list)

    def row_sparse_data(self, row_id):
        """The rows ``row_id`` of a 'row_sparse' parameter, on ``row_id``'s context."""
        if self._stype != "row_sparse":
            raise RuntimeError(f"Cannot return a copy of Parameter {self.name} via "
                               f"row_sparse_data() because its storage type is {self._stype}. "
                               "Please use data() instead.")
        return self._get_row_sparse(row_id.context, row_id)

    def list_row_sparse_data(self, row_id):
        """``row_sparse_data`` on every device."""
        if self._stype != "row_sparse":
            raise RuntimeError(f"Cannot return copies of Parameter '{self.name}' on all "
                               "contexts via list_row_sparse_data() because its storage type "
                               f"is {self._stype}. Please use data() instead.")
        return self._get_row_sparse(list, row_id)

    def _get_row_sparse(self, ctx, row_id):
        # NOTE: mixnet stores 'row_sparse' parameters densely: every row is returned.
        if not isinstance(row_id, nd.NDArray):
            raise TypeError(f"row_id must have NDArray type, but {type(row_id)} is given")
        if not self._trainer:
            raise RuntimeError(f"Cannot get row_sparse data for Parameter '{self.name}' when "
                               "no Trainer is created with it.")
        return self._check_and_get(self._data, ctx)

    def grad(self, ctx=None):
        """The gradient buffer on ``ctx``."""
        if self._data is not None and self._grad is None:
            raise RuntimeError(f"Cannot get gradient array for Parameter '{self.name}' "
                               "because grad_req='null'")
        return self._check_and_get(self._grad, ctx)

    def list_grad(self):
        """The gradient buffers on all devices."""
        if self._data is not None and self._grad is None:
            raise RuntimeError(f"Cannot get gradient array for Parameter '{self.name}' "
                               "because grad_req='null'")
        return self._check_and_get(self._grad, list)

    def list_ctx(self):
        """The devices this parameter lives on (or will, once deferred init finishes)."""
        if self._data is None:
            if self._deferred_init:
                return self._deferred_init[1]
            raise RuntimeError(f"Parameter '{self.name}' has not been initialized")
        return self._ctx_list

    # --- initialization ------------------------------------------------------------------
    def initialize(self, init=None, ctx=None, default_init=initializer.Uniform(),
                   force_reinit=False):
        """Create the data (and gradient) arrays on ``ctx`` (a Context or a list).

        ``init`` overrides ``self.init``, which overrides ``default_init``. With an unknown
        shape and ``allow_deferred_init``, creation waits for the first forward pass.
        """
        if self._data is not None and not force_reinit:
            warnings.warn(f"Parameter '{self.name}' is already initialized, ignoring. "
                          "Set force_reinit=True to re-initialize.", stacklevel=2)
            return
        self._data = self._grad = None
        ctx = _as_ctx_list(ctx)
        if init is None:
            init = default_init if self.init is None else self.init
        self._deferred_init = (init, ctx, default_init, None)
        if not _shape_is_known(self.shape):
            if self._allow_deferred_init:
                return
            self._deferred_init = ()
            raise ValueError(f"Cannot initialize Parameter '{self.name}' because it has "
                             f"invalid shape: {self.shape}.")
        self._finish_deferred_init()

    def _finish_deferred_init(self):
        """Create the arrays now that the shape is known."""
        if not self._deferred_init:
            return
        init, ctx, default_init, data = self._deferred_init
        self._deferred_init = ()
        _require(_shape_is_known(self.shape),
                 f"Cannot initialize Parameter '{self.name}' because it has invalid shape: "
                 f"{self.shape}. Please specify in_units, in_channels, etc for `Block`s.")
        with autograd.pause():
            if data is None:
                data = nd.zeros(self.shape, dtype=self.dtype, ctx=cpu())
                initializer.create(default_init)(
                    initializer.InitDesc(self.name, {"__init__": init}), data)
            self._init_impl(data, ctx)

    def _init_impl(self, data, ctx_list):
        self._ctx_list = list(ctx_list)
        self._data = [data.copyto(c) for c in self._ctx_list]
        self._init_grad()

    def _init_grad(self):
        if self.grad_req == "null":
            self._grad = None
            return
        self._grad = [nd.zeros(arr.shape, dtype=arr.dtype, ctx=arr.context)
                      for arr in self._data]
        autograd.mark_variables(self._data, self._grad, self.grad_req)

    def _load_init(self, data, ctx, cast_dtype=False, dtype_source="current"):
        """(Re)initialize from a loaded array ``data``."""
        if cast_dtype:
            _require(dtype_source in ("current", "saved"),
                     f"dtype_source must be 'current' or 'saved', got {dtype_source!r}")
        if self.shape:
            unknown = -1 if is_np_shape() else 0
            _require(len(self.shape) == len(data.shape) and
                     all(s in (unknown, d) for s, d in zip(self.shape, data.shape)),
                     f"Failed loading Parameter '{self.name}' from saved params: shape "
                     f"incompatible expected {self.shape} vs saved {data.shape}")
            self.shape = tuple(d if s == unknown else s for s, d in zip(self.shape, data.shape))
        if self.dtype is not None:
            if cast_dtype and self.dtype != data.dtype:
                if dtype_source == "current":
                    data = data.astype(self.dtype, copy=False)
                else:
                    self.dtype = data.dtype
            else:
                _require(self.dtype == data.dtype,
                         f"Failed loading Parameter '{self.name}' from saved params: dtype "
                         f"incompatible expected {self.dtype} vs saved {data.dtype}. Set "
                         "cast_dtype=True to cast the dtype of saved params.")
        ctx = [ctx] if isinstance(ctx, Context) else ctx
        if self._data is None:
            if self._deferred_init:
                _require(ctx is None or set(ctx) == set(self._deferred_init[1]),
                         f"Failed to load Parameter '{self.name}' on {ctx} because it was "
                         f"previous initialized on {self.list_ctx()}.")
                ctx = self._deferred_init[1]
            elif ctx is None:
                ctx = [cpu()]
            self._init_impl(data, ctx)
        else:
            _require(ctx is None or set(ctx) == set(self.list_ctx()),
                     f"Failed to load Parameter '{self.name}' on {ctx} because it was "
                     f"previous initialized on {self.list_ctx()}.")
            self.set_data(data)
        self._deferred_init = ()

    # --- updates -----------------------------------------------------------------------
    def _reduce(self):
        """The mean over devices, on cpu (what gets saved)."""
        arrays = self.list_data() if self._stype == "default" else self._data
        if len(arrays) == 1:
            return arrays[0].copyto(cpu())
        return nd.add_n(*[a.copyto(cpu()) for a in arrays]) / len(arrays)

    def reset_ctx(self, ctx):
        """Move the parameter to other device(s)."""
        ctx = _as_ctx_list(ctx)
        if self._data:
            data = self._reduce()
            with autograd.pause():
                self._init_impl(data, ctx)
        elif self._deferred_init:
            init, _, default_init, data = self._deferred_init
            self._deferred_init = (init, ctx, default_init, data)
        else:
            raise ValueError(f"Cannot reset context for Parameter '{self.name}' because it "
                             "has not been initialized.")

    def set_data(self, data):
        """Set the value on every device."""
        self.shape = data.shape
        if self._data is None:
            _require(self._deferred_init, f"Parameter '{self.name}' has not been initialized")
            self._deferred_init = self._deferred_init[:3] + (data,)
            return
        trainer = self._trainer
        if trainer is not None and getattr(trainer, "_kv_initialized", False) and \
                getattr(trainer, "_update_on_kvstore", False):
            if self not in trainer._params_to_init:
                trainer._reset_kvstore()
        for arr in self._data:
            arr[:] = data

    def zero_grad(self):
        """Set the gradient buffers to 0 (nothing when there are none)."""
        if self._grad is None:
            return
        for g in self._grad:
            g[:] = 0

    def var(self):
        """A Symbol variable standing for this parameter (cached)."""
        if self._var is None:
            # NOTE: the graph passes read 0 as an unknown dim in both shape modes
            self._var = symbol.var(self.name, shape=self._shape, dtype=self.dtype,
                                   lr_mult=self.lr_mult, wd_mult=self.wd_mult,
                                   init=self.init, stype=self._stype)
        return self._var

    def cast(self, dtype):
        """Cast the data and gradient to ``dtype``."""
        self._dtype = _dtype_or_none(dtype)
        self._var = None
        if self._data is None:
            return
        with autograd.pause():
            self._data = [arr.astype(dtype) for arr in self._data]
            if self._grad is None:
                return
            self._grad = [g.astype(dtype) for g in self._grad]
            autograd.mark_variables(self._data, self._grad, self.grad_req)


class _ValueInit(initializer.Initializer):
    """Fills an array with a fixed value (a Constant's initializer)."""

    def __init__(self, value):
        super().__init__()
        self._value = value

    def _init_weight(self, _, arr):
        self._value.copyto(arr)

    def dumps(self):
        # the value is not serializable: Constant values travel in .params files
        return '["zero", {}]'


class Constant(Parameter):
    """A parameter that autograd and Trainer leave alone (``grad_req='null'``).

    Examples
    --------
    >>> c = mx.gluon.Constant('const', [[1, 2], [3, 4]])
    >>> c.initialize()
    >>> c.data().asnumpy().tolist()
    [[1.0, 2.0], [3.0, 4.0]]
    """

    def __init__(self, name, value):
        if not isinstance(value, nd.NDArray):
            value = nd.array(value)
        self.value = value
        super().__init__(name, grad_req="null", shape=value.shape, dtype=value.dtype,
                         init=_ValueInit(value))

    def __repr__(self):
        return f"Constant {self.name} (shape={self.shape}, dtype={self.dtype})"

    @property
    def grad_req(self):
        return "null"

    @grad_req.setter
    def grad_req(self, req):
        if req != "null":
            warnings.warn(f'Constant parameter "{self.name}" does not support grad_req other '
                          f'than "null", and new value "{req}" is ignored.')
        self._grad_req = "null"


class ParameterDict:
    """An ordered dict of Parameters whose ``get`` prepends ``prefix`` to names.

    ``shared``: another ParameterDict that ``get`` looks in first (parameter sharing).

    Examples
    --------
    >>> params = mx.gluon.ParameterDict('net_')
    >>> params.get('w', shape=(2, 2)).name
    'net_w'
    """

    def __init__(self, prefix="", shared=None):
        self._prefix = prefix
        self._params = OrderedDict()
        self._shared = shared

    def __repr__(self):
        name = self._prefix + " " if self._prefix else ""
        content = "\n".join(_indent(f"  {v}", 2) for v in self.values())
        return f"{name}(\n{content}\n)"

    def __getitem__(self, key):
        return self._params[key]

    def __iter__(self):
        return iter(self._params)

    def __len__(self):
        return len(self._params)

    def __contains__(self, key):
        return key in self._params

    def items(self):
        return self._params.items()

    def keys(self):
        return self._params.keys()

    def values(self):
        return self._params.values()

    @property
    def prefix(self):
        """Prepended to the names of Parameters created by ``get``."""
        return self._prefix

    def _get_impl(self, name):
        if name in self._params:
            return self._params[name]
        if self._shared is not None and name in self._shared._params:
            self._params[name] = self._shared._params[name]
            return self._params[name]
        return None

    def get(self, name, **kwargs):
        """The Parameter ``prefix + name`` (from here or ``shared``), created with
        ``kwargs`` when missing; an existing one must agree with ``kwargs``."""
        name = self.prefix + name
        param = self._get_impl(name)
        if param is None:
            param = Parameter(name, **kwargs)
            self._params[name] = param
            return param
        for key, value in kwargs.items():
            existing = getattr(param, key, None)
            if existing is None:
                setattr(param, key, value)
            elif not _merge_attr(param, key, value, existing):
                _require(value is None or value == existing,
                         f"Cannot retrieve Parameter '{name}' because desired attribute does "
                         f"not match with stored for attribute '{key}': desired '{value}' vs "
                         f"stored '{existing}'.")
        return param

    def get_constant(self, name, value=None):
        """The Constant ``prefix + name``, created from ``value`` when missing."""
        name = self.prefix + name
        param = self._get_impl(name)
        if param is None:
            if value is None:
                raise KeyError(f"No constant named '{name}'. Please specify value if you want "
                               "to create a new constant.")
            param = Constant(name, value)
            self._params[name] = param
        elif value is not None:
            _require(isinstance(param, Constant),
                     f"Parameter '{name}' already exists but it is not a constant.")
            value = value.asnumpy() if isinstance(value, nd.NDArray) else np.asarray(value)
            _require(param.shape == value.shape and (param.value.asnumpy() == value).all(),
                     f"Constant '{name}' already exists but it's value doesn't match new "
                     "value")
        return param

    def update(self, other):
        """Copy all Parameters of ``other`` (a dict-like of name -> Parameter) into self."""
        for key, value in other.items():
            _require(key not in self._params or self._params[key] is value,
                     "Cannot update self with other because they have different Parameters "
                     f"with the same name '{key}'")
        for key, value in other.items():
            self._params[key] = value

    def initialize(self, init=initializer.Uniform(), ctx=None, verbose=False,
                   force_reinit=False):
        """Initialize every Parameter (``init`` is the default for those without one)."""
        if verbose:
            init.set_verbosity(verbose=verbose)
        for param in self.values():
            param.initialize(None, ctx, init, force_reinit=force_reinit)

    def zero_grad(self):
        """Set every gradient buffer to 0."""
        for param in self.values():
            param.zero_grad()

    def reset_ctx(self, ctx):
        """Move every Parameter to other device(s)."""
        for param in self.values():
            param.reset_ctx(ctx)

    def list_ctx(self):
        """All devices the Parameters live on."""
        ctxs = []
        for param in self.values():
            ctxs.extend(c for c in param.list_ctx() if c not in ctxs)
        return ctxs

    def setattr(self, name, value):
        """Set attribute ``name`` (e.g. 'grad_req', 'lr_mult') on every Parameter."""
        for param in self.values():
            setattr(param, name, value)

    def save(self, filename, strip_prefix=""):
        """Save the values (MXNet .params format), names without ``strip_prefix``."""
        arg_dict = {}
        for param in self.values():
            if not param.name.startswith(strip_prefix):
                raise ValueError(
                    f"Prefix '{strip_prefix}' is to be striped before saving, but Parameter's "
                    f"name '{param.name}' does not start with '{strip_prefix}'. this may be "
                    "due to your Block shares parameters from other Blocks or you forgot to "
                    "use 'with name_scope()' when creating child blocks.")
            arg_dict[param.name[len(strip_prefix):]] = param._reduce()
        nd.save(filename, arg_dict)

    def load(self, filename, ctx=None, allow_missing=False, ignore_extra=False,
             restore_prefix="", cast_dtype=False, dtype_source="current"):
        """Load values saved by ``save`` (or ``mx.nd.save``/``Module``: 'arg:'/'aux:' keys)."""
        if restore_prefix:
            for name in self.keys():
                _require(name.startswith(restore_prefix),
                         f"restore_prefix is '{restore_prefix}' but Parameters name '{name}' "
                         f"does not start with '{restore_prefix}'.")
        self.load_dict(nd.load(filename), ctx, allow_missing, ignore_extra, restore_prefix,
                       filename, cast_dtype, dtype_source)

    def load_dict(self, param_dict, ctx=None, allow_missing=False, ignore_extra=False,
                  restore_prefix="", filename=None, cast_dtype=False,
                  dtype_source="current"):
        """Load from a dict of name -> NDArray (keys may carry 'arg:'/'aux:')."""
        items = param_dict.items() if isinstance(param_dict, dict) else param_dict
        arg_dict = {restore_prefix + (k[4:] if k.startswith(("arg:", "aux:")) else k): v
                    for k, v in items}
        source = f"file: {filename}" if filename else "param_dict"
        if not allow_missing:
            for name in self.keys():
                _require(name in arg_dict,
                         f"Parameter '{name[len(restore_prefix):]}' is missing in {source}, "
                         f"which contains parameters: {_brief_print_list(arg_dict.keys())}. "
                         "Please make sure source and target networks have the same prefix.")
        for name, value in arg_dict.items():
            if name not in self._params:
                _require(ignore_extra,
                         f"Parameter '{name[len(restore_prefix):]}' loaded from {source} is "
                         "not present in ParameterDict, choices are: "
                         f"{_brief_print_list(self._params.keys())}. Set ignore_extra to True "
                         "to ignore. Please make sure source and target networks have the "
                         "same prefix.")
                continue
            self[name]._load_init(value, ctx, cast_dtype=cast_dtype, dtype_source=dtype_source)


def _merge_attr(param, key, value, existing):
    """Merge a compatible ``shape`` (unknown dims filled) or equal ``dtype``; True if done."""
    if key == "shape" and value is not None and len(value) == len(existing):
        merged = []
        for new, old in zip(value, existing):
            if new != old and new > 0 and old > 0:
                return False
            merged.append(old if new in (0, -1) else new)
        param._shape = tuple(merged)
        return True
    if key == "dtype" and value is not None and np.dtype(value) == np.dtype(existing):
        return True
    return False
