"""``BaseModule``: the module API (bind, init_params, init_optimizer, forward, backward,
update, ...) and the high-level loops built on it (fit, score, predict).

Layer 12.
"""
import logging
import time
import warnings

import numpy as np

from .. import metric, ndarray
from ..context import cpu
from ..initializer import Uniform
from ..io import DataBatch, DataDesc, DataIter
from ..model import BatchEndParam

__all__ = ["BaseModule"]


def _as_list(obj):
    """``obj`` if it is a list or tuple, else ``[obj]``."""
    return obj if isinstance(obj, (list, tuple)) else [obj]


def _check_input_names(symbol, names, typename, throw):
    """Check that every name in ``names`` is an argument of ``symbol``."""
    args = symbol.list_arguments()
    for name in names:
        if name in args:
            continue
        candidates = [arg for arg in args if not arg.endswith(("_weight", "_bias", "_gamma",
                                                               "_beta"))]
        msg = "\033[91mYou created Module with Module(..., %s_names=%s) but " \
              "input with name '%s' is not found in symbol.list_arguments(). " \
              "Did you mean one of:\n\t%s\033[0m" % (typename, str(names), name,
                                                    "\n\t".join(candidates))
        if throw:
            raise ValueError(msg)
        warnings.warn(msg)


def _check_names_match(data_names, data_shapes, name, throw):
    """Check that the names of ``data_shapes`` are ``data_names`` (in any order)."""
    actual = [x[0] for x in data_shapes]
    if sorted(data_names) != sorted(actual):
        msg = "Data provided by %s_shapes don't match names specified by %s_names (%s vs. %s)" \
              % (name, name, str(data_shapes), str(data_names))
        if throw:
            raise ValueError(msg)
        warnings.warn(msg)


def _as_desc(x, what):
    """``x`` (a DataDesc or ``(name, shape[, ...])``) as a DataDesc with an int shape."""
    desc = x if isinstance(x, DataDesc) else DataDesc(*x)
    shape = desc.shape
    if not isinstance(shape, (tuple, list)) or \
            not all(isinstance(d, (int, np.integer)) for d in shape):
        raise TypeError(f"{what} of {desc.name!r} must be a tuple of ints, got "
                        f"{type(shape).__name__} {shape!r}")
    if isinstance(shape, list):
        desc = DataDesc(desc.name, tuple(shape), desc.dtype, desc.layout)
    return desc


def _parse_data_desc(data_names, label_names, data_shapes, label_shapes):
    """DataDesc lists from ``data_shapes``/``label_shapes``, checked against the names."""
    data_shapes = [_as_desc(x, "data shape") for x in data_shapes]
    _check_names_match(data_names, data_shapes, "data", True)
    if label_shapes is not None:
        label_shapes = [_as_desc(x, "label shape") for x in label_shapes]
        _check_names_match(label_names, label_shapes, "label", False)
    else:
        _check_names_match(label_names, [], "label", False)
    return data_shapes, label_shapes


def _call_all(callbacks, param):
    if callbacks is not None:
        for callback in _as_list(callbacks):
            callback(param)


class BaseModule:
    """The base class of modules: a computation component that binds to input shapes,
    holds parameters, and runs forward/backward/update.

    A module goes through these states: created; bound (``bind``: memory allocated for
    the given shapes); parameters initialized (``init_params``); optimizer installed
    (``init_optimizer``). Subclasses implement the intermediate API (``bind``,
    ``forward``, ``backward``, ``update``, ``get_outputs``, ``update_metric``, ...);
    ``fit``, ``score`` and ``predict`` are written on top of it.

    Examples
    --------
    >>> data = mx.sym.Variable('data')
    >>> fc = mx.sym.FullyConnected(data, name='fc', num_hidden=10)
    >>> mod = mx.mod.Module(mx.sym.SoftmaxOutput(fc, name='softmax'))
    """

    def __init__(self, logger=logging):
        self.logger = logger
        self.binded = False
        self.for_training = False
        self.inputs_need_grad = False
        self.params_initialized = False
        self.optimizer_initialized = False
        self._symbol = None
        self._total_exec_bytes = 0

    # --- high-level API ------------------------------------------------------------------
    def forward_backward(self, data_batch):
        """``forward(data_batch, is_train=True)`` then ``backward()``."""
        self.forward(data_batch, is_train=True)
        self.backward()

    def score(self, eval_data, eval_metric, num_batch=None, batch_end_callback=None,
              score_end_callback=None, reset=True, epoch=0, sparse_row_id_fn=None):
        """Run prediction on ``eval_data`` and evaluate ``eval_metric``.

        Returns
        -------
        list of (name, value)
        """
        assert self.binded and self.params_initialized
        if reset:
            eval_data.reset()
        if not isinstance(eval_metric, metric.EvalMetric):
            eval_metric = metric.create(eval_metric)
        eval_metric.reset()
        actual_num_batch = 0
        for nbatch, eval_batch in enumerate(eval_data):
            if num_batch is not None and nbatch == num_batch:
                break
            self.prepare(eval_batch, sparse_row_id_fn=sparse_row_id_fn)
            self.forward(eval_batch, is_train=False)
            if isinstance(eval_batch, list):
                self.update_metric(eval_metric, [eb.label for eb in eval_batch], pre_sliced=True)
            else:
                self.update_metric(eval_metric, eval_batch.label)
            if batch_end_callback is not None:
                _call_all(batch_end_callback, BatchEndParam(
                    epoch=epoch, nbatch=nbatch, eval_metric=eval_metric, locals=locals()))
            actual_num_batch += 1
        if score_end_callback:
            _call_all(score_end_callback, BatchEndParam(
                epoch=epoch, nbatch=actual_num_batch, eval_metric=eval_metric,
                locals=locals()))
        return eval_metric.get_name_value()

    def iter_predict(self, eval_data, num_batch=None, reset=True, sparse_row_id_fn=None):
        """Yield ``(outputs, nbatch, batch)`` for each batch of ``eval_data`` (padding cut)."""
        assert self.binded and self.params_initialized
        if reset:
            eval_data.reset()
        for nbatch, eval_batch in enumerate(eval_data):
            if num_batch is not None and nbatch == num_batch:
                break
            self.prepare(eval_batch, sparse_row_id_fn=sparse_row_id_fn)
            self.forward(eval_batch, is_train=False)
            pad = eval_batch.pad or 0
            outputs = [out[0:out.shape[0] - pad] for out in self.get_outputs()]
            yield (outputs, nbatch, eval_batch)

    def predict(self, eval_data, num_batch=None, merge_batches=True, reset=True,
                always_output_list=False, sparse_row_id_fn=None):
        """Run prediction and collect the outputs.

        ``eval_data`` is a DataIter, or one NDArray / numpy array (one forward pass,
        returns the first output). With ``merge_batches`` the outputs of all batches are
        concatenated; a single output is returned unwrapped unless ``always_output_list``.
        """
        assert self.binded and self.params_initialized
        if isinstance(eval_data, (ndarray.NDArray, np.ndarray)):
            if isinstance(eval_data, np.ndarray):
                eval_data = ndarray.array(eval_data)
            self.forward(DataBatch([eval_data]))
            return self.get_outputs()[0]
        if not isinstance(eval_data, DataIter):
            raise ValueError("eval_data must be of type NDArray or DataIter")
        if reset:
            eval_data.reset()
        output_list = []
        for nbatch, eval_batch in enumerate(eval_data):
            if num_batch is not None and nbatch == num_batch:
                break
            self.prepare(eval_batch, sparse_row_id_fn=sparse_row_id_fn)
            self.forward(eval_batch, is_train=False)
            pad = eval_batch.pad or 0
            output_list.append([out[0:out.shape[0] - pad].copy() for out in self.get_outputs()])
        if not output_list or not merge_batches:
            return output_list
        num_outputs = len(output_list[0])
        for out in output_list:
            assert len(out) == num_outputs, \
                "Cannot merge batches, as num of outputs is not the same in mini-batches. " \
                "Maybe bucketing is used?"
        merged = [ndarray.concatenate([out[i] for out in output_list])
                  for i in range(num_outputs)]
        if num_outputs == 1 and not always_output_list:
            return merged[0]
        return merged

    def fit(self, train_data, eval_data=None, eval_metric="acc",
            epoch_end_callback=None, batch_end_callback=None, kvstore="local",
            optimizer="sgd", optimizer_params=(("learning_rate", 0.01),),
            eval_end_callback=None, eval_batch_end_callback=None, initializer=Uniform(0.01),
            arg_params=None, aux_params=None, allow_missing=False,
            force_rebind=False, force_init=False, begin_epoch=0, num_epoch=None,
            validation_metric=None, monitor=None, sparse_row_id_fn=None):
        """Train the module parameters on ``train_data`` for epochs
        ``[begin_epoch, num_epoch)``, evaluating on ``eval_data`` after each epoch.

        Parameters
        ----------
        train_data, eval_data : DataIter
        eval_metric : str or EvalMetric
            Training metric ('acc' by default); ``validation_metric`` defaults to it.
        epoch_end_callback : callable(epoch, symbol, arg_params, aux_params) or list
        batch_end_callback : callable(BatchEndParam) or list
        kvstore : str or KVStore
        optimizer : str or Optimizer; optimizer_params : dict
        initializer : Initializer, used for parameters missing from ``arg_params``
        monitor : Monitor, optional
        """
        assert num_epoch is not None, "please specify number of epochs"
        self.bind(data_shapes=train_data.provide_data, label_shapes=train_data.provide_label,
                  for_training=True, force_rebind=force_rebind)
        if monitor is not None:
            self.install_monitor(monitor)
        self.init_params(initializer=initializer, arg_params=arg_params, aux_params=aux_params,
                         allow_missing=allow_missing, force_init=force_init)
        self.init_optimizer(kvstore=kvstore, optimizer=optimizer,
                            optimizer_params=optimizer_params)
        if validation_metric is None:
            validation_metric = eval_metric
        if not isinstance(eval_metric, metric.EvalMetric):
            eval_metric = metric.create(eval_metric)
        for epoch in range(begin_epoch, num_epoch):
            tic = time.time()
            eval_metric.reset()
            for name, val in self._fit_epoch(train_data, epoch, eval_metric, batch_end_callback,
                                             monitor, sparse_row_id_fn):
                self.logger.info("Epoch[%d] Train-%s=%f", epoch, name, val)
            self.logger.info("Epoch[%d] Time cost=%.3f", epoch, time.time() - tic)
            # sync parameters across devices (and to the CPU copies) once per epoch
            arg_params, aux_params = self.get_params()
            self.set_params(arg_params, aux_params)
            if epoch_end_callback is not None:
                for callback in _as_list(epoch_end_callback):
                    callback(epoch, self.symbol, arg_params, aux_params)
            if eval_data is not None:
                res = self.score(eval_data, validation_metric,
                                 score_end_callback=eval_end_callback,
                                 batch_end_callback=eval_batch_end_callback, epoch=epoch)
                for name, val in res:
                    self.logger.info("Epoch[%d] Validation-%s=%f", epoch, name, val)
            train_data.reset()

    def _fit_epoch(self, train_data, epoch, eval_metric, batch_end_callback, monitor,
                   sparse_row_id_fn):
        """One pass over ``train_data``; returns the metric's global (name, value) list.

        Only one batch is referenced at a time: the next batch is fetched after the
        current one's labels were read (iterators may reuse their buffers)."""
        nbatch = 0
        data_iter = iter(train_data)
        end_of_batch = False
        next_data_batch = next(data_iter)
        eval_name_vals = []
        while not end_of_batch:
            data_batch = next_data_batch
            if monitor is not None:
                monitor.tic()
            self.forward_backward(data_batch)
            self.update()
            if isinstance(data_batch, list):
                self.update_metric(eval_metric, [db.label for db in data_batch], pre_sliced=True)
            else:
                self.update_metric(eval_metric, data_batch.label)
            try:
                next_data_batch = next(data_iter)
                self.prepare(next_data_batch, sparse_row_id_fn=sparse_row_id_fn)
            except StopIteration:
                end_of_batch = True
            if monitor is not None:
                monitor.toc_print()
            if end_of_batch:
                eval_name_vals = eval_metric.get_global_name_value()
            if batch_end_callback is not None:
                _call_all(batch_end_callback, BatchEndParam(
                    epoch=epoch, nbatch=nbatch, eval_metric=eval_metric, locals=locals()))
            nbatch += 1
        return eval_name_vals

    # --- symbol information ------------------------------------------------------------------
    @property
    def data_names(self):
        """Names of the data inputs of this module."""
        raise NotImplementedError()

    @property
    def output_names(self):
        """Names of the outputs of this module."""
        raise NotImplementedError()

    @property
    def data_shapes(self):
        """DataDescs of the data inputs (after binding)."""
        raise NotImplementedError()

    @property
    def label_shapes(self):
        """DataDescs of the labels (after binding; None without labels)."""
        raise NotImplementedError()

    @property
    def output_shapes(self):
        """``[(name, shape)]`` of the outputs (after binding)."""
        raise NotImplementedError()

    @property
    def symbol(self):
        """The symbol of this module (for BucketingModule: the current bucket's)."""
        return self._symbol

    # --- parameters ---------------------------------------------------------------------------
    def get_params(self):
        """``(arg_params, aux_params)``: dicts of name -> NDArray copies on the CPU."""
        raise NotImplementedError()

    def init_params(self, initializer=Uniform(0.01), arg_params=None, aux_params=None,
                    allow_missing=False, force_init=False, allow_extra=False):
        """Initialize parameters and aux states, from ``arg_params``/``aux_params`` where
        given and from ``initializer`` otherwise."""
        raise NotImplementedError()

    def set_params(self, arg_params, aux_params, allow_missing=False, force_init=True,
                   allow_extra=False):
        """Assign parameter and aux state values."""
        self.init_params(initializer=None, arg_params=arg_params, aux_params=aux_params,
                         allow_missing=allow_missing, force_init=force_init,
                         allow_extra=allow_extra)

    def _set_params_handled(self, arg_params, aux_params, allow_missing, force_init,
                            allow_extra):
        """The start Module/BucketingModule.set_params share; True when nothing is left.

        Without ``allow_missing`` the values go through ``init_params`` (which checks every
        name); an initialized module without ``force_init`` keeps its values (a warning).
        """
        if not allow_missing:
            self.init_params(initializer=None, arg_params=arg_params, aux_params=aux_params,
                             allow_missing=allow_missing, force_init=force_init,
                             allow_extra=allow_extra)
            return True
        if self.params_initialized and not force_init:
            warnings.warn("Parameters already initialized and force_init=False. "
                          "set_params call ignored.", stacklevel=3)
            return True
        return False

    def save_params(self, fname):
        """Save the parameters to ``fname`` (keys ``arg:<name>`` / ``aux:<name>``)."""
        arg_params, aux_params = self.get_params()
        save_dict = {"arg:%s" % k: v.as_in_context(cpu()) for k, v in arg_params.items()}
        save_dict.update({"aux:%s" % k: v.as_in_context(cpu()) for k, v in aux_params.items()})
        ndarray.save(fname, save_dict)

    def load_params(self, fname):
        """Load parameters saved by ``save_params`` and assign them."""
        save_dict = ndarray.load(fname)
        arg_params, aux_params = {}, {}
        for key, value in save_dict.items():
            arg_type, _, name = key.partition(":")
            if arg_type == "arg":
                arg_params[name] = value
            elif arg_type == "aux":
                aux_params[name] = value
            else:
                raise ValueError("Invalid param file " + fname)
        self.set_params(arg_params, aux_params)

    def get_states(self, merge_multi_context=True):
        """States from all devices (none for modules without states)."""
        assert self.binded and self.params_initialized
        assert not merge_multi_context
        return []

    def set_states(self, states=None, value=None):
        """Set states (none for modules without states)."""
        assert self.binded and self.params_initialized
        assert not states and not value

    def install_monitor(self, mon):
        """Install a monitor on all executors."""
        raise NotImplementedError()

    # --- computation ----------------------------------------------------------------------------
    def prepare(self, data_batch, sparse_row_id_fn=None):
        """Prepare for ``data_batch`` (switch bucket, pull row_sparse parameters)."""
        if sparse_row_id_fn is not None:
            warnings.warn(UserWarning("sparse_row_id_fn is not invoked for BaseModule."))

    def forward(self, data_batch, is_train=None):
        """Forward computation; ``is_train`` defaults to ``for_training``."""
        raise NotImplementedError()

    def backward(self, out_grads=None):
        """Backward computation; ``out_grads`` is needed for outputs that are not losses."""
        raise NotImplementedError()

    def get_outputs(self, merge_multi_context=True):
        """Outputs of the previous forward computation."""
        raise NotImplementedError()

    def get_input_grads(self, merge_multi_context=True):
        """Gradients of the inputs (bind with ``inputs_need_grad=True``)."""
        raise NotImplementedError()

    def update(self):
        """Update the parameters with the installed optimizer and the last gradients."""
        raise NotImplementedError()

    def update_metric(self, eval_metric, labels, pre_sliced=False):
        """Accumulate ``eval_metric`` on the outputs of the last forward computation."""
        raise NotImplementedError()

    # --- module setup -----------------------------------------------------------------------------
    def bind(self, data_shapes, label_shapes=None, for_training=True,
             inputs_need_grad=False, force_rebind=False, shared_module=None,
             grad_req="write"):
        """Bind the symbols to construct executors (allocate memory for the shapes)."""
        raise NotImplementedError()

    def init_optimizer(self, kvstore="local", optimizer="sgd",
                       optimizer_params=(("learning_rate", 0.01),), force_init=False):
        """Install and initialize the optimizer."""
        raise NotImplementedError()
