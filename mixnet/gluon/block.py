"""Gluon blocks: ``Block`` (children and Parameters registered on attribute assignment),
``HybridBlock`` (``hybrid_forward(F, ...)`` run on NDArrays, or traced into a Symbol and
cached by ``hybridize``) and ``SymbolBlock`` (a Block made from a Symbol).

MXNet 1.x naming (``prefix``, ``name_scope``, ``ParameterDict``) is kept for .params and
symbol-JSON compatibility: ``_BlockScope`` gives each block a unique prefix.

Layer 11: imports ndarray, symbol, autograd, initializer, name and below.
"""
import re
import threading
import warnings
from collections import OrderedDict

import numpy as np

from .. import initializer
from .. import ndarray as nd
from .. import symbol
from ..base import MXNetError
from ..name import NameManager, Prefix
from ..ndarray import NDArray
from ..symbol import Symbol
from ._hybrid import CachedGraph, flatten, gather_type_ctx_info, regroup
from .parameter import DeferredInitializationError, Parameter, ParameterDict, \
    _brief_print_list, _indent, _require
from .utils import HookHandle

__all__ = ["Block", "HybridBlock", "SymbolBlock"]


class _BlockScope:
    """The scope of ``Block.name_scope()``: names children ``<hint><n>_`` (thread-local)."""

    _current = threading.local()

    def __init__(self, block):
        self._block = block
        self._counter = {}
        self._old_scope = None
        self._name_scope = None

    @staticmethod
    def create(prefix, params, hint):
        """The (prefix, ParameterDict) of a new Block created in the current scope."""
        current = getattr(_BlockScope._current, "value", None)
        if current is None:
            if prefix is None:
                prefix = NameManager.current.get(None, hint) + "_"
            params = ParameterDict(prefix) if params is None else \
                ParameterDict(params.prefix, params)
            return prefix, params
        if prefix is None:
            count = current._counter.get(hint, 0)
            prefix = f"{hint}{count}_"
            current._counter[hint] = count + 1
        if params is None:
            parent = current._block.params
            params = ParameterDict(parent.prefix + prefix, parent._shared)
        else:
            params = ParameterDict(params.prefix, params)
        return current._block.prefix + prefix, params

    def __enter__(self):
        if self._block._empty_prefix:
            return self
        self._old_scope = getattr(_BlockScope._current, "value", None)
        _BlockScope._current.value = self
        self._name_scope = Prefix(self._block.prefix)
        self._name_scope.__enter__()
        return self

    def __exit__(self, *exc):
        if self._block._empty_prefix:
            return
        self._name_scope.__exit__(*exc)
        self._name_scope = None
        _BlockScope._current.value = self._old_scope


def _has_unregistered_block(data, children):
    if isinstance(data, (list, tuple)):
        return any(_has_unregistered_block(x, children) for x in data)
    if isinstance(data, dict):
        return any(_has_unregistered_block(x, children) for x in data.values())
    if isinstance(data, Block):
        return not any(data is c for c in children)
    return False


class Block:
    """Base class of all layers and models.

    Blocks and Parameters assigned as attributes are registered, so that
    ``collect_params`` finds them recursively.

    Parameters
    ----------
    prefix : str
        Prefix of the names of this block's Parameters and child blocks
        (default: ``<classname><n>_``).
    params : ParameterDict or None
        Parameters to share (e.g. ``other.collect_params()``).

    Examples
    --------
    >>> class Model(mx.gluon.Block):
    ...     def __init__(self, **kwargs):
    ...         super().__init__(**kwargs)
    ...         with self.name_scope():
    ...             self.dense = mx.gluon.nn.Dense(2, in_units=3)
    ...     def forward(self, x):
    ...         return self.dense(x)
    >>> model = Model(prefix='model_')
    >>> list(model.collect_params().keys())
    ['model_dense0_weight', 'model_dense0_bias']
    """

    def __init__(self, prefix=None, params=None):
        self._empty_prefix = prefix == ""
        self._prefix, self._params = _BlockScope.create(prefix, params, self._alias())
        self._name = self._prefix[:-1] if self._prefix.endswith("_") else self._prefix
        self._scope = _BlockScope(self)
        self._children = OrderedDict()
        self._reg_params = {}
        self._forward_hooks = OrderedDict()
        self._forward_pre_hooks = OrderedDict()

    def __repr__(self):
        modstr = "\n".join(f"  ({key}): {_indent(repr(block), 2)}"
                           for key, block in self.__dict__.items() if isinstance(block, Block))
        return f"{self.__class__.__name__}(\n{modstr}\n)"

    def __setattr__(self, name, value):
        """Register Blocks and Parameters assigned as attributes."""
        if hasattr(self, name):
            existing = getattr(self, name)
            if isinstance(existing, (Parameter, Block)) and not isinstance(value, type(existing)):
                raise TypeError(f"Changing attribute type for {name} from {type(existing)} to "
                                f"{type(value)} is not allowed.")
        if isinstance(value, Block):
            self.register_child(value, name)
        elif isinstance(value, Parameter):
            _require(name not in self._reg_params,
                     f"Overriding Parameter attribute {name} is not allowed. If you want to "
                     "share parameters between blocks, please set 'params' at Block "
                     "construction instead.")
            self._reg_params[name] = value
        super().__setattr__(name, value)

    def _check_container_with_block(self):
        children = list(self._children.values())
        for key, value in self.__dict__.items():
            if isinstance(value, (list, tuple, dict)) and \
                    not (key.startswith("__") or key == "_children"):
                if _has_unregistered_block(value, children):
                    warnings.warn(f'"{self.__class__.__name__}.{key}" is an unregistered '
                                  "container with Blocks. Note that Blocks inside the list, "
                                  "tuple or dict will not be registered automatically. Make "
                                  "sure to register them using register_child() or switching "
                                  "to nn.Sequential/nn.HybridSequential instead. ",
                                  stacklevel=3)

    def _alias(self):
        return self.__class__.__name__.lower()

    @property
    def prefix(self):
        """Prefix of this block's names (ends with '_')."""
        return self._prefix

    @property
    def name(self):
        """The prefix without its trailing '_'."""
        return self._name

    def name_scope(self):
        """A scope in which child blocks get names prefixed with this block's prefix."""
        return self._scope

    @property
    def params(self):
        """This block's own ParameterDict (without its children's)."""
        return self._params

    def collect_params(self, select=None):
        """A ParameterDict of this block's and all descendants' Parameters.

        ``select``: a regular expression; only matching names are kept.
        """
        self._check_container_with_block()
        ret = ParameterDict(self._params.prefix)
        if not select:
            ret.update(self.params)
        else:
            pattern = re.compile(select)
            ret.update({k: v for k, v in self.params.items() if pattern.match(k)})
        for child in self._children.values():
            ret.update(child.collect_params(select=select))
        return ret

    def _collect_params_with_prefix(self, prefix=""):
        if prefix:
            prefix += "."
        ret = {prefix + key: val for key, val in self._reg_params.items()}
        for name, child in self._children.items():
            ret.update(child._collect_params_with_prefix(prefix + name))
        return ret

    # --- saving and loading -------------------------------------------------------------
    def save_parameters(self, filename, deduplicate=False):
        """Save parameters under structural names ('dense0.weight'), MXNet's format."""
        params = self._collect_params_with_prefix()
        if deduplicate:
            first_name = {}
            for key, param in params.items():
                first_name.setdefault(id(param), key)
            params = {k: p for k, p in params.items() if first_name[id(p)] == k}
        nd.save(filename, {key: param._reduce() for key, param in params.items()})

    def save_params(self, filename):
        """[Deprecated] Save with full Parameter names (use save_parameters or export)."""
        warnings.warn("save_params is deprecated. Please use save_parameters. Note that if "
                      "you want load from SymbolBlock later, please use export instead.")
        self.collect_params().save(filename, strip_prefix=self.prefix)

    def load_parameters(self, filename, ctx=None, allow_missing=False, ignore_extra=False,
                        cast_dtype=False, dtype_source="current"):
        """Load parameters saved by ``save_parameters`` (or by ``save_params``)."""
        loaded = nd.load(filename)
        params = self._collect_params_with_prefix()
        if not loaded and not params:
            return
        if not any("." in key for key in loaded.keys()):
            # the legacy format of save_params: full names
            self.collect_params().load(filename, ctx, allow_missing, ignore_extra,
                                       self.prefix, cast_dtype=cast_dtype,
                                       dtype_source=dtype_source)
            return
        if not allow_missing:
            names_of = {}
            for key, param in params.items():
                names_of.setdefault(id(param), []).append(key)
            for key, param in params.items():
                _require(any(k in loaded for k in names_of[id(param)]),
                         f"Parameter '{key}' is missing in file '{filename}', which contains "
                         f"parameters: {_brief_print_list(loaded.keys())}. Set "
                         "allow_missing=True to ignore missing parameters.")
        for key, value in loaded.items():
            if key not in params:
                if not ignore_extra:
                    raise ValueError(
                        f"Parameter '{key}' loaded from file '{filename}' is not present in "
                        f"ParameterDict, which contains parameters "
                        f"{_brief_print_list(params.keys())}. Set ignore_extra=True to ignore. ")
                continue
            params[key]._load_init(value, ctx, cast_dtype=cast_dtype, dtype_source=dtype_source)

    def load_params(self, filename, ctx=None, allow_missing=False, ignore_extra=False):
        """[Deprecated] Use load_parameters."""
        warnings.warn("load_params is deprecated. Please use load_parameters.")
        self.load_parameters(filename, ctx, allow_missing, ignore_extra)

    # --- structure ----------------------------------------------------------------------
    def register_child(self, block, name=None):
        """Register ``block`` as a child (done automatically for attributes)."""
        if name is None:
            name = str(len(self._children))
        self._children[name] = block

    def register_forward_pre_hook(self, hook):
        """Call ``hook(block, inputs)`` before each forward; returns a HookHandle."""
        handle = HookHandle()
        handle.attach(self._forward_pre_hooks, hook)
        return handle

    def register_forward_hook(self, hook):
        """Call ``hook(block, inputs, outputs)`` after each forward; returns a HookHandle."""
        handle = HookHandle()
        handle.attach(self._forward_hooks, hook)
        return handle

    def apply(self, fn):
        """Call ``fn(block)`` on every descendant, then on self; returns self."""
        for child in self._children.values():
            child.apply(fn)
        fn(self)
        return self

    def initialize(self, init=initializer.Uniform(), ctx=None, verbose=False,
                   force_reinit=False):
        """Initialize all Parameters (``collect_params().initialize(...)``)."""
        self.collect_params().initialize(init, ctx, verbose, force_reinit)

    def hybridize(self, active=True, **kwargs):
        """Hybridize every HybridBlock below this block (see HybridBlock.hybridize)."""
        for child in self._children.values():
            child.hybridize(active, **kwargs)

    def cast(self, dtype):
        """Cast all Parameters to ``dtype``."""
        for child in self._children.values():
            child.cast(dtype)
        for param in self.params.values():
            param.cast(dtype)

    def register_op_hook(self, callback, monitor_all=False):
        """Install ``callback(name, op_name, array)`` on hybridized descendants."""
        for child in self._children.values():
            child.register_op_hook(callback, monitor_all)

    def __call__(self, *args):
        """Run ``forward`` with the forward hooks."""
        for hook in self._forward_pre_hooks.values():
            hook(self, args)
        out = self.forward(*args)
        for hook in self._forward_hooks.values():
            hook(self, args, out)
        return out

    def forward(self, *args):
        """The computation; override it (positional arguments only)."""
        raise NotImplementedError

    def summary(self, *inputs):
        """Print each block's output shape and parameter count for ``inputs``."""
        _require(not any(getattr(b, "_active", False) for b in _all_blocks(self)),
                 "The summary of a hybridized network is not available: call summary "
                 "before hybridize.")
        rows, handles = [], []

        def hook(block, _, outputs):
            shapes = [o.shape for o in flatten(outputs, "output")[0] if o is not None]
            nparams = sum(int(np.prod(p.shape)) for p in block.params.values() if p.shape)
            rows.append((f"{block.__class__.__name__}-{len(rows) + 1}", shapes, nparams))
        for block in _all_blocks(self):
            handles.append(block.register_forward_hook(hook))
        try:
            self(*inputs)
        finally:
            for handle in handles:
                handle.detach()
        print("-" * 80)
        print(f"{'Layer (type)':>20}{'Output Shape':>42}{'Param #':>15}")
        print("=" * 80)
        for name, shapes, nparams in rows:
            shape = shapes[0] if len(shapes) == 1 else shapes
            print(f"{name:>20}{str(shape):>42}{nparams:>15}")
        total = sum(int(np.prod(p.shape)) for p in self.collect_params().values() if p.shape)
        print("=" * 80)
        print(f"Parameters in forward computation graph, duplicate included\n"
              f"   Total params: {total}")
        print("-" * 80)


def _all_blocks(block):
    out = [block]
    for child in block._children.values():
        out.extend(_all_blocks(child))
    return out


class HybridBlock(Block):
    """A Block whose ``hybrid_forward(F, x, *args, **params)`` works with ``F = mx.nd``
    (NDArray inputs) and ``F = mx.sym`` (Symbol inputs).

    After ``hybridize()``, the first call traces the block into a Symbol, which later
    calls run directly (MXNet's CachedOp); ``export`` saves that Symbol.

    Examples
    --------
    >>> class Scale(mx.gluon.HybridBlock):
    ...     def hybrid_forward(self, F, x):
    ...         return F.broadcast_mul(x, F.ones_like(x)) * 2
    >>> net = Scale()
    >>> net.hybridize()
    >>> net(mx.nd.ones((2,))).asnumpy()
    array([2., 2.], dtype=float32)
    """

    def __init__(self, prefix=None, params=None):
        super().__init__(prefix=prefix, params=params)
        self._cached_graph = ()
        self._cached_op = None
        self._cached_params = []
        self._in_format = None
        self._out_format = None
        self._active = False
        self._flags = []
        self._callback = None
        self._monitor_all = False

    def __setattr__(self, name, value):
        super().__setattr__(name, value)
        if isinstance(value, HybridBlock):
            self._clear_cached_op()

    def register_child(self, block, name=None):
        if not isinstance(block, HybridBlock):
            raise ValueError(f"Children of HybridBlock must also be HybridBlock, but {block} "
                             f"has type {type(block)}. If you are using Sequential, please try "
                             "HybridSequential instead.")
        super().register_child(block, name)
        self._clear_cached_op()

    def _clear_cached_op(self):
        self._cached_graph = ()
        self._cached_op = None
        self._cached_params = []

    def hybridize(self, active=True, backend=None, clear=True, static_alloc=False,
                  static_shape=False, inline_limit=2, forward_bulk_size=None,
                  backward_bulk_size=None, **kwargs):
        """Turn hybrid mode on (or off) for this block and its HybridBlock descendants.

        The memory and bulking flags are accepted for compatibility; mixnet always
        runs the cached graph op by op.
        """
        self._active = active
        self._flags = [("static_alloc", static_alloc), ("static_shape", static_shape),
                       ("inline_limit", inline_limit)]
        if clear:
            self._clear_cached_op()
        if active and (self._forward_hooks or self._forward_pre_hooks):
            warnings.warn(f'"{self}" is being hybridized while still having forward '
                          f'hook/pre-hook. If "{self}" is a child of HybridBlock, the hooks '
                          "will not take effect.")
        super().hybridize(active, static_alloc=static_alloc, static_shape=static_shape,
                          inline_limit=inline_limit, forward_bulk_size=forward_bulk_size,
                          backward_bulk_size=backward_bulk_size)

    def cast(self, dtype):
        self._clear_cached_op()
        super().cast(dtype)

    def register_op_hook(self, callback, monitor_all=False):
        self._callback = callback
        self._monitor_all = monitor_all
        for child in self._children.values():
            child.register_op_hook(callback, monitor_all)
        if self._cached_op is not None:
            self._cached_op.callback, self._cached_op.monitor_all = callback, monitor_all

    # --- tracing ------------------------------------------------------------------------
    def _get_graph(self, *args):
        if not self._cached_graph:
            flat_args, self._in_format = flatten(args, "input")
            real = sum(a is not None for a in flat_args)
            if real == 0:
                raise ValueError("All args are None and we do not support such a case. "
                                 f"Received args={args}")
            inputs, count = [], 0
            for arg in flat_args:
                if arg is None:
                    inputs.append(None)
                    continue
                inputs.append(symbol.var(f"data{count}" if real > 1 else "data"))
                count += 1
            params = {k: v.var() for k, v in self._reg_params.items()}
            with self.name_scope():
                out = self.hybrid_forward(symbol, *regroup(inputs, self._in_format), **params)
            out, self._out_format = flatten(out, "output")
            self._cached_graph = ([s for s in inputs if s is not None], symbol.Group(out))
        return self._cached_graph

    def _build_cache(self, *args):
        inputs, out = self._get_graph(*args)
        by_name = {p.name: p for p in self.collect_params().values()}
        self._cached_params = [by_name[name] for name in out.list_inputs() if name in by_name]
        for p in self._cached_params:
            if p.stype != "default":
                raise RuntimeError(f"Parameter '{p.name}' has storage type {p.stype}: "
                                   "HybridBlock does not support sparse parameters")
        feed = [s.name for s in inputs] + [p.name for p in self._cached_params]
        self._cached_op = CachedGraph(out, feed)
        self._cached_op.callback, self._cached_op.monitor_all = \
            self._callback, self._monitor_all

    def _deferred_infer_shape(self, *args):
        try:
            self.infer_shape(*args)
        except Exception as err:
            raise ValueError("Deferred initialization failed because shape cannot be "
                             f"inferred. {err}") from err

    def _check_format(self, fmt):
        if fmt == self._in_format:
            return
        n, stored = len(fmt), self._in_format
        if len(stored) > n:
            valid = all(f == -1 for f in stored[n:]) and fmt == stored[:n]
        elif len(stored) < n:
            valid = all(f == -1 for f in fmt[len(stored):]) and fmt[:len(stored)] == stored
        else:
            valid = False
        if not valid:
            raise ValueError("The argument structure of HybridBlock does not match the cached "
                             f"version. Stored format = {fmt}, input format = {stored}")

    def _call_cached_op(self, ctx, *args):
        if self._cached_op is None:
            self._build_cache(*args)
        flat, fmt = flatten(args, "input")
        self._check_format(fmt)
        feeds = [a for a in flat if a is not None]
        try:
            params = [p.data(ctx) for p in self._cached_params]
        except DeferredInitializationError:
            self._deferred_infer_shape(*args)
            for p in self._cached_params:
                p._finish_deferred_init()
            params = [p.data(ctx) for p in self._cached_params]
        out = self._cached_op(feeds + params)
        return regroup(out, self._out_format)

    def _infer_attrs(self, infer_fn, attr, *args):
        inputs, out = self._get_graph(*args)
        flat = [a for a in flatten(args, "input")[0] if a is not None]
        known = {s.name: getattr(a, attr) for s, a in zip(inputs, flat)}
        arg_attrs, _, aux_attrs = getattr(out, infer_fn)(**known)
        if arg_attrs is None:
            raise ValueError(f"{infer_fn} could not infer the attributes of every argument")
        values = dict(zip(out.list_arguments(), arg_attrs))
        values.update(zip(out.list_auxiliary_states(), aux_attrs))
        for param in self.collect_params().values():
            if param.name in values:
                setattr(param, attr, values[param.name])

    def infer_shape(self, *args):
        """Infer the shapes of the Parameters from the inputs."""
        self._infer_attrs("infer_shape", "shape", *args)

    def infer_type(self, *args):
        """Infer the dtypes of the Parameters from the inputs."""
        self._infer_attrs("infer_type", "dtype", *args)

    def export(self, path, epoch=0, remove_amp_cast=True):
        """Save ``path-symbol.json`` and ``path-%04d.params`` (loadable by
        SymbolBlock.imports and Module); needs one forward after hybridize()."""
        if not self._cached_graph:
            raise RuntimeError("Please first call block.hybridize() and then run forward with "
                               "this block at least once before calling export.")
        sym = self._cached_graph[1]
        sym.save(f"{path}-symbol.json", remove_amp_cast=remove_amp_cast)
        arg_names = set(sym.list_arguments())
        aux_names = set(sym.list_auxiliary_states())
        arg_dict = {}
        for param in self.collect_params().values():
            if param.name in arg_names:
                arg_dict[f"arg:{param.name}"] = param._reduce()
            elif param.name in aux_names:
                arg_dict[f"aux:{param.name}"] = param._reduce()
        nd.save(f"{path}-{epoch:04d}.params", arg_dict)

    # --- forward ------------------------------------------------------------------------
    def forward(self, x, *args):
        """Run ``hybrid_forward`` with mx.nd (NDArray inputs) or mx.sym (Symbol inputs)."""
        has_symbol, has_ndarray, ctx_set, ctx = gather_type_ctx_info([x] + list(args))
        if has_symbol and has_ndarray:
            raise ValueError("In HybridBlock, we do not support mixed NDArrays and Symbols "
                             "types for the input. Please check the type of the args.\n")
        if not has_symbol and not has_ndarray:
            raise ValueError("In HybridBlock, there must be one NDArray or one Symbol in the "
                             "input. Please check the type of the args.\n")
        if has_symbol:
            params = {k: v.var() for k, v in self._reg_params.items()}
            with self.name_scope():
                return self.hybrid_forward(symbol, x, *args, **params)
        if self._active:
            if len(ctx_set) > 1:
                raise ValueError("Find multiple contexts in the input, After hybridized, the "
                                 "HybridBlock only supports one input context. You can print "
                                 "the ele.ctx in the input arguments to inspect their "
                                 f"contexts. Find all contexts = {ctx_set}")
            with ctx:
                return self._call_cached_op(ctx, x, *args)
        with ctx:
            try:
                params = {k: v.data(ctx) for k, v in self._reg_params.items()}
            except DeferredInitializationError:
                self._deferred_infer_shape(x, *args)
                for param in self.params.values():
                    param._finish_deferred_init()
                params = {k: v.data(ctx) for k, v in self._reg_params.items()}
            return self.hybrid_forward(nd, x, *args, **params)

    def hybrid_forward(self, F, x, *args, **kwargs):
        """The computation, written once for F = mx.nd and F = mx.sym; override it."""
        raise NotImplementedError


def _common_prefix(names):
    if not names:
        return ""
    prefix = names[0]
    for name in names:
        i = 0
        while i < len(prefix) and i < len(name) and prefix[i] == name[i]:
            i += 1
        prefix = prefix[:i]
    return prefix


def _is_sparse_var(node):
    return node.op is None and node.attrs.get("__storage_type__") in ("row_sparse", "1")


class SymbolBlock(HybridBlock):
    """A HybridBlock computing the Symbol ``outputs`` of ``inputs``; the other variables
    become Parameters (shared with ``params`` when given).

    Examples
    --------
    >>> data = mx.sym.var('data')
    >>> net = mx.gluon.SymbolBlock(mx.sym.FullyConnected(data, num_hidden=2, name='fc'), data)
    >>> sorted(net.collect_params().keys())
    ['fc_bias', 'fc_weight']
    """

    @staticmethod
    def imports(symbol_file, input_names, param_file=None, ctx=None, allow_missing=False,
                ignore_extra=False):
        """A SymbolBlock from files written by ``export`` (or Module checkpoints)."""
        sym = symbol.load(symbol_file)
        if isinstance(input_names, str):
            input_names = [input_names]
        inputs = [symbol.var(name) for name in input_names]
        ret = SymbolBlock(sym, inputs)
        if param_file is not None:
            ret.collect_params().load(param_file, ctx, allow_missing, ignore_extra,
                                      cast_dtype=True, dtype_source="saved")
        return ret

    def __repr__(self):
        inputs, out = self._cached_graph
        return (f"{self.__class__.__name__}(\n{out} : {len(inputs)} -> "
                f"{len(out.list_outputs())}\n)")

    def __init__(self, outputs, inputs, params=None):
        super().__init__(prefix=None, params=None)
        self._prefix = ""
        self._params = ParameterDict("", params)
        if isinstance(inputs, Symbol) and len(inputs.list_outputs()) == 1:
            inputs = [inputs]
        if isinstance(outputs, (list, tuple)) and len(outputs) == 1:
            outputs = outputs[0]
        syms, self._in_format = flatten(inputs, "input")
        out, self._out_format = flatten(outputs, "output")
        input_names = set()
        for s in syms:
            _require(len(s.get_internals().list_outputs()) == 1,
                     f"Input symbols must be variable, but {s} is an output of operators")
            input_names.add(s.name)
        out = symbol.Group(out) if len(out) > 1 else out[0]
        for node in out._nodes():
            _require(not _is_sparse_var(node),
                     f"SymbolBlock doesn't support Parameter '{node.name}' because its "
                     "storage type is 'row_sparse'.")
        arg_types, aux_types = _infer_param_types(syms, out)
        for name, dtype in zip(out.list_arguments(), arg_types):
            if name not in input_names:
                self.params.get(name, allow_deferred_init=True, dtype=dtype)
        for name, dtype in zip(out.list_auxiliary_states(), aux_types):
            if name not in input_names:
                self.params.get(name, grad_req="null", allow_deferred_init=True, dtype=dtype)
        self._cached_graph = syms, out
        len_prefix = len(_common_prefix(list(self._params.keys())))
        self._reg_params = {key[len_prefix:]: val for key, val in self._params.items()}

    def forward(self, x, *args):
        if isinstance(x, NDArray):
            with x.context:
                return self._call_cached_op(x.context, x, *args)
        if not isinstance(x, Symbol):
            raise TypeError("HybridBlock requires the first argument to forward be either "
                            f"Symbol or NDArray, but got {type(x)}")
        flat, fmt = flatten([x] + list(args), "input")
        _require(fmt == self._in_format, "Invalid input format")
        inputs, out = self._cached_graph
        ret = out(**{s.name: a for s, a in zip(inputs, flat)})
        return regroup(list(ret), self._out_format)

    def _clear_cached_op(self):
        graph = self._cached_graph
        super()._clear_cached_op()
        self._cached_graph = graph

    def cast(self, dtype):
        self._clear_cached_op()
        super().cast(dtype)
        if np.dtype(dtype).name == "float16":
            _batchnorm_params_to_float32(self)

    def hybrid_forward(self, F, x, *args, **kwargs):
        raise NotImplementedError

    def reset_ctx(self, ctx):
        """Move every Parameter to other device(s)."""
        for param in self.collect_params().values():
            param.reset_ctx(ctx)


def _batchnorm_params_to_float32(block):
    # BatchNorm keeps float32 statistics under float16 data (MXNet's requirement)
    names = block._cached_graph[1].get_internals().list_inputs()
    for name in names:
        for var_suffix, mean in (("running_var", "running_mean"), ("moving_var", "moving_mean")):
            if not name.endswith(var_suffix):
                continue
            prefix = name[:-len(var_suffix)]
            siblings = [prefix + t for t in (mean, "gamma", "beta")]
            if all(s in names for s in siblings):
                for n in [name] + siblings:
                    block.params.get(n).cast("float32")


def _infer_param_types(inputs, out, default_dtype=np.float32):
    """dtypes of out's arguments and aux states, inferred from the inputs' dtypes."""
    arg_names, aux_names = out.list_arguments(), out.list_auxiliary_states()
    arg_types = aux_types = None
    known = {}
    for s in inputs:
        types = s.infer_type()[0]
        if not types or types[0] is None:
            known = None
            break
        known[s.name] = types[0]
    if known is not None:
        try:
            arg_types, _, aux_types = out.infer_type(**known)
        except MXNetError:
            arg_types = aux_types = None
    if arg_types is None or len(arg_types) != len(arg_names) or None in arg_types:
        arg_types = [default_dtype] * len(arg_names)
    if aux_types is None or len(aux_types) != len(aux_names) or None in aux_types:
        aux_types = [default_dtype] * len(aux_names)
    return arg_types, aux_types


# re-exported for code that does ``from mxnet.gluon.block import _flatten`` etc.
_flatten, _regroup = flatten, regroup
