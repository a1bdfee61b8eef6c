"""mixnet.metric: each metric's values against hand-computed NumPy, registry/create/config,
local vs global statistics, and MXNet 1.9.1's reported names."""
import copy
import json
import math

import numpy as np
import pytest

import mixnet as mx
from mixnet import metric
from mixnet.base import MXNetError

PRED = np.array([[0.3, 0.7], [0., 1.], [0.4, 0.6]], dtype=np.float32)
LABEL = np.array([0, 1, 1], dtype=np.float32)


def nd(x):
    return mx.nd.array(x)


def _updated(m, labels, preds):
    m.update([nd(x) for x in labels], [nd(x) for x in preds])
    return m.get()


# --- registry / create / config ----------------------------------------------------------

@pytest.mark.parametrize("name, cls", [
    ("acc", metric.Accuracy), ("accuracy", metric.Accuracy), ("ACC", metric.Accuracy),
    ("top_k_acc", metric.TopKAccuracy), ("top_k_accuracy", metric.TopKAccuracy),
    ("f1", metric.F1), ("mcc", metric.MCC), ("pcc", metric.PCC), ("mae", metric.MAE),
    ("mse", metric.MSE), ("rmse", metric.RMSE), ("ce", metric.CrossEntropy),
    ("nll_loss", metric.NegativeLogLikelihood), ("pearsonr", metric.PearsonCorrelation),
    ("loss", metric.Loss), ("torch", metric.Torch), ("caffe", metric.Caffe),
    ("composite", metric.CompositeEvalMetric), ("perplexity", metric.Perplexity)])
def test_create_by_name(name, cls):
    args = {"top_k": 3} if cls is metric.TopKAccuracy else {}
    args = {"ignore_label": None} if cls is metric.Perplexity else args
    assert type(metric.create(name, **args)) is cls


def test_default_names():
    names = {metric.Accuracy(): "accuracy", metric.TopKAccuracy(top_k=3): "top_k_accuracy_3",
             metric.F1(): "f1", metric.MCC(): "mcc", metric.PCC(): "pcc", metric.MAE(): "mae",
             metric.MSE(): "mse", metric.RMSE(): "rmse", metric.CrossEntropy(): "cross-entropy",
             metric.NegativeLogLikelihood(): "nll-loss",
             metric.PearsonCorrelation(): "pearsonr", metric.Loss(): "loss",
             metric.Torch(): "torch", metric.Caffe(): "caffe",
             metric.Perplexity(-1): "perplexity"}
    for m, name in names.items():
        assert m.name == name


def test_create_instance_list_callable_and_json():
    acc = metric.Accuracy()
    assert metric.create(acc) is acc
    comp = metric.create(["acc", "f1"])
    assert isinstance(comp, metric.CompositeEvalMetric)
    assert [type(m) for m in comp.metrics] == [metric.Accuracy, metric.F1]

    def my_fn(label, pred):
        return 0.5
    custom = metric.create(my_fn)
    assert isinstance(custom, metric.CustomMetric) and custom.name == "my_fn"
    assert metric.create('["acc", {"axis": 0}]').axis == 0
    assert metric.create('{"metric": "mse", "name": "m"}').name == "m"


def test_create_errors():
    with pytest.raises(MXNetError, match="not registered"):
        metric.create("no_such_metric")
    with pytest.raises(MXNetError, match="already an instance"):
        metric.create(metric.Accuracy(), axis=0)
    with pytest.raises(MXNetError, match="top_k"):
        metric.TopKAccuracy(top_k=1)
    with pytest.raises(MXNetError, match="average"):
        metric.F1(average="weighted")


@pytest.mark.parametrize("spec, kwargs", [
    ("acc", {"axis": 0}), ("f1", {"average": "micro"}), ("mcc", {}),
    ("perplexity", {"ignore_label": -1}),
    ("pearsonr", {}), ("pcc", {}), ("nll_loss", {}), ("loss", {}), (["acc", "f1"], {})])
def test_config_round_trip(spec, kwargs):
    m = metric.create(spec, **kwargs)
    again = metric.create(json.dumps(m.get_config()))
    assert again.get_config() == m.get_config()
    assert type(again) is type(m)


def test_get_config_content():
    assert metric.Accuracy().get_config() == {
        "axis": 1, "metric": "Accuracy", "name": "accuracy", "output_names": None,
        "label_names": None}
    with pytest.raises(NotImplementedError):
        metric.CustomMetric(lambda l, p: 0).get_config()


def test_register_custom_class():
    @metric.register
    @metric.alias("my_metric_alias")
    class MyMetric(metric.EvalMetric):
        def __init__(self, name="mine"):
            super().__init__(name)

        def update(self, labels, preds):
            self.sum_metric += 1
            self.num_inst += 1

    assert type(metric.create("mymetric")) is MyMetric
    assert type(metric.create("my_metric_alias")) is MyMetric


# --- values -------------------------------------------------------------------------------

def test_accuracy():
    assert _updated(metric.Accuracy(), [LABEL], [PRED]) == ("accuracy", 2 / 3)
    # 2-D labels are flattened; predictions reduced along axis
    pred = np.random.rand(6, 3).astype(np.float32)
    label = np.array([[0, 1, 2], [2, 1, 0]])
    want = (pred.argmax(1) == label.ravel()).mean()
    assert _updated(metric.Accuracy(), [label], [pred])[1] == pytest.approx(want)
    # class indices as predictions, and axis=0
    assert _updated(metric.Accuracy(), [LABEL], [np.array([0, 1, 0])])[1] == pytest.approx(2 / 3)
    assert _updated(metric.Accuracy(axis=0), [LABEL], [PRED.T])[1] == pytest.approx(2 / 3)


def test_accuracy_accepts_numpy_and_single_arrays():
    m = metric.Accuracy()
    m.update(LABEL, PRED)           # bare arrays are wrapped
    m.update([nd(LABEL)], [PRED])   # numpy predictions in a list
    assert m.get() == ("accuracy", 2 / 3) and m.num_inst == 6


def test_label_count_mismatch():
    with pytest.raises(ValueError, match="does not match"):
        metric.Accuracy().update([nd(LABEL), nd(LABEL)], [nd(PRED)])


def test_top_k_accuracy():
    pred = np.array([[0.1, 0.5, 0.4], [0.2, 0.3, 0.5], [0.6, 0.3, 0.1]], dtype=np.float32)
    label = np.array([2, 0, 1])
    top2 = np.argsort(-pred, axis=1)[:, :2]
    want = np.mean([label[i] in top2[i] for i in range(3)])
    assert _updated(metric.TopKAccuracy(top_k=2), [label], [pred])[1] == pytest.approx(want)
    assert _updated(metric.TopKAccuracy(top_k=5), [label], [pred])[1] == 1.0


def _f1(tp, fp, fn):
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def test_f1_macro_and_micro():
    p1, l1 = np.array([[0.1, 0.9], [0.5, 0.5], [0.8, 0.2]]), np.array([1, 0, 1])   # tp1 fn1
    p2, l2 = np.array([[0.2, 0.8], [0.3, 0.7]]), np.array([1, 0])                     # tp1 fp1
    macro, micro = metric.F1(), metric.F1(average="micro")
    for m in (macro, micro):
        m.update([nd(l1)], [nd(p1)])
        m.update([nd(l2)], [nd(p2)])
    assert macro.get()[1] == pytest.approx((_f1(1, 0, 1) + _f1(1, 1, 0)) / 2)
    assert micro.get()[1] == pytest.approx(_f1(2, 1, 1))
    assert macro.num_inst == 2 and micro.num_inst == 5
    with pytest.raises(ValueError, match="binary"):
        metric.F1().update([nd([0, 1, 2])], [nd(np.eye(3))])


def _mcc(tp, fp, fn, tn):
    terms = [t for t in (tp + fp, tp + fn, tn + fp, tn + fn) if t]
    return (tp * tn - fp * fn) / math.sqrt(np.prod(terms))


def test_mcc_macro_and_micro():
    p1, l1 = np.array([[0.1, 0.9], [0.5, 0.5], [0.8, 0.2], [0.9, 0.1]]), np.array([1, 0, 1, 0])
    p2, l2 = np.array([[0.2, 0.8], [0.3, 0.7]]), np.array([1, 0])
    macro, micro = metric.MCC(), metric.MCC(average="micro")
    for m in (macro, micro):
        m.update([nd(l1)], [nd(p1)])
        m.update([nd(l2)], [nd(p2)])
    # batch 1: tp=1 fp=0 fn=1 tn=2; batch 2: tp=1 fp=1 fn=0 tn=0
    assert macro.get()[1] == pytest.approx((_mcc(1, 0, 1, 2) + _mcc(1, 1, 0, 0)) / 2)
    assert micro.get()[1] == pytest.approx(_mcc(2, 1, 1, 2))


def test_pcc_equals_mcc_for_two_classes_and_grows():
    label = np.array([0, 1, 1, 0, 1, 0, 0])
    pred = np.eye(2)[[0, 1, 0, 0, 1, 1, 0]]
    pcc = _updated(metric.PCC(), [label], [pred])[1]
    assert pcc == pytest.approx(_updated(metric.MCC(), [label], [pred])[1])
    m = metric.PCC()
    m.update([nd([0, 3])], [nd([0, 3])])      # class indices; grows to 4 classes
    assert m.k == 4 and m.get()[1] == pytest.approx(1.0)


def test_perplexity():
    pred = np.array([[0.8, 0.2], [0.2, 0.8], [0.1, 0.9]], dtype=np.float32)
    label = np.array([0, 1, -1])
    m = metric.Perplexity(ignore_label=-1)
    want = math.exp(-(np.log(0.8) + np.log(0.8)) / 2)
    assert _updated(m, [label], [pred])[1] == pytest.approx(want, rel=1e-6)
    everything = metric.Perplexity(ignore_label=None)
    want_all = math.exp(-(np.log(0.8) * 2 + np.log(0.1)) / 3)   # -1 picks class 0 (clipped)
    assert _updated(everything, [label], [pred])[1] == pytest.approx(want_all, rel=1e-6)


def test_cross_entropy_and_nll():
    want = -np.mean(np.log(PRED[np.arange(3), LABEL.astype(int)] + 1e-12))
    assert _updated(metric.CrossEntropy(), [LABEL], [PRED])[1] == pytest.approx(want, rel=1e-6)
    assert _updated(metric.NegativeLogLikelihood(), [LABEL], [PRED])[1] == \
        pytest.approx(want, rel=1e-6)


def test_regression_metrics_average_per_batch():
    l1, p1 = np.array([2.5, 0.0, 2, 8]), np.array([3, -0.5, 2, 7])
    l2, p2 = np.array([[1.0], [2.0]]), np.array([[1.5], [2.0]])
    for m, fn in ((metric.MAE(), lambda d: np.abs(d).mean()),
                  (metric.MSE(), lambda d: (d ** 2).mean()),
                  (metric.RMSE(), lambda d: np.sqrt((d ** 2).mean()))):
        m.update([nd(l1)], [nd(p1)])
        m.update([nd(l2)], [nd(p2)])
        want = (fn(l1 - p1) + fn((l2 - p2).ravel())) / 2
        assert m.get()[1] == pytest.approx(want, rel=1e-6) and m.num_inst == 2


def test_pearson_macro_and_micro():
    rng = np.random.RandomState(0)
    l1, p1, l2, p2 = (rng.rand(4, 3) for _ in range(4))
    macro, micro = metric.PearsonCorrelation(), metric.PearsonCorrelation(average="micro")
    for m in (macro, micro):
        m.update([nd(l1)], [nd(p1)])
        m.update([nd(l2)], [nd(p2)])
    def corr(a, b):
        return np.corrcoef(a.ravel(), b.ravel())[0, 1]
    assert macro.get()[1] == pytest.approx((corr(p1, l1) + corr(p2, l2)) / 2, rel=1e-5)
    assert micro.get()[1] == pytest.approx(
        corr(np.concatenate([p1, p2]), np.concatenate([l1, l2])), rel=1e-5)
    with pytest.raises(ValueError, match="does not match"):
        macro.update([nd(l1)], [nd(p1[:2])])


def test_loss_metrics():
    m = metric.Loss()
    m.update(None, nd([1., 2., 3.]))
    m.update(None, [nd([[4., 5.]])])
    assert m.get() == ("loss", 3.0)
    assert _updated(metric.Torch(), [], [np.ones(4)]) == ("torch", 1.0)


def test_custom_metric_and_np():
    def mean_diff(label, pred):
        assert isinstance(label, np.ndarray) and isinstance(pred, np.ndarray)
        return np.abs(label - pred).mean()
    m = metric.np(mean_diff)
    assert m.name == "mean_diff"
    assert _updated(m, [np.array([1., 2.])], [np.array([2., 2.])])[1] == pytest.approx(0.5)
    pairs = metric.CustomMetric(lambda l, p: (float(np.sum(l == p)), l.size))
    assert pairs.name == "custom(<lambda>)"
    assert _updated(pairs, [np.array([1, 2, 3])], [np.array([1, 0, 3])])[1] == pytest.approx(2 / 3)
    extra = metric.CustomMetric(lambda l, p: 1.0, allow_extra_outputs=True)
    extra.update([nd([1.])], [nd([1.]), nd([2.])])   # the extra output is ignored
    assert extra.num_inst == 1


# --- state: local / global, composite, names ---------------------------------------------

def test_get_before_update_is_nan():
    for m in (metric.Accuracy(), metric.F1(), metric.MCC(), metric.PCC(), metric.Perplexity(None),
              metric.PearsonCorrelation(average="micro")):
        assert math.isnan(m.get()[1])


@pytest.mark.parametrize("spec, kwargs, shape", [
    ("acc", {}, (10, 3)), ("top_k_acc", {"top_k": 2}, (10, 3)), ("f1", {}, (10, 2)),
    ("f1", {"average": "micro"}, (10, 2)), ("mcc", {}, (10, 2)), ("pcc", {}, (10, 2)),
    ("ce", {}, (10, 3)), ("nll_loss", {}, (10, 3)), ("perplexity", {"ignore_label": -1}, (10, 3)),
    (["acc", "ce"], {}, (10, 3))])
def test_reset_local_keeps_global(spec, kwargs, shape):
    rng = np.random.RandomState(1)
    batches = [(rng.randint(0, shape[1], size=shape[0]).astype(np.float32),
                rng.dirichlet(np.ones(shape[1]), size=shape[0]).astype(np.float32))
               for _ in range(4)]
    m1 = metric.create(spec, **kwargs)
    m2 = copy.deepcopy(m1)
    for label, pred in batches:
        m1.update([nd(label)], [nd(pred)])
        m1.reset_local()
        m2.update([nd(label)], [nd(pred)])
    assert m1.get_global() == m2.get()
    assert m1.get_global_name_value() == m2.get_name_value()
    m1.update([nd(batches[0][0])], [nd(batches[0][1])])
    m3 = metric.create(spec, **kwargs)
    m3.update([nd(batches[0][0])], [nd(batches[0][1])])
    assert m1.get() == m3.get()


def test_composite():
    comp = metric.CompositeEvalMetric(["acc", metric.F1()])
    comp.add("ce")
    comp.update([nd(LABEL)], [nd(PRED)])
    names, values = comp.get()
    assert names == ["accuracy", "f1", "cross-entropy"]
    assert values[:2] == [2 / 3, pytest.approx(0.8)]
    assert comp.get_name_value()[0] == ("accuracy", 2 / 3)
    assert isinstance(comp.get_metric(0), metric.Accuracy)
    assert isinstance(comp.get_metric(7), ValueError)   # MXNet returns the error object
    comp.reset()
    assert math.isnan(comp.get()[1][0])


def test_update_dict_selects_names():
    m = metric.Accuracy(output_names=["out"], label_names=["lab"])
    m.update_dict({"lab": nd(LABEL), "other": nd([9, 9, 9])},
                  {"out": nd(PRED), "junk": nd(np.zeros((3, 2)))})
    assert m.get()[1] == 2 / 3
    comp = metric.CompositeEvalMetric(["acc"], label_names=["lab"], output_names=["out"])
    comp.update_dict({"lab": nd(LABEL), "zz": nd([0, 0, 0])}, {"out": nd(PRED)})
    assert comp.get()[1] == [2 / 3]


def test_str_and_values_are_python_floats():
    m = metric.Accuracy()
    m.update([nd(LABEL)], [nd(PRED)])
    assert str(m) == "EvalMetric: {'accuracy': 0.6666666666666666}"
    assert type(m.get()[1]) is float
