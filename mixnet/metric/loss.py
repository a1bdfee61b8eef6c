"""Likelihood-based metrics (Perplexity, CrossEntropy, NegativeLogLikelihood) and Loss
(with its Torch and Caffe aliases)."""
import math

import numpy

from ..base import MXNetValueError
from .base import EvalMetric, register, alias, check_label_shapes, as_numpy, _is_array

__all__ = ["Perplexity", "CrossEntropy", "NegativeLogLikelihood", "Loss", "Torch", "Caffe"]


@register
class Perplexity(EvalMetric):
    """Computes perplexity: ``exp(-mean(log p(label)))`` over the non-ignored labels.

    Parameters
    ----------
    ignore_label : int or None
        Label value to leave out of the count (None: count every entry).
    axis : int, default -1
        The class axis of the predictions.

    Examples
    --------
    >>> perp = mx.metric.Perplexity(ignore_label=None)
    >>> perp.update([mx.nd.array([0, 1, 1])], [mx.nd.array([[0.3, 0.7], [0, 1.], [0.4, 0.6]])])
    >>> round(perp.get()[1], 6)
    1.771098
    """

    def __init__(self, ignore_label, axis=-1, name="perplexity",
                 output_names=None, label_names=None):
        super().__init__(name, ignore_label=ignore_label, axis=axis,
                         output_names=output_names, label_names=label_names,
                         has_global_stats=True)
        self.ignore_label = ignore_label
        self.axis = axis

    def _picked(self, label, pred):
        """p(label) for each label entry, indices clipped like ``nd.pick`` (mode='clip')."""
        if label.size != pred.size / pred.shape[-1]:
            raise MXNetValueError(f"shape mismatch: {label.shape} vs. {pred.shape}")
        classes = numpy.moveaxis(pred, self.axis, -1)
        classes = classes.reshape(-1, classes.shape[-1])
        index = numpy.clip(label.reshape(-1).astype("int32"), 0, classes.shape[-1] - 1)
        return classes[numpy.arange(index.size), index]

    def update(self, labels, preds):
        if len(labels) != len(preds):
            raise MXNetValueError(f"Perplexity: got {len(labels)} labels but {len(preds)} "
                                  "predictions")
        loss, num = 0., 0
        for label, pred in zip(labels, preds):
            label, pred = as_numpy(label), as_numpy(pred)
            picked = self._picked(label, pred)
            if self.ignore_label is not None:
                ignore = (label.reshape(-1) == self.ignore_label).astype(picked.dtype)
                num -= int(ignore.sum())
                picked = picked * (1 - ignore) + ignore
            loss -= float(numpy.log(numpy.maximum(1e-10, picked)).sum())
            num += picked.size
        self._add(loss, num)

    def get(self):
        if self.num_inst == 0:
            return (self.name, float("nan"))
        return (self.name, math.exp(self.sum_metric / self.num_inst))

    def get_global(self):
        if self.global_num_inst == 0:
            return (self.name, float("nan"))
        return (self.name, math.exp(self.global_sum_metric / self.global_num_inst))


class _LogLikelihoodMetric(EvalMetric):
    """Sum of ``-log(p[label] + eps)`` over samples, reported per sample."""

    def __init__(self, eps, name, output_names, label_names):
        super().__init__(name, eps=eps, output_names=output_names, label_names=label_names,
                         has_global_stats=True)
        self.eps = eps

    def update(self, labels, preds):
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds):
            label, pred = as_numpy(label).ravel(), as_numpy(pred)
            if label.shape[0] != pred.shape[0]:
                raise MXNetValueError(f"{type(self).__name__}: {label.shape[0]} labels for "
                                      f"{pred.shape[0]} predictions")
            prob = pred[numpy.arange(label.shape[0]), numpy.int64(label)]
            self._add((-numpy.log(prob + self.eps)).sum(), label.shape[0])


@register
@alias("ce")
class CrossEntropy(_LogLikelihoodMetric):
    """Computes Cross Entropy loss: mean over samples of ``-log(p[label] + eps)``.

    Examples
    --------
    >>> ce = mx.metric.CrossEntropy()
    >>> ce.update([mx.nd.array([0, 1, 1])], [mx.nd.array([[0.3, 0.7], [0, 1.], [0.4, 0.6]])])
    >>> round(ce.get()[1], 6)
    0.571599
    """

    def __init__(self, eps=1e-12, name="cross-entropy", output_names=None, label_names=None):
        super().__init__(eps, name, output_names, label_names)


@register
@alias("nll_loss")
class NegativeLogLikelihood(_LogLikelihoodMetric):
    """Computes the negative log-likelihood loss: mean of ``-log(p[label] + eps)``.

    Examples
    --------
    >>> nll = mx.metric.NegativeLogLikelihood()
    >>> nll.update([mx.nd.array([0, 1, 1])], [mx.nd.array([[0.3, 0.7], [0, 1.], [0.4, 0.6]])])
    >>> round(nll.get()[1], 6)
    0.571599
    """

    def __init__(self, eps=1e-12, name="nll-loss", output_names=None, label_names=None):
        super().__init__(eps, name, output_names, label_names)


@register
class Loss(EvalMetric):
    """Dummy metric for directly printing loss: the mean of the prediction entries.

    Examples
    --------
    >>> m = mx.metric.Loss()
    >>> m.update(None, [mx.nd.array([1., 2., 3.])])
    >>> m.get()
    ('loss', 2.0)
    """

    def __init__(self, name="loss", output_names=None, label_names=None):
        super().__init__(name, output_names=output_names, label_names=label_names,
                         has_global_stats=True)

    def update(self, _, preds):
        if _is_array(preds):
            preds = [preds]
        for pred in preds:
            pred = as_numpy(pred)
            self._add(pred.sum(), pred.size)


@register
class Torch(Loss):
    """Dummy metric for torch criterions."""

    def __init__(self, name="torch", output_names=None, label_names=None):
        super().__init__(name, output_names=output_names, label_names=label_names)


@register
class Caffe(Loss):
    """Dummy metric for caffe criterions."""

    def __init__(self, name="caffe", output_names=None, label_names=None):
        super().__init__(name, output_names=output_names, label_names=label_names)
