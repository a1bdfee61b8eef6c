"""mx.test_utils: tolerances, comparisons, random data, environment, numeric gradients."""
import os
import threading

import numpy as np
import pytest

import mixnet as mx
from mixnet import test_utils as tu
from mixnet.base import MXNetError


# --- context / dtype ---------------------------------------------------------------
def test_default_context_is_thread_local():
    old = tu.default_context()
    seen = []
    try:
        tu.set_default_context(mx.cpu(3))
        assert tu.default_context() == mx.cpu(3)
        t = threading.Thread(target=lambda: seen.append(tu.default_context()))
        t.start()
        t.join()
    finally:
        tu.set_default_context(old)
    assert seen == [mx.cpu(0)]
    assert tu.default_context() == old
    assert tu.default_dtype() is np.float32


# --- tolerances ------------------------------------------------------------------
@pytest.mark.parametrize("dtype, rtol, atol", [
    (np.float16, 1e-2, 1e-1), (np.float32, 1e-4, 1e-3), (np.float64, 1e-5, 1e-20),
    (np.int32, 0, 0), (np.uint8, 0, 0), (np.bool_, 0, 0)])
def test_default_tolerances(dtype, rtol, atol):
    assert tu.get_rtol(None, np.dtype(dtype)) == rtol
    assert tu.get_atol(None, np.dtype(dtype)) == atol
    assert tu.get_tols(np.ones(2, dtype), np.ones(2, dtype), None, None) == (rtol, atol)


def test_get_tols_takes_looser_dtype_and_explicit_values():
    assert tu.get_tols(np.ones(2, np.float16), np.ones(2), None, None) == (1e-2, 1e-1)
    assert tu.get_tols(mx.nd.ones((2,)), np.ones(2), None, None) == (1e-4, 1e-3)
    assert tu.get_tols(1.0, np.ones(2, np.float32), 0.5, 0.25) == (0.5, 0.25)
    per_dtype = {np.dtype(np.float32): 7e-3}
    assert tu.get_tols(np.ones(1, np.float32), np.ones(1, np.float32), per_dtype, None)[0] == 7e-3
    assert tu.get_rtol() == 1e-5 and tu.get_atol() == 1e-20 and tu.get_etol() == 0
    assert tu.get_rtol(0.3) == 0.3 and tu.get_etol(0.1) == 0.1


def test_assert_almost_equal_uses_dtype_defaults():
    a = np.ones(4, np.float32)
    tu.assert_almost_equal(a, a + 5e-4)                      # inside float32 atol 1e-3
    with pytest.raises(AssertionError):
        tu.assert_almost_equal(a, a + 5e-3)
    tu.assert_almost_equal(a.astype(np.float16), a + 5e-2)   # float16: atol 1e-1
    with pytest.raises(AssertionError):
        tu.assert_almost_equal(a.astype(np.float64), a.astype(np.float64) + 1e-4)
    tu.assert_almost_equal(mx.nd.array(a), mx.nd.array(a + 5e-4))
    tu.assert_almost_equal(mx.nd.array(a), a + 5e-4)
    tu.assert_almost_equal(np.array([np.nan]), np.array([np.nan]), equal_nan=True)
    with pytest.raises(AssertionError):
        tu.assert_almost_equal(np.array([1, 2]), np.array([1, 3]))   # integers are exact


def test_assert_almost_equal_message_names_worst_position():
    a = np.array([[1., 2., 3.], [4., 5., 6.]], dtype=np.float32)
    b = a.copy()
    b[1, 2] = 6.5
    b[0, 0] = 1.01
    with pytest.raises(AssertionError) as err:
        tu.assert_almost_equal(a, b, names=('x', 'y'))
    msg = str(err.value)
    # the message MXNet 1.9.1 produces for the same inputs
    assert "Error 303.030304 exceeds tolerance rtol=1.000000e-04, atol=1.000000e-03 " \
           "(mismatch 33.333333%)." in msg
    assert "Location of maximum error: (1, 2), x=6.00000000, y=6.50000000" in msg
    assert "ACTUAL: array(" in msg and "DESIRED: array(" in msg


def test_assert_almost_equal_scalar_message():
    with pytest.raises(AssertionError) as err:
        tu.assert_almost_equal(np.float32(1), np.float32(2))
    # NOTE: the last digits depend on NumPy's scalar promotion rules (NEP 50)
    assert "Error 833.333" in str(err.value)
    assert "exceeds tolerance rtol=1.000000e-04, atol=1.000000e-03.\n" in str(err.value)


def test_assert_almost_equal_bool_and_shape_check():
    tu.assert_almost_equal(np.array([True, False]), np.array([True, False]))
    with pytest.raises(AssertionError):
        tu.assert_almost_equal(np.array([True]), np.array([False]))
    tu.assert_almost_equal(np.ones((2, 3)), np.ones(3))      # broadcasting allowed
    with pytest.raises(AssertionError, match="are not equal"):
        tu.assert_almost_equal(np.ones((2, 3)), np.ones(3), use_broadcast=False)


def test_almost_equal_and_variants():
    assert tu.almost_equal(np.ones(3), np.ones(3) + 1e-6)
    assert not tu.almost_equal(np.ones(3), np.ones(3) + 1e-4)
    assert tu.almost_equal(np.ones(3), np.ones(3) + 0.05, rtol=0.1)
    a = np.array([1., np.nan, 3.])
    b = np.array([1., 2., np.nan])
    assert tu.almost_equal_ignore_nan(a, b)
    tu.assert_almost_equal_ignore_nan(a, b)
    with pytest.raises(AssertionError):
        tu.assert_allclose(np.ones(2), np.ones(2) + 1e-5)
    tu.assert_allclose(np.array([np.nan]), np.array([np.nan]))


def test_assert_almost_equal_with_err():
    a = np.zeros(100)
    b = a.copy()
    b[:3] = 1
    tu.assert_almost_equal_with_err(a, b, etol=0.05)
    with pytest.raises(AssertionError, match="mismatch"):
        tu.assert_almost_equal_with_err(a, b, etol=0.01)
    with pytest.raises(AssertionError):
        tu.assert_almost_equal_with_err(a, b)


def test_find_max_violation():
    idx, rel = tu.find_max_violation(np.array([1., 2., 3.]), np.array([1., 2.5, 3.]), 0, 0.1)
    assert idx == (1,) and rel == pytest.approx(5.0)


def test_same_and_same_array():
    assert tu.same(np.arange(3), np.arange(3))
    assert not tu.same(np.arange(3), np.arange(1, 4))
    assert not tu.same(np.arange(3), np.arange(3).reshape(1, 3))
    x = mx.nd.ones((2, 2))
    assert tu.same_array(x, x)
    assert not tu.same_array(x, x.copy())
    tu.assert_almost_equal(x, np.ones((2, 2)))            # same_array left x unchanged


def test_assert_exception():
    tu.assert_exception(lambda: 1 / 0, ZeroDivisionError)
    with pytest.raises(AssertionError):
        tu.assert_exception(lambda: 1, ZeroDivisionError)


# --- environment -------------------------------------------------------------------
def test_environment_sets_and_restores():
    os.environ["MX_TU_A"] = "old"
    os.environ.pop("MX_TU_B", None)
    try:
        with tu.environment({"MX_TU_A": "new", "MX_TU_B": "b"}):
            assert os.environ["MX_TU_A"] == "new" and os.environ["MX_TU_B"] == "b"
        assert os.environ["MX_TU_A"] == "old" and "MX_TU_B" not in os.environ
        with pytest.raises(KeyError):
            with tu.environment("MX_TU_A", None):
                assert "MX_TU_A" not in os.environ
                raise KeyError("body fails")
        assert os.environ["MX_TU_A"] == "old"
    finally:
        os.environ.pop("MX_TU_A", None)


def test_environment_as_decorator():
    @tu.environment("MX_TU_C", "1")
    def body():
        return os.environ.get("MX_TU_C")
    assert body() == "1" and body() == "1"
    assert "MX_TU_C" not in os.environ


# --- random data ---------------------------------------------------------------------
def test_rand_shapes_in_bounds():
    np.random.seed(0)
    for _ in range(50):
        s2 = tu.rand_shape_2d(3, 4)
        s3 = tu.rand_shape_3d(2, 3, 4)
        sn = tu.rand_shape_nd(5, 6)
        assert 1 <= s2[0] <= 3 and 1 <= s2[1] <= 4
        assert all(1 <= d <= m for d, m in zip(s3, (2, 3, 4)))
        assert len(sn) == 5 and all(1 <= d <= 6 for d in sn)
        assert all(0 <= d <= 2 for d in tu.rand_shape_nd(3, 2, allow_zero_size=True))
        x, y = tu.rand_coord_2d(0, 5, 10, 12)
        assert 0 <= x < 5 and 10 <= y < 12 and x.dtype == np.int64


def test_random_arrays_shapes_and_dtypes():
    a = tu.random_arrays((2, 3))
    assert isinstance(a, np.ndarray) and a.shape == (2, 3) and a.dtype == np.float32
    b, c, d = tu.random_arrays((4,), (1, 2, 3), ())
    assert b.shape == (4,) and c.shape == (1, 2, 3) and d.shape == ()
    assert {x.dtype for x in (b, c, d)} == {np.dtype(np.float32)}
    u = tu.random_uniform_arrays((3, 3), low=2, high=3, dtype=np.float64)[0]
    assert u.dtype == np.float64 and ((u >= 2) & (u < 3)).all()
    assert sorted(tu.random_sample(list(range(5)), 5)) == list(range(5))
    assert len(set(tu.random_sample(list(range(10)), 4))) == 4


def test_rand_ndarray_dense_and_sparse():
    arr = tu.rand_ndarray((3, 4))
    assert isinstance(arr, mx.nd.NDArray) and arr.shape == (3, 4)
    assert arr.dtype == np.float32 and arr.context == tu.default_context()
    assert tu.rand_ndarray((2,), dtype=np.float64).dtype == np.float64
    if getattr(mx.nd, "sparse", None) is None:
        with pytest.raises(MXNetError, match="csr"):
            tu.rand_ndarray((3, 4), 'csr')
        with pytest.raises(NotImplementedError):
            tu.rand_ndarray((3, 4), 'row_sparse')


def test_powerlaw_rows_double():
    from mixnet.test_utils.random import _powerlaw_dense
    dense = _powerlaw_dense(5, 16, 0.5, np.float32)
    nnz = (dense != 0).sum(axis=1)
    assert nnz[2] == 2 * nnz[1] and nnz[3] == 2 * nnz[2]


# --- reductions ------------------------------------------------------------------
@pytest.mark.parametrize("axis", [None, 0, 2, (0, 2), [1, 2], (0, 1, 2)])
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("func", [np.sum, np.max, np.prod])
def test_np_reduce_matches_numpy(axis, keepdims, func):
    x = np.random.uniform(0.5, 1.5, size=(2, 3, 4))
    np_axis = tuple(axis) if isinstance(axis, list) else axis
    expected = func(x, axis=np_axis, keepdims=keepdims)
    got = tu.np_reduce(x, axis, keepdims, func)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected)


def test_collapse_sum_like():
    a = np.arange(24.).reshape(2, 3, 4)
    np.testing.assert_allclose(tu.collapse_sum_like(a, (3, 1)), a.sum(axis=(0, 2)).reshape(3, 1))
    np.testing.assert_allclose(tu.collapse_sum_like(a, (4,)), a.sum(axis=(0, 1)))
    assert tu.collapse_sum_like(a, (0, 4)).shape == (0, 4)


# --- numeric gradients ---------------------------------------------------------------
class _FunctionExecutor:
    """The slice of the Executor API numeric_grad uses, for ``f(**args)`` on NDArrays."""

    def __init__(self, fn, shapes, dtype):
        self.fn = fn
        self.arg_dict = {k: mx.nd.zeros(s, dtype=dtype) for k, s in shapes.items()}
        self.aux_dict = {}
        self.outputs = []

    def forward(self, is_train=False):
        self.outputs = [self.fn(**self.arg_dict)]


def test_numeric_grad_matches_analytic():
    rng = np.random.RandomState(1)
    x = rng.uniform(-1, 1, (2, 3))
    w = rng.uniform(-1, 1, (2, 3))
    exe = _FunctionExecutor(lambda x, w: mx.nd.sigmoid(x) * w, {"x": x.shape, "w": w.shape},
                            np.float64)
    grads = tu.numeric_grad(exe, {"x": x.copy(), "w": w.copy()}, eps=1e-6, dtype=np.float64)
    s = 1 / (1 + np.exp(-x))
    np.testing.assert_allclose(grads["x"], s * (1 - s) * w, rtol=1e-6)
    np.testing.assert_allclose(grads["w"], s, rtol=1e-6)
    # the arguments are restored after the probes
    np.testing.assert_array_equal(exe.arg_dict["x"].asnumpy(), x)


def test_numeric_grad_skips_integer_arguments():
    exe = _FunctionExecutor(lambda x: x * 2, {"x": (3,)}, np.float32)
    grads = tu.numeric_grad(exe, {"x": np.array([1, 2, 3])}, eps=1e-2)
    np.testing.assert_array_equal(grads["x"], np.zeros(3))


class _MulSymbol:
    """Stand-in for ``x * w`` with the Symbol/Executor calls the checks make."""

    def list_arguments(self):
        return ["x", "w"]

    def list_outputs(self):
        return ["mul_output"]

    def list_auxiliary_states(self):
        return []

    def bind(self, ctx, args, args_grad=None, aux_states=None, grad_req="write"):
        return _MulExecutor(args, args_grad, grad_req)


class _MulExecutor:
    def __init__(self, args, args_grad, grad_req):
        self.arg_dict, self.grad_dict = args, args_grad
        self.grad_req = grad_req if isinstance(grad_req, dict) else \
            {k: grad_req for k in args}
        self.outputs = []

    def forward(self, is_train=False):
        self.outputs = [self.arg_dict["x"] * self.arg_dict["w"]]

    def backward(self, out_grads):
        head = out_grads[0]
        for name, other in (("x", "w"), ("w", "x")):
            grad = head * self.arg_dict[other]
            if self.grad_req[name] == "write":
                self.grad_dict[name][:] = grad
            elif self.grad_req[name] == "add":
                self.grad_dict[name][:] = self.grad_dict[name] + grad


@pytest.mark.parametrize("grad_req", ["write", "add", {"x": "write", "w": "null"}])
def test_check_symbolic_forward_backward_with_stand_in(monkeypatch, grad_req):
    import mixnet.test_utils.symbolic as symbolic
    monkeypatch.setattr(symbolic, "_sym", object())   # pretend mixnet.symbol exists
    x, w, g = np.random.rand(2, 3), np.random.rand(2, 3), np.random.rand(2, 3)
    tu.check_symbolic_forward(_MulSymbol(), [x, w], [x * w])
    tu.check_symbolic_forward(_MulSymbol(), {"x": x, "w": w}, {"mul_output": x * w})
    with pytest.raises(AssertionError, match="EXPECTED_mul_output"):
        tu.check_symbolic_forward(_MulSymbol(), [x, w], [x * w + 1])
    expected = [g * w, g * x]
    tu.check_symbolic_backward(_MulSymbol(), [x, w], [g], expected, grad_req=grad_req)
    if grad_req != {"x": "write", "w": "null"}:
        with pytest.raises(AssertionError, match="BACKWARD_w"):
            tu.check_symbolic_backward(_MulSymbol(), [x, w], [g], [g * w, g * x + 1],
                                       grad_req=grad_req)
    with pytest.raises(ValueError, match="do not match"):
        tu.check_symbolic_forward(_MulSymbol(), {"x": x}, [x])


def test_symbol_checks_need_symbol():
    if tu.Symbol is not None:
        pytest.skip("mixnet.symbol exists")
    for fn in (lambda: tu.check_numeric_gradient(None, []),
               lambda: tu.check_symbolic_forward(None, [], []),
               lambda: tu.check_symbolic_backward(None, [], [], []),
               lambda: tu.check_consistency(None, [{}, {}]),
               lambda: tu.simple_forward(None)):
        with pytest.raises(MXNetError, match="mixnet.symbol"):
            fn()


# --- misc --------------------------------------------------------------------------
def test_feature_flags_and_gpus():
    assert tu.has_tvm_ops() is False and tu.is_mkldnn_enabled() is False
    assert tu.is_op_runnable() is True
    assert list(tu.list_gpus()) == list(range(mx.context.num_gpus()))
    assert tu.is_cd_run() in (True, False)


def test_star_import_exposes_mxnet_module_names():
    # no __all__: ``from mxnet.test_utils import *`` exports every public module-level name
    assert not hasattr(tu, "__all__")
    names = {n for n in dir(tu) if not n.startswith("_")}
    for name in ("np", "mx", "os", "sys", "rnd", "array", "Context", "assert_almost_equal",
                 "default_context", "environment", "use_np", "discard_stderr", "same"):
        assert name in names, name


def test_discard_stderr_and_retry():
    with tu.discard_stderr():
        os.write(2, b"")
    calls = []

    @tu.retry(3)
    def flaky():
        calls.append(1)
        assert len(calls) >= 2
    flaky()
    assert len(calls) == 2


def test_stats_helpers():
    np.random.seed(0)
    assert tu.mean_check(lambda n: np.random.normal(0, 1.0, size=n), 0, 1.0, nsamples=100000)
    assert tu.var_check(lambda n: np.random.normal(0, 1.0, size=n), 1.0, nsamples=100000)
    buckets, probs = tu.gen_buckets_probs_with_ppf(lambda p: p, 4)
    assert buckets[0] == (0.0, 0.25) and probs == [0.25] * 4
    if tu.ss is not None:
        p, obs, _ = tu.chi_square_check(lambda n: np.random.uniform(size=n), buckets, probs,
                                        nsamples=10000)
        assert obs.sum() == 10000 and 0 <= p <= 1
