"""EvalMetric, the metric registry (register/alias/create), CompositeEvalMetric, CustomMetric.

Metrics take lists of NDArrays (or NumPy arrays) and compute on NumPy copies (``asnumpy``).
Imports ndarray only to recognise a bare NDArray argument.
"""
from collections import OrderedDict

import numpy

from ..base import MXNetValueError, numeric_types
from ..ndarray import NDArray
from . import _registry

__all__ = ["EvalMetric", "CompositeEvalMetric", "CustomMetric", "register", "alias", "create",
           "check_label_shapes", "np"]


def _is_array(x):
    return isinstance(x, (NDArray, numpy.ndarray))


def as_numpy(x):
    """A NumPy view of an NDArray (``asnumpy``) or of any array-like."""
    return x.asnumpy() if isinstance(x, NDArray) else numpy.asarray(x)


def check_label_shapes(labels, preds, wrap=False, shape=False):
    """Check that labels and preds agree in length (or in ``shape`` when ``shape=True``).

    With ``wrap=True`` a single array is wrapped into a one-element list (after the check,
    as MXNet does).
    """
    if shape:
        label_shape, pred_shape = labels.shape, preds.shape
    else:
        label_shape, pred_shape = len(labels), len(preds)
    if label_shape != pred_shape:
        raise MXNetValueError(f"Shape of labels {label_shape} does not match shape of "
                              f"predictions {pred_shape}")
    if wrap:
        labels = [labels] if _is_array(labels) else labels
        preds = [preds] if _is_array(preds) else preds
    return labels, preds


class EvalMetric:
    """Base class for all evaluation metrics.

    Subclasses implement ``update(labels, preds)`` and accumulate ``sum_metric`` /
    ``num_inst`` (and the ``global_`` pair, which ``reset_local`` keeps).

    Parameters
    ----------
    name : str
        Name of this metric instance for display.
    output_names : list of str, or None
        Name of predictions that should be used when updating with update_dict.
    label_names : list of str, or None
        Name of labels that should be used when updating with update_dict.
    """

    def __init__(self, name, output_names=None, label_names=None, **kwargs):
        self.name = str(name)
        self.output_names = output_names
        self.label_names = label_names
        self._has_global_stats = kwargs.pop("has_global_stats", False)
        self._kwargs = kwargs
        self.reset()

    def __str__(self):
        return f"EvalMetric: {dict(self.get_name_value())}"

    def get_config(self):
        """The constructor arguments; ``metric.create(**config)`` recreates the metric."""
        config = self._kwargs.copy()
        config.update({"metric": self.__class__.__name__, "name": self.name,
                       "output_names": self.output_names, "label_names": self.label_names})
        return config

    def update_dict(self, label, pred):
        """Update with name -> array dicts, selected by ``label_names`` / ``output_names``."""
        if self.output_names is not None:
            pred = [pred[name] for name in self.output_names]
        else:
            pred = list(pred.values())
        if self.label_names is not None:
            label = [label[name] for name in self.label_names]
        else:
            label = list(label.values())
        self.update(label, pred)

    def update(self, labels, preds):
        """Update the internal evaluation result with a batch."""
        raise NotImplementedError()

    def reset(self):
        """Reset the local and global results to their initial state."""
        self.num_inst = 0
        self.sum_metric = 0.0
        self.global_num_inst = 0
        self.global_sum_metric = 0.0

    def reset_local(self):
        """Reset the local portion of the results (global ones are kept)."""
        self.num_inst = 0
        self.sum_metric = 0.0

    def _add(self, value, count):
        """Accumulate one batch into both the local and the global sums."""
        value = float(value)
        self.sum_metric += value
        self.global_sum_metric += value
        self.num_inst += count
        self.global_num_inst += count

    # NOTE: values are returned as Python floats: they compare with NumPy scalars of any
    # precision the way MXNet's (NumPy 1.x) float64 results did.
    def get(self):
        """The current result as ``(name, value)``; value is NaN before any update."""
        if self.num_inst == 0:
            return (self.name, float("nan"))
        return (self.name, float(self.sum_metric / self.num_inst))

    def get_global(self):
        """The result accumulated since the last ``reset`` (ignores ``reset_local``)."""
        if not self._has_global_stats:
            return self.get()
        if self.global_num_inst == 0:
            return (self.name, float("nan"))
        return (self.name, float(self.global_sum_metric / self.global_num_inst))

    def get_name_value(self):
        """The result as a list of ``(name, value)`` pairs."""
        return _zip_name_value(*self.get())

    def get_global_name_value(self):
        """The global result as a list of ``(name, value)`` pairs."""
        if not self._has_global_stats:
            return self.get_name_value()
        return _zip_name_value(*self.get_global())


def _zip_name_value(name, value):
    names = name if isinstance(name, list) else [name]
    values = value if isinstance(value, list) else [value]
    return list(zip(names, values))


register = _registry.get_register_func(EvalMetric, "metric")
alias = _registry.get_alias_func(EvalMetric, "metric")
_create = _registry.get_create_func(EvalMetric, "metric")


def create(metric, *args, **kwargs):
    """Create a metric from a name, a config, an ``EvalMetric``, a list of those, or a
    function ``feval(label, pred)`` (wrapped into a CustomMetric).

    Examples
    --------
    >>> mx.metric.create('acc').name
    'accuracy'
    >>> mx.metric.create(['acc', 'f1']).get()[0]
    ['accuracy', 'f1']
    """
    if callable(metric):
        return CustomMetric(metric, *args, **kwargs)
    if isinstance(metric, list):
        composite = CompositeEvalMetric()
        for child in metric:
            composite.add(create(child, *args, **kwargs))
        return composite
    return _create(metric, *args, **kwargs)


@register
@alias("composite")
class CompositeEvalMetric(EvalMetric):
    """Manages multiple evaluation metrics; ``get`` returns lists of names and values.

    Examples
    --------
    >>> m = mx.metric.CompositeEvalMetric(['acc', 'f1'])
    >>> m.update([mx.nd.array([0, 1, 1])], [mx.nd.array([[0.3, 0.7], [0, 1.], [0.4, 0.6]])])
    >>> m.get()
    (['accuracy', 'f1'], [0.6666666666666666, 0.8])
    """

    def __init__(self, metrics=None, name="composite", output_names=None, label_names=None):
        super().__init__(name, output_names=output_names, label_names=label_names,
                         has_global_stats=True)
        self.metrics = [create(m) for m in (metrics or [])]

    def add(self, metric):
        """Add a child metric (anything ``create`` accepts)."""
        self.metrics.append(create(metric))

    def get_metric(self, index):
        """The child metric at ``index``."""
        try:
            return self.metrics[index]
        except IndexError:
            # MXNet returns (does not raise) this error object
            return ValueError(f"Metric index {index} is out of range 0 and {len(self.metrics)}")

    def update_dict(self, labels, preds):
        if self.label_names is not None:
            labels = OrderedDict(i for i in labels.items() if i[0] in self.label_names)
        if self.output_names is not None:
            preds = OrderedDict(i for i in preds.items() if i[0] in self.output_names)
        for metric in self.metrics:
            metric.update_dict(labels, preds)

    def update(self, labels, preds):
        for metric in self.metrics:
            metric.update(labels, preds)

    def reset(self):
        for metric in getattr(self, "metrics", ()):   # called by __init__ before metrics exist
            metric.reset()

    def reset_local(self):
        for metric in self.metrics:
            metric.reset_local()

    def get(self):
        return self._collect(lambda m: m.get())

    def get_global(self):
        return self._collect(lambda m: m.get_global())

    def _collect(self, getter):
        names, values = [], []
        for metric in self.metrics:
            name, value = getter(metric)
            names.extend([name] if isinstance(name, str) else name)
            values.extend([value] if isinstance(value, numeric_types) else value)
        return (names, values)

    def get_config(self):
        config = super().get_config()
        config["metrics"] = [m.get_config() for m in self.metrics]
        return config


@register
class CustomMetric(EvalMetric):
    """A metric computed by ``feval(label, pred)`` on NumPy arrays, per (label, pred) pair.

    ``feval`` returns either a value (counted as one instance) or ``(sum_metric, num_inst)``.

    Examples
    --------
    >>> m = mx.metric.CustomMetric(lambda l, p: (l + p).mean())
    >>> m.update([mx.nd.array([[2.5], [0.], [2], [8]])], [mx.nd.array([[3], [-0.5], [2], [7]])])
    >>> m.get()
    ('custom(<lambda>)', 6.0)
    """

    def __init__(self, feval, name=None, allow_extra_outputs=False,
                 output_names=None, label_names=None):
        if name is None:
            name = feval.__name__
            if "<" in name:
                name = f"custom({name})"
        super().__init__(name, feval=feval, allow_extra_outputs=allow_extra_outputs,
                         output_names=output_names, label_names=label_names,
                         has_global_stats=True)
        self._feval = feval
        self._allow_extra_outputs = allow_extra_outputs

    def update(self, labels, preds):
        if not self._allow_extra_outputs:
            labels, preds = check_label_shapes(labels, preds, True)
        for pred, label in zip(preds, labels):
            reval = self._feval(as_numpy(label), as_numpy(pred))
            if isinstance(reval, tuple):
                self._add(*reval)
            else:
                self._add(reval, 1)

    def get_config(self):
        raise NotImplementedError("CustomMetric cannot be serialized")


def np(numpy_feval, name=None, allow_extra_outputs=False):
    """Create a CustomMetric from ``numpy_feval(label, pred)`` working on NumPy arrays.

    Examples
    --------
    >>> def mae(label, pred):
    ...     return numpy.abs(label - pred).mean()
    >>> mx.metric.np(mae).name
    'mae'
    """
    def feval(label, pred):
        return numpy_feval(label, pred)
    feval.__name__ = numpy_feval.__name__
    return CustomMetric(feval, name, allow_extra_outputs)
