"""``DataParallelExecutorGroup``: one executor per context, each running a slice of the
batch (data parallelism), with parameters shared across bucketed groups.

Each batch is split along its batch axis (from the DataDesc layout) by the work load
list; outputs are merged back along the same axis. Gradients stay per context: Module's
``update`` sums them through the kvstore, as MXNet does.

Layer 12: imports symbol, ndarray and io.
"""
import logging
from collections import OrderedDict

import numpy as np

from .. import ndarray as nd
from ..dtype import normalize
from ..io import DataDesc
from ..symbol.binding import storage_types
from ._slicing import (
    _average_into,
    _label_slice,
    _load_batch,
    _load_general,
    _merge_multi_context,
    _prepare_group2ctxs,
    _split_input_slice,
)

__all__ = ["DataParallelExecutorGroup"]


def _reshape_or_create(buffer, name, shape, dtype, ctx):
    """``buffer[name]`` when it fits (a view of its first elements if it is larger), else
    a new zero array, which replaces it in ``buffer`` (MXNet's shared_buffer rule)."""
    arr = buffer.get(name)
    if arr is not None and arr.dtype == dtype and arr.context == ctx:
        if arr.shape == shape:
            return arr
        size = int(np.prod(shape))
        if arr.size >= size:
            return arr.reshape(-1)[0:size].reshape(shape)
    arr = nd.zeros(shape, ctx=ctx, dtype=dtype)
    buffer[name] = arr
    return arr


def _grad_req_dict(grad_req, arg_names, param_names, data_names, fixed, inputs_need_grad):
    """Per-argument grad_req: params (minus fixed ones) and, if asked, the data inputs."""
    if isinstance(grad_req, (list, tuple)):
        if len(grad_req) != len(arg_names):
            raise ValueError(f"grad_req has {len(grad_req)} entries but the symbol has "
                             f"{len(arg_names)} arguments {arg_names}")
        return dict(zip(arg_names, grad_req))
    if not isinstance(grad_req, (str, dict)):
        raise ValueError("grad_req must be one of str, list, tuple, or dict.")
    default = grad_req if isinstance(grad_req, str) else "write"
    reqs = {}
    for name in arg_names:
        if name in param_names:
            reqs[name] = "null" if name in fixed else default
        elif name in data_names:
            reqs[name] = default if inputs_need_grad else "null"
        else:
            reqs[name] = "null"
    if isinstance(grad_req, dict):
        reqs.update(grad_req)
    return reqs


class DataParallelExecutorGroup:
    """A group of executors, one per context, that split each mini-batch between them.

    Parameters
    ----------
    symbol : Symbol
        The computation graph shared by all executors.
    contexts : list of Context
    workload : list of number
        Relative share of the batch for each context.
    data_shapes, label_shapes : list of DataDesc or (name, shape)
        Inputs, in the order the data iterator provides them (label_shapes may be None).
    param_names : list of str
        The arguments that are parameters (shared across contexts' updates and buckets).
    for_training : bool
        Whether to allocate gradients (``grad_req`` becomes 'null' otherwise).
    inputs_need_grad : bool
        Whether gradients of the data inputs are computed.
    shared_group : DataParallelExecutorGroup, optional
        A group of another bucket: parameters, their gradients and the input buffers
        (``shared_data_arrays``) are shared with it.
    fixed_param_names : list of str, optional
        Parameters that get no gradient.
    grad_req : str, list or dict
        'write', 'add' or 'null', globally or per argument.
    state_names : list of str, optional
        Inputs set with ``set_states`` rather than read from the data batch.
    group2ctxs : dict or list of dict, optional
        ``ctx_group`` attribute -> Context, for model parallelism inside each executor.
    """

    def __init__(self, symbol, contexts, workload, data_shapes, label_shapes, param_names,
                 for_training, inputs_need_grad, shared_group=None, logger=logging,
                 fixed_param_names=None, grad_req="write", state_names=None, group2ctxs=None):
        self.param_names = param_names
        self.arg_names = symbol.list_arguments()
        self.aux_names = symbol.list_auxiliary_states()
        self.symbol = symbol
        self.contexts = contexts
        self.workload = workload
        self.group2ctxs = _prepare_group2ctxs(group2ctxs, len(contexts))
        self.for_training = for_training
        self.inputs_need_grad = inputs_need_grad
        self.logger = logger
        self._total_exec_bytes = 0
        self.fixed_param_names = list(fixed_param_names or [])
        self.state_names = list(state_names or [])
        data_shapes = [x if isinstance(x, DataDesc) else DataDesc(*x) for x in data_shapes]
        if label_shapes is not None:
            label_shapes = [x if isinstance(x, DataDesc) else DataDesc(*x) for x in label_shapes]
        self.grad_req = _grad_req_dict("null" if not for_training else grad_req,
                                       self.arg_names, set(param_names),
                                       {x.name for x in data_shapes},
                                       set(self.fixed_param_names), inputs_need_grad)
        self.shared_data_arrays = shared_group.shared_data_arrays if shared_group is not None \
            else [{} for _ in contexts]
        self.batch_size = None
        self.slices = None
        self.execs = []
        self._default_execs = None
        self._reshaped = {}        # input shapes -> executors bound for them (reshape cache)
        self.data_arrays = self.label_arrays = self.param_arrays = None
        self.state_arrays = self.grad_arrays = self.aux_arrays = None
        self.input_grad_arrays = None
        self.data_shapes = self.label_shapes = None
        self.data_names = self.label_names = None
        self.data_layouts = self.label_layouts = None
        self.output_names = symbol.list_outputs()
        self.num_outputs = len(self.output_names)
        self.output_layouts = [DataDesc.get_batch_axis(symbol[i].attr("__layout__"))
                               for i in range(self.num_outputs)]
        self._arg_contexts = self._variable_groups()
        self.bind_exec(data_shapes, label_shapes, shared_group)

    # --- slicing -----------------------------------------------------------------
    def decide_slices(self, data_shapes):
        """Set ``batch_size``/``slices`` from the inputs' batch axes; return those axes."""
        if not data_shapes:
            raise ValueError("decide_slices: no data shapes given")
        major_axis = [DataDesc.get_batch_axis(x.layout) for x in data_shapes]
        for (name, shape), axis in zip(data_shapes, major_axis):
            if axis == -1:
                continue
            batch_size = shape[axis]
            if self.batch_size is None:
                self.batch_size = batch_size
                self.slices = _split_input_slice(batch_size, self.workload)
            elif batch_size != self.batch_size:
                raise ValueError(f"all data must have the same batch size: batch_size = "
                                 f"{self.batch_size}, but {name} has shape {shape}")
        return major_axis

    def _sliced_shape(self, shapes, i, major_axis):
        """The DataDescs of executor ``i``: batch axis cut to its slice."""
        sliced = []
        for desc, axis in zip(shapes, major_axis):
            shape = list(desc.shape)
            if axis >= 0:
                shape[axis] = self.slices[i].stop - self.slices[i].start
            sliced.append(DataDesc(desc.name, tuple(shape), desc.dtype, desc.layout))
        return sliced

    # --- binding -------------------------------------------------------------------
    def bind_exec(self, data_shapes, label_shapes, shared_group=None, reshape=False):
        """Bind one executor per context (or, with ``reshape``, rebind for new shapes
        sharing the first binding's parameters and buffers)."""
        assert reshape or not self.execs, "bind_exec: already bound (use reshape)"
        self.batch_size = None
        self.data_layouts = self.decide_slices(data_shapes)
        if label_shapes is not None:
            self.label_layouts = self.decide_slices(label_shapes)
        per_device = []
        for i in range(len(self.contexts)):
            shapes = self._sliced_shape(data_shapes, i, self.data_layouts)
            if label_shapes is not None:
                shapes += self._sliced_shape(label_shapes, i, self.label_layouts)
            per_device.append(shapes)
        # executors already bound for these shapes are reused (MXNet rebinds each time)
        key = tuple(tuple((d.name, tuple(d.shape)) for d in shapes) for shapes in per_device)
        if reshape:
            if key not in self._reshaped:
                self._reshaped[key] = [self._reshape_ith_exec(i, s)
                                       for i, s in enumerate(per_device)]
            self.execs = list(self._reshaped[key])
        else:
            for i, shapes in enumerate(per_device):
                shared = None if shared_group is None else shared_group.execs[i]
                self.execs.append(self._bind_ith_exec(i, shapes, shared))
            self._reshaped[key] = list(self.execs)
        self.data_shapes = data_shapes
        self.label_shapes = label_shapes
        self.data_names = [x.name for x in data_shapes]
        self.label_names = [x.name for x in label_shapes] if label_shapes is not None else None
        self._collect_arrays()

    def reshape(self, data_shapes, label_shapes):
        """Rebind the executors for new input shapes (parameters are kept)."""
        if data_shapes == self.data_shapes and label_shapes == self.label_shapes:
            return
        if self._default_execs is None:
            self._default_execs = list(self.execs)
        self.bind_exec(data_shapes, label_shapes, reshape=True)

    def _variable_groups(self):
        """``ctx_group`` of each variable (None when it has none)."""
        attrs = self.symbol.attr_dict()
        groups = {}
        for name in self.arg_names + self.aux_names:
            a = attrs.get(name, {})
            groups[name] = a.get("__ctx_group__", a.get("ctx_group"))
        return groups

    def _context_of(self, name, i):
        group2ctx = self.group2ctxs[i]
        group = self._arg_contexts.get(name)
        if group2ctx and group is not None and group in group2ctx:
            return group2ctx[group]
        return self.contexts[i]

    def _infer(self, input_shapes):
        """(arg_shapes, arg_types, aux_shapes, aux_types) for DataDescs ``input_shapes``."""
        # inputs the symbol does not use (e.g. an unused label) are ignored, as in MXNet
        used = [d for d in input_shapes if d.name in self._arg_contexts]
        shapes = {d.name: tuple(d.shape) for d in used}
        types = {d.name: d.dtype for d in used}
        attrs = self.symbol.attr_dict()
        for name in types:
            dtype = attrs.get(name, {}).get("__dtype__")
            if dtype is not None and dtype != "-1":
                types[name] = _mx_dtype(dtype)
        arg_shapes, _, aux_shapes = self.symbol.infer_shape(**shapes)
        if arg_shapes is None:
            partial = self.symbol.infer_shape_partial(**shapes)[0]
            unknown = [n for n, s in zip(self.arg_names, partial) if not s or 0 in s]
            raise ValueError(f"cannot infer the shapes of {unknown} from the inputs {shapes}; "
                             f"give them as data/label shapes or with Variable(shape=...)")
        arg_types, _, aux_types = self.symbol.infer_type_partial(**types)
        arg_types = [normalize(t if t is not None else np.float32) for t in arg_types]
        aux_types = [normalize(t if t is not None else np.float32) for t in aux_types]
        return [tuple(s) for s in arg_shapes], arg_types, [tuple(s) for s in aux_shapes], aux_types

    def _bind_ith_exec(self, i, input_shapes, shared_exec):
        """Bind executor ``i``: parameters (and gradients, aux states) from ``shared_exec``
        when given, other inputs from the shared data buffer of context ``i``."""
        arg_shapes, arg_types, aux_shapes, aux_types = self._infer(input_shapes)
        buffer = self.shared_data_arrays[i]
        params = set(self.param_names)
        stypes = storage_types(self.symbol)
        args, grads = [], []
        for name, shape, dtype in zip(self.arg_names, arg_shapes, arg_types):
            ctx = self._context_of(name, i)
            need_grad = self.grad_req[name] != "null"
            if name in params:
                arr = _shared(shared_exec, "arg_dict", name, shape, dtype)
                args.append(arr if arr is not None else
                            nd.zeros(shape, ctx=ctx, dtype=dtype, stype=stypes.get(name)))
                grad = _shared(shared_exec, "grad_dict", name, shape, dtype) if need_grad else None
            else:
                args.append(_reshape_or_create(buffer, name, shape, dtype, ctx))
                grad = None
            if need_grad and grad is None:
                grad = nd.zeros(shape, ctx=ctx, dtype=dtype)
            grads.append(grad)
        aux = []
        for name, shape, dtype in zip(self.aux_names, aux_shapes, aux_types):
            arr = _shared(shared_exec, "aux_dict", name, shape, dtype)
            aux.append(arr if arr is not None else
                       nd.zeros(shape, ctx=self._context_of(name, i), dtype=dtype))
        return self._make_exec(i, args, grads, aux)

    def _reshape_ith_exec(self, i, input_shapes):
        """Executor ``i`` for new input shapes: parameters, gradients and aux states of the
        first binding; inputs reuse its arrays when they are large enough."""
        default = self._default_execs[i]
        arg_shapes, arg_types, aux_shapes, aux_types = self._infer(input_shapes)
        params = set(self.param_names)
        buffer = {n: a for n, a in default.arg_dict.items() if n not in params}
        args, grads = [], []
        for k, (name, shape, dtype) in enumerate(zip(self.arg_names, arg_shapes, arg_types)):
            ctx = self._context_of(name, i)
            old_grad = default.grad_arrays[k]
            if name in params:
                args.append(_reshape_or_create({name: default.arg_arrays[k]}, name, shape,
                                               dtype, ctx))
                grads.append(None if old_grad is None else
                             _reshape_or_create({name: old_grad}, name, shape, dtype, ctx))
            else:
                args.append(_reshape_or_create(buffer, name, shape, dtype, ctx))
                grads.append(None if self.grad_req[name] == "null" else
                             nd.zeros(shape, ctx=ctx, dtype=dtype))
        aux = [_reshape_or_create({n: a}, n, s, t, a.context) for n, a, s, t in
               zip(self.aux_names, default.aux_arrays, aux_shapes, aux_types)]
        return self._make_exec(i, args, grads, aux, count_bytes=False)

    def _make_exec(self, i, args, grads, aux, count_bytes=True):
        reqs = [self.grad_req[n] if g is not None else "null"
                for n, g in zip(self.arg_names, grads)]
        exe = self.symbol.bind(self.contexts[i], args, args_grad=grads, grad_req=reqs,
                               aux_states=aux, group2ctx=self.group2ctxs[i])
        if count_bytes:
            # what MXNet reports from debug_str: the planned memory, in MB
            self._total_exec_bytes += int(exe.memory_plan()["shared_bytes"]) >> 20
        return exe

    def _collect_arrays(self):
        """Per-input lists of (slice, array) and per-parameter lists of arrays, one entry
        per executor."""
        execs = self.execs
        slices = self.slices or [slice(i, i + 1) for i in range(len(execs))]
        self.data_arrays = [[(slices[i], e.arg_dict[name]) for i, e in enumerate(execs)]
                            for name, _ in self.data_shapes]
        self.state_arrays = [[e.arg_dict[name] for e in execs] for name in self.state_names]
        self.label_arrays = None if self.label_shapes is None else \
            [[(slices[i], e.arg_dict[name]) for i, e in enumerate(execs)]
             for name, _ in self.label_shapes]
        param_idx = [i for i, name in enumerate(self.arg_names) if name in self.param_names]
        self.param_arrays = [[e.arg_arrays[i] for e in execs] for i in param_idx]
        self.grad_arrays = [[e.grad_arrays[i] for e in execs] for i in param_idx] \
            if self.for_training else None
        self.input_grad_arrays = None
        if self.inputs_need_grad:
            self.input_grad_arrays = [[e.grad_arrays[self.arg_names.index(name)] for e in execs]
                                      for name, _ in self.data_shapes if name in self.arg_names]
        self.aux_arrays = [[e.aux_arrays[i] for e in execs] for i in range(len(self.aux_names))]
        self._single = len(execs) == 1

    # --- parameters ------------------------------------------------------------------
    def set_params(self, arg_params, aux_params, allow_extra=False):
        """Copy the parameters into every executor."""
        for exe in self.execs:
            exe.copy_params_from(arg_params, aux_params, allow_extra_params=allow_extra)

    def get_params(self, arg_params, aux_params):
        """Copy the parameters (averaged over the devices) into ``arg_params`` /
        ``aux_params`` in place."""
        for name, block in zip(self.param_names, self.param_arrays):
            _average_into(block, arg_params[name])
        for name, block in zip(self.aux_names, self.aux_arrays):
            _average_into(block, aux_params[name])

    # --- computation ---------------------------------------------------------------------
    def forward(self, data_batch, is_train=None):
        """Load the batch into the executors (split by the work load) and run forward."""
        _load_batch(data_batch, self.data_arrays, self.data_layouts, "data")
        if is_train is None:
            is_train = self.for_training
        if self.label_arrays is not None:
            first = data_batch[0] if isinstance(data_batch, list) else data_batch
            if getattr(first, "label", None):
                _load_batch(data_batch, self.label_arrays, self.label_layouts, "label")
        for exe in self.execs:
            exe.forward(is_train=is_train)

    def backward(self, out_grads=None):
        """Run backward on every device, each with its slice of ``out_grads``."""
        assert self.for_training, "re-bind with for_training=True to run backward"
        if isinstance(out_grads, nd.NDArray):
            out_grads = [out_grads]
        for i, exe in enumerate(self.execs):
            if not out_grads:
                exe.backward()
                continue
            islice = self.slices[i] if self.slices else slice(i, i + 1)
            exe.backward(out_grads=[self._grad_slice(g, axis, islice, self.contexts[i])
                                    for g, axis in zip(out_grads, self.output_layouts)])

    def _grad_slice(self, grad, axis, islice, ctx):
        if axis >= 0 and not self._single:
            grad = nd.slice_axis(grad, axis=axis, begin=islice.start, end=islice.stop)
        return grad.as_in_context(ctx)

    def get_output_shapes(self):
        """``[(name, shape)]`` of the merged outputs (batch axis = the whole batch)."""
        shapes = []
        for name, out, axis in zip(self.output_names, self.execs[0].outputs,
                                   self.output_layouts):
            shape = list(out.shape)
            if axis >= 0 and self.batch_size is not None:
                shape[axis] = self.batch_size
            shapes.append((name, tuple(shape)))
        return shapes

    def get_outputs(self, merge_multi_context=True, begin=0, end=None):
        """Outputs ``[begin, end)``: merged ``[out1, ...]`` or ``[[out1_dev1, ...], ...]``."""
        end = self.num_outputs if end is None else end
        outputs = [[exe.outputs[i] for exe in self.execs] for i in range(begin, end)]
        if merge_multi_context:
            outputs = _merge_multi_context(outputs, self.output_layouts[begin:end])
        return outputs

    def get_states(self, merge_multi_context=True):
        """The state arrays, ``[[state1_dev1, state1_dev2], ...]``."""
        assert not merge_multi_context, \
            "merge_multi_context=True is not supported for get_states yet."
        return self.state_arrays

    def set_states(self, states=None, value=None):
        """Set the states from per-device arrays ``states`` or to the scalar ``value``."""
        if states is not None:
            assert value is None, "Only one of states & value can be specified."
            _load_general(states, self.state_arrays, (0,) * len(states))
        else:
            assert value is not None, "At least one of states & value must be specified."
            for dsts in self.state_arrays:
                for dst in dsts:
                    dst[:] = value

    def get_input_grads(self, merge_multi_context=True):
        """Gradients of the data inputs (bind with ``inputs_need_grad=True``)."""
        assert self.inputs_need_grad, "bind with inputs_need_grad=True to get input gradients"
        if merge_multi_context:
            return _merge_multi_context(self.input_grad_arrays, self.data_layouts)
        return self.input_grad_arrays

    def update_metric(self, eval_metric, labels, pre_sliced):
        """Update ``eval_metric`` with every device's outputs and its slice of ``labels``."""
        label_names = self.label_names or []
        layouts = self.label_layouts or []
        for i, exe in enumerate(self.execs):
            if pre_sliced:
                sliced = labels[i]
            elif self._single or not labels:
                sliced = labels or []
            else:
                sliced = [_label_slice(lab, axis, self.slices[i])
                          for lab, axis in zip(labels, layouts)]
            eval_metric.update_dict(OrderedDict(zip(label_names, sliced)),
                                    OrderedDict(zip(self.output_names, exe.outputs)))

    def install_monitor(self, mon):
        """Install ``mon`` on every current executor (as in MXNet, executors bound later by
        ``reshape`` are not monitored)."""
        for exe in self.execs:
            mon.install(exe)


def _shared(shared_exec, which, name, shape, dtype):
    """The array ``name`` of ``shared_exec`` (None if absent); its shape must match."""
    if shared_exec is None:
        return None
    arr = getattr(shared_exec, which).get(name)
    if arr is None:
        return None
    if arr.shape != shape:
        raise ValueError(f"shared parameter {name!r} has shape {arr.shape} in the shared "
                         f"executor but {shape} here; buckets must agree on parameter shapes")
    if arr.dtype != dtype:
        raise ValueError(f"shared parameter {name!r} has dtype {arr.dtype} in the shared "
                         f"executor but {dtype} here")
    return arr


def _mx_dtype(code):
    """The numpy dtype of a ``__dtype__`` attribute (MXNet's integer type code)."""
    codes = {0: np.float32, 1: np.float64, 2: np.float16, 3: np.uint8, 4: np.int32,
             5: np.int8, 6: np.int64, 7: np.bool_}
    try:
        return codes[int(code)]
    except (ValueError, KeyError):
        return normalize(code)
