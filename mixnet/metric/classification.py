"""Classification metrics: Accuracy, TopKAccuracy, F1, MCC (binary) and PCC (multiclass)."""
import math

import numpy

from ..base import MXNetValueError
from .base import EvalMetric, register, alias, check_label_shapes, as_numpy

__all__ = ["Accuracy", "TopKAccuracy", "F1", "MCC", "PCC"]


@register
@alias("acc")
class Accuracy(EvalMetric):
    """Computes accuracy classification score: the fraction of predictions equal to the label.

    A prediction whose shape differs from the label's is reduced with argmax over ``axis``.

    Examples
    --------
    >>> acc = mx.metric.Accuracy()
    >>> acc.update([mx.nd.array([0, 1, 1])], [mx.nd.array([[0.3, 0.7], [0, 1.], [0.4, 0.6]])])
    >>> acc.get()
    ('accuracy', 0.6666666666666666)
    """

    def __init__(self, axis=1, name="accuracy", output_names=None, label_names=None):
        super().__init__(name, axis=axis, output_names=output_names, label_names=label_names,
                         has_global_stats=True)
        self.axis = axis

    def update(self, labels, preds):
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds):
            label, pred = as_numpy(label), as_numpy(pred)
            if pred.shape != label.shape:
                pred = numpy.argmax(pred, axis=self.axis)
            pred = pred.astype("int32").ravel()
            label = label.astype("int32").ravel()
            check_label_shapes(label, pred)
            self._add((pred == label).sum(), len(pred))


@register
@alias("top_k_accuracy", "top_k_acc")
class TopKAccuracy(EvalMetric):
    """Computes top k predictions accuracy: a hit when the label is among the k best scores.

    Examples
    --------
    >>> m = mx.metric.TopKAccuracy(top_k=2)
    >>> m.update([mx.nd.array([2, 0])], [mx.nd.array([[0.1, 0.5, 0.4], [0.2, 0.3, 0.5]])])
    >>> m.get()
    ('top_k_accuracy_2', 0.5)
    """

    def __init__(self, top_k=1, name="top_k_accuracy", output_names=None, label_names=None):
        super().__init__(name, top_k=top_k, output_names=output_names, label_names=label_names,
                         has_global_stats=True)
        self.top_k = top_k
        if self.top_k <= 1:
            raise MXNetValueError("Please use Accuracy if top_k is no more than 1")
        self.name += f"_{self.top_k}"

    def update(self, labels, preds):
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds):
            pred = as_numpy(pred).astype("float32")
            if pred.ndim > 2:
                raise MXNetValueError(f"TopKAccuracy: predictions should be no more than 2 dims, "
                                      f"got shape {pred.shape}")
            # argpartition is enough: the order inside the top k does not matter
            order = numpy.argpartition(pred, -min(self.top_k, pred.shape[-1]))
            label = as_numpy(label).astype("int32").ravel()
            check_label_shapes(label, order)
            if order.ndim == 1:
                hits = (order.ravel() == label).sum()
            else:
                num_classes = order.shape[1]
                top_k = min(num_classes, self.top_k)
                hits = (order[:, num_classes - top_k:] == label[:, None]).sum()
            self._add(hits, order.shape[0])


class _BinaryStats:
    """True/false positive/negative counts, local and global, for F1 and MCC."""

    FIELDS = ("tp", "fp", "fn", "tn")

    def __init__(self, owner):
        self.owner = owner
        self.reset()

    def reset(self):
        self.local = dict.fromkeys(self.FIELDS, 0)
        self.total = dict.fromkeys(self.FIELDS, 0)

    def reset_local(self):
        self.local = dict.fromkeys(self.FIELDS, 0)

    def update(self, label, pred):
        pred = as_numpy(pred)
        label = as_numpy(label).astype("int32")
        pred_label = numpy.argmax(pred, axis=1)
        check_label_shapes(label, pred)
        if len(numpy.unique(label)) > 2:
            raise MXNetValueError(f"{self.owner} currently only supports binary classification.")
        pred_true, label_true = pred_label == 1, label == 1
        counts = {"tp": (pred_true & label_true).sum(), "fp": (pred_true & ~label_true).sum(),
                  "fn": (~pred_true & label_true).sum(), "tn": (~pred_true & ~label_true).sum()}
        for key, value in counts.items():
            self.local[key] += int(value)
            self.total[key] += int(value)

    def counts(self, use_global=False):
        return self.total if use_global else self.local

    def num_examples(self, use_global=False):
        return sum(self.counts(use_global).values())

    def fscore(self, use_global=False):
        c = self.counts(use_global)
        precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] > 0 else 0.
        recall = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] > 0 else 0.
        if precision + recall > 0:
            return 2 * precision * recall / (precision + recall)
        return 0.

    def matthewscc(self, use_global=False):
        """Matthew's correlation coefficient; zero factors of the denominator count as 1."""
        if not self.num_examples(use_global):
            return 0.
        c = {k: float(v) for k, v in self.counts(use_global).items()}
        terms = [c["tp"] + c["fp"], c["tp"] + c["fn"], c["tn"] + c["fp"], c["tn"] + c["fn"]]
        denom = 1.
        for t in terms:
            denom *= t if t != 0. else 1.
        return (c["tp"] * c["tn"] - c["fp"] * c["fn"]) / math.sqrt(denom)


class _BinaryMetric(EvalMetric):
    """F1/MCC machinery: per-batch scores averaged ('macro') or one pooled score ('micro')."""

    def __init__(self, name, output_names, label_names, average):
        if average not in ("macro", "micro"):
            raise MXNetValueError(f"{type(self).__name__}: average must be 'macro' or 'micro', "
                                  f"got {average!r}")
        self.average = average
        self._stats = _BinaryStats(type(self).__name__)
        super().__init__(name, output_names=output_names, label_names=label_names,
                         has_global_stats=True, average=average)

    def _score(self, use_global):
        raise NotImplementedError()

    def update(self, labels, preds):
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds):
            self._stats.update(label, pred)
        if self.average == "macro":
            self.sum_metric += self._score(False)
            self.global_sum_metric += self._score(True)
            self.num_inst += 1
            self.global_num_inst += 1
            self._stats.reset()
        else:
            self.num_inst = self._stats.num_examples(False)
            self.global_num_inst = self._stats.num_examples(True)
            self.sum_metric = self._score(False) * self.num_inst
            self.global_sum_metric = self._score(True) * self.global_num_inst

    def reset(self):
        super().reset()
        self._stats.reset()

    def reset_local(self):
        super().reset_local()
        self._stats.reset_local()


@register
class F1(_BinaryMetric):
    """Computes the F1 score of a binary classification problem.

    ``F1 = 2 * precision * recall / (precision + recall)``. ``average='macro'`` averages the
    per-batch scores, ``'micro'`` computes one score over all batches.

    Examples
    --------
    >>> f1 = mx.metric.F1()
    >>> f1.update([mx.nd.array([0., 1., 1.])], [mx.nd.array([[0.3, 0.7], [0., 1.], [0.4, 0.6]])])
    >>> f1.get()
    ('f1', 0.8)
    """

    def __init__(self, name="f1", output_names=None, label_names=None, average="macro"):
        super().__init__(name, output_names, label_names, average)

    def _score(self, use_global):
        return self._stats.fscore(use_global)


@register
class MCC(_BinaryMetric):
    """Computes the Matthews Correlation Coefficient of a binary classification problem.

    ``MCC = (TP*TN - FP*FN) / sqrt((TP+FP)(TP+FN)(TN+FP)(TN+FN))``, zero factors replaced by 1.

    Examples
    --------
    >>> mcc = mx.metric.MCC()
    >>> mcc.update([mx.nd.array([0., 1., 1.])], [mx.nd.array([[0.3, 0.7], [0., 1.], [0.4, 0.6]])])
    >>> round(mcc.get()[1], 6)
    0.0
    """

    def __init__(self, name="mcc", output_names=None, label_names=None, average="macro"):
        super().__init__(name, output_names, label_names, average)

    def _score(self, use_global):
        return self._stats.matthewscc(use_global)


@register
class PCC(EvalMetric):
    """Multiclass Matthews correlation (Pearson on the confusion matrix); equals MCC for two
    classes. The confusion matrix grows as new class indices appear.

    Examples
    --------
    >>> pcc = mx.metric.PCC()
    >>> pcc.update([mx.nd.array([0, 1, 1, 0])],
    ...            [mx.nd.array([[0.3, 0.7], [0, 1.], [0.4, 0.6], [0.8, 0.2]])])
    >>> round(pcc.get()[1], 6)
    0.57735
    """

    def __init__(self, name="pcc", output_names=None, label_names=None, has_global_stats=True):
        self.k = 2
        super().__init__(name=name, output_names=output_names, label_names=label_names,
                         has_global_stats=has_global_stats)

    def _grow(self, inc):
        self.lcm = numpy.pad(self.lcm, ((0, inc), (0, inc)), "constant")
        self.gcm = numpy.pad(self.gcm, ((0, inc), (0, inc)), "constant")
        self.k += inc

    @staticmethod
    def _calc_mcc(cmat):
        n = cmat.sum()
        x = cmat.sum(axis=1)
        y = cmat.sum(axis=0)
        cov_xx = numpy.sum(x * (n - x))
        cov_yy = numpy.sum(y * (n - y))
        if cov_xx == 0 or cov_yy == 0:
            return float("nan")
        cov_xy = numpy.sum(cmat.diagonal() * n - x * y)
        return cov_xy / (cov_xx * cov_yy) ** 0.5

    def update(self, labels, preds):
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds):
            label = as_numpy(label).astype("int32")
            pred = as_numpy(pred)
            pred = pred.argmax(axis=1) if pred.shape != label.shape else pred.astype("int32")
            label, pred = label.ravel(), pred.ravel()
            n = max(pred.max(), label.max())
            if n >= self.k:
                self._grow(int(n) + 1 - self.k)
            batch_cm = numpy.zeros((self.k, self.k))
            numpy.add.at(batch_cm, (pred, label), 1)
            self.lcm += batch_cm
            self.gcm += batch_cm
        self.num_inst += 1
        self.global_num_inst += 1

    # the sums are derived from the confusion matrices, so they are read-only properties
    @property
    def sum_metric(self):
        return self._calc_mcc(self.lcm) * self.num_inst

    @property
    def global_sum_metric(self):
        return self._calc_mcc(self.gcm) * self.global_num_inst

    def reset(self):
        self.global_num_inst = 0
        self.gcm = numpy.zeros((self.k, self.k))
        self.reset_local()

    def reset_local(self):
        self.num_inst = 0
        self.lcm = numpy.zeros((self.k, self.k))
