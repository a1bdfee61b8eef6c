"""Regression metrics: MAE, MSE, RMSE and PearsonCorrelation."""
import numpy

from ..base import MXNetValueError
from .base import EvalMetric, register, alias, check_label_shapes, as_numpy

__all__ = ["MAE", "MSE", "RMSE", "PearsonCorrelation"]


def _as_columns(label, pred):
    """NumPy copies with 1-D arrays turned into columns, so (N,) and (N, 1) broadcast alike."""
    label, pred = as_numpy(label), as_numpy(pred)
    if label.ndim == 1:
        label = label.reshape(label.shape[0], 1)
    if pred.ndim == 1:
        pred = pred.reshape(pred.shape[0], 1)
    return label, pred


class _BatchMeanMetric(EvalMetric):
    """A per-batch error (``_batch_value``) averaged over batches: one instance per batch."""

    def __init__(self, name, output_names=None, label_names=None):
        super().__init__(name, output_names=output_names, label_names=label_names,
                         has_global_stats=True)

    @staticmethod
    def _batch_value(label, pred):
        raise NotImplementedError()

    def update(self, labels, preds):
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds):
            self._add(self._batch_value(*_as_columns(label, pred)), 1)


@register
class MAE(_BatchMeanMetric):
    """Computes Mean Absolute Error (MAE) loss: mean of ``|label - pred|`` (batch-averaged).

    Examples
    --------
    >>> m = mx.metric.MAE()
    >>> m.update([mx.nd.array([2.5, 0.0, 2, 8])], [mx.nd.array([3, -0.5, 2, 7])])
    >>> m.get()
    ('mae', 0.5)
    """

    def __init__(self, name="mae", output_names=None, label_names=None):
        super().__init__(name, output_names, label_names)

    @staticmethod
    def _batch_value(label, pred):
        return numpy.abs(label - pred).mean()


@register
class MSE(_BatchMeanMetric):
    """Computes Mean Squared Error (MSE) loss: mean of ``(label - pred)**2`` (batch-averaged).

    Examples
    --------
    >>> m = mx.metric.MSE()
    >>> m.update([mx.nd.array([2.5, 0.0, 2, 8])], [mx.nd.array([3, -0.5, 2, 7])])
    >>> m.get()
    ('mse', 0.375)
    """

    def __init__(self, name="mse", output_names=None, label_names=None):
        super().__init__(name, output_names, label_names)

    @staticmethod
    def _batch_value(label, pred):
        return ((label - pred) ** 2.0).mean()


@register
class RMSE(_BatchMeanMetric):
    """Computes Root Mean Squared Error (RMSE) loss, averaged over batches.

    Examples
    --------
    >>> m = mx.metric.RMSE()
    >>> m.update([mx.nd.array([2.5, 0.0, 2, 8])], [mx.nd.array([3, -0.5, 2, 7])])
    >>> round(m.get()[1], 6)
    0.612372
    """

    def __init__(self, name="rmse", output_names=None, label_names=None):
        super().__init__(name, output_names, label_names)

    @staticmethod
    def _batch_value(label, pred):
        return numpy.sqrt(((label - pred) ** 2.0).mean())


@register
@alias("pearsonr")
class PearsonCorrelation(EvalMetric):
    """Computes Pearson correlation between flattened labels and predictions.

    ``average='macro'`` averages per-batch correlations; ``'micro'`` keeps running moments
    (Welford) and reports one correlation over everything seen.

    Examples
    --------
    >>> pr = mx.metric.PearsonCorrelation()
    >>> pr.update([mx.nd.array([[1, 0], [0, 1], [0, 1]])],
    ...           [mx.nd.array([[0.3, 0.7], [0, 1.], [0.4, 0.6]])])
    >>> round(pr.get()[1], 6)
    0.421637
    """

    def __init__(self, name="pearsonr", output_names=None, label_names=None, average="macro"):
        if average not in ("macro", "micro"):
            raise MXNetValueError(f"PearsonCorrelation: average must be 'macro' or 'micro', "
                                  f"got {average!r}")
        self.average = average
        super().__init__(name, output_names=output_names, label_names=label_names,
                         has_global_stats=True, average=average)

    def reset_micro(self):
        """Clear the running moments of the 'micro' average."""
        self._sse_p = self._mean_p = self._sse_l = self._mean_l = 0
        self._pred_nums = self._label_nums = 0
        self._conv = 0

    def reset(self):
        super().reset()
        if self.average == "micro":
            self.reset_micro()

    @staticmethod
    def update_variance(new_values, count, mean, m_2):
        """Welford's online update of (count, mean, sum of squared deviations)."""
        count += len(new_values)
        delta = new_values - mean
        mean += numpy.sum(delta / count)
        m_2 += numpy.sum(delta * (new_values - mean))
        return count, mean, m_2

    def update_cov(self, label, pred):
        """Accumulate the co-moment against the current running means."""
        self._conv = self._conv + numpy.sum((label - self._mean_l) * (pred - self._mean_p))

    def update(self, labels, preds):
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds):
            check_label_shapes(label, pred, False, True)
            label = as_numpy(label).ravel().astype(numpy.float64)
            pred = as_numpy(pred).ravel().astype(numpy.float64)
            if self.average == "macro":
                self._add(numpy.corrcoef(pred, label)[0, 1], 1)
                continue
            self.num_inst += 1
            self.global_num_inst += 1
            self._label_nums, self._mean_l, self._sse_l = \
                self.update_variance(label, self._label_nums, self._mean_l, self._sse_l)
            self.update_cov(label, pred)
            self._pred_nums, self._mean_p, self._sse_p = \
                self.update_variance(pred, self._pred_nums, self._mean_p, self._sse_p)

    def get(self):
        if self.num_inst == 0:
            return (self.name, float("nan"))
        if self.average == "macro":
            return (self.name, float(self.sum_metric / self.num_inst))
        n = self._label_nums
        pearsonr = self._conv / ((n - 1) * numpy.sqrt(self._sse_p / (n - 1))
                                 * numpy.sqrt(self._sse_l / (n - 1)))
        return (self.name, float(pearsonr))

    def get_global(self):
        # 'micro' keeps one set of running moments (reset_local leaves them alone)
        return self.get() if self.average == "micro" else super().get_global()
