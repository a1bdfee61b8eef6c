"""Random ops (random.py) and mx.nd.random / mx.random: shapes and dtypes, moments of
large samples (tolerances of about 6 standard errors), seeding, and errors that surface at
the sync point."""
import numpy as np
import pytest

import mixnet as mx
import mixnet.ndarray.random  # noqa: F401  (mx.nd.random until the lead exports it)
import mixnet.random  # noqa: F401
from mixnet.ops.random import DISTRIBUTIONS

from .harness import Sample, parametrize, run_sample

nd = mx.nd
PROBS = np.array([[0.1, 0.2, 0.7], [0.5, 0.5, 0.0]], np.float32)


def multinomial_grad_ref(ograd, data, samples):
    grad = np.zeros_like(data)
    for row in range(data.shape[0]):
        for j, s in enumerate(samples[row].astype(int)):
            grad[row, s] += ograd[row, j] / data[row, s]
    return grad


SAMPLES = [
    Sample(f"_random_{name}", [], {"shape": (2, 3)}) for name in DISTRIBUTIONS
] + [
    Sample(f"_random_{name}_like", [(2, 3)], low=0.2, high=0.8, nd_fn=f"random.{name}_like")
    for name in DISTRIBUTIONS
] + [
    Sample(f"_sample_{name}", [(2,)] * len(dist.names), {"shape": (3,)}, low=0.2, high=0.8)
    for name, dist in DISTRIBUTIONS.items()
] + [
    Sample("_random_uniform", [], {"shape": (2,), "dtype": "float64"}),
    Sample("_random_normal", [], {"shape": 4, "dtype": "float16", "loc": 3}),
    Sample("_sample_normal", [(2, 2)] * 2, {"dtype": "float64"}, dtype=np.float64),
    Sample("_random_randint", [], {"low": -3, "high": 3, "shape": (5,)}),
    Sample("_random_randint", [], {"low": 0, "high": 9, "shape": (2, 2), "dtype": "int64"}),
    Sample("_sample_multinomial", [PROBS], grad=False),
    Sample("_sample_multinomial", [PROBS[0]], {"shape": (4,), "get_prob": True}, grad=False),
    Sample("_sample_multinomial", [PROBS], {"dtype": "float32"}, grad=False),
    Sample("_backward_sample_multinomial",
           [(2, 3), PROBS, np.array([[2, 1, 2], [0, 1, 1]], np.float32)], {"shape": (3,)},
           ref=lambda g, d, s, shape: multinomial_grad_ref(g, d, s), grad=False),
    Sample("_shuffle", [(5, 2)], ref=None),
]


@parametrize(SAMPLES)
def test_op(sample):
    run_sample(sample)


# --- moments of large samples ---------------------------------------------------------

N = 200_000
MOMENTS = [  # (function, kwargs, mean, variance)
    ("uniform", {"low": -1, "high": 3}, 1.0, 16 / 12),
    ("normal", {"loc": 2, "scale": 3}, 2.0, 9.0),
    ("gamma", {"alpha": 2, "beta": 1.5}, 3.0, 4.5),
    ("exponential", {"scale": 2}, 2.0, 4.0),
    ("poisson", {"lam": 4}, 4.0, 4.0),
    ("negative_binomial", {"k": 3, "p": 0.4}, 4.5, 11.25),
    ("generalized_negative_binomial", {"mu": 2, "alpha": 0.5}, 2.0, 4.0),
    ("randint", {"low": -2, "high": 5}, 1.0, 4.0),
]


def check_moments(x, mean, var):
    x = x.astype(np.float64).ravel()
    n = x.size
    assert abs(x.mean() - mean) < 6 * np.sqrt(var / n) + 1e-3, (x.mean(), mean)
    assert abs(x.var() / var - 1) < 0.05, (x.var(), var)


@pytest.mark.parametrize("fn, kwargs, mean, var", MOMENTS, ids=[m[0] for m in MOMENTS])
def test_scalar_parameter_moments(fn, kwargs, mean, var):
    mx.random.seed(7)
    x = getattr(nd.random, fn)(shape=(N,), **kwargs)
    check_moments(x.asnumpy(), mean, var)


def test_sample_ops_draw_per_element():
    mx.random.seed(3)
    mu, sigma = nd.array([0.0, 10.0]), nd.array([1.0, 0.5])
    x = nd.random.normal(mu, sigma, shape=(N // 2,)).asnumpy()
    assert x.shape == (2, N // 2)
    check_moments(x[0], 0.0, 1.0)
    check_moments(x[1], 10.0, 0.25)
    lam = nd.array([[1.0], [8.0]])
    y = nd.sample_poisson(lam, shape=(N // 4,)).asnumpy()
    assert y.shape == (2, 1, N // 4)
    check_moments(y[0, 0], 1.0, 1.0)
    check_moments(y[1, 0], 8.0, 8.0)
    g = nd.sample_gamma(nd.array([2.0]), nd.array([3.0]), shape=(N // 4,)).asnumpy()
    check_moments(g[0], 6.0, 18.0)


def test_multinomial_frequencies_and_log_prob():
    mx.random.seed(11)
    samples, logp = nd.random.multinomial(nd.array(PROBS), shape=(N // 4,), get_prob=True)
    s = samples.asnumpy()
    assert s.shape == (2, N // 4) and s.dtype == np.int32
    for row in range(2):
        freq = np.bincount(s[row], minlength=3) / s.shape[1]
        np.testing.assert_allclose(freq, PROBS[row], atol=0.01)
        np.testing.assert_allclose(logp.asnumpy()[row], np.log(PROBS[row][s[row]]), rtol=1e-6)


def test_multinomial_gradient_of_log_prob():
    data = nd.array(PROBS)
    data.attach_grad()
    with mx.autograd.record():
        samples, logp = nd.random.multinomial(data, shape=(4,), get_prob=True)
    logp.backward()
    expect = multinomial_grad_ref(np.ones((2, 4), np.float32), PROBS, samples.asnumpy())
    np.testing.assert_allclose(data.grad.asnumpy(), expect, rtol=1e-6)


def test_shuffle_permutes_rows():
    x = nd.array(np.arange(20).reshape(10, 2))
    y = nd.random.shuffle(x).asnumpy()
    assert sorted(map(tuple, y)) == sorted(map(tuple, x.asnumpy()))
    assert (y[:, 1] - y[:, 0] == 1).all()   # rows move whole


# --- seeding --------------------------------------------------------------------------

def test_seed_reproduces_draws():
    mx.random.seed(42)
    a = nd.random.uniform(shape=(5,)).asnumpy()
    b = nd.random.normal(shape=(5,)).asnumpy()
    mx.random.seed(42)
    np.testing.assert_array_equal(nd.random.uniform(shape=(5,)).asnumpy(), a)
    np.testing.assert_array_equal(nd.random.normal(shape=(5,)).asnumpy(), b)
    assert not np.array_equal(nd.random.uniform(shape=(5,)).asnumpy(), a)


def test_contexts_draw_independent_streams():
    mx.random.seed(42)
    a = nd.random.normal(shape=(5,), ctx=mx.cpu(0)).asnumpy()
    b = nd.random.normal(shape=(5,), ctx=mx.cpu(1)).asnumpy()
    assert not np.array_equal(a, b)
    mx.random.seed(42, ctx=mx.cpu(1))
    np.testing.assert_array_equal(nd.random.normal(shape=(5,), ctx=mx.cpu(1)).asnumpy(), b)


def test_seed_must_be_int():
    with pytest.raises(ValueError, match="seed_state must be int"):
        mx.random.seed(1.5)


# --- wrappers -----------------------------------------------------------------------------

def test_wrapper_shapes_dtypes_and_aliases():
    assert nd.random.uniform().shape == (1,)
    assert nd.random.normal(shape=2).shape == (2,)
    assert nd.random.randn(2, 3, loc=1).shape == (2, 3)
    assert nd.random.randint(0, 5, shape=(3,)).dtype == np.int32
    assert nd.random.uniform(shape=(2,), dtype="float64").dtype == np.float64
    assert nd.random.normal(shape=(2,), ctx=mx.cpu(1)).context == mx.cpu(1)
    assert nd.random.uniform_like(nd.ones((2, 3), dtype="float64")).dtype == np.float64
    out = nd.zeros((2, 2))
    assert nd.random.uniform(out=out) is out
    assert nd.uniform is nd.random_uniform or nd.uniform.__name__ == "_random_uniform"
    assert nd.normal(shape=(3,)).shape == (3,)
    assert mx.random.uniform is nd.random.uniform


def test_mixed_parameter_types_are_rejected():
    with pytest.raises(TypeError, match="same type"):
        nd.random.uniform(nd.array([0.0]), 2)
    with pytest.raises(ValueError, match="NDArray or numbers"):
        nd.random.uniform("a", "b")


# --- errors ---------------------------------------------------------------------------------

@pytest.mark.parametrize("call, message", [
    (lambda: nd.random.normal(0, -1, (2, 2)), "scale parameter in gaussian"),
    (lambda: nd.random.uniform(2, 1, (2,)), "low must be less or equal to high"),
    (lambda: nd.random.gamma(-1, 1, shape=3), "alpha parameter in gamma"),
    (lambda: nd.random.exponential(-1, shape=3), "lambda parameter in exponential"),
    (lambda: nd.random.poisson(-1, shape=3), "lambda parameter in poisson"),
    (lambda: nd.random.negative_binomial(-2, 0.3, shape=3), "k parameter in negative"),
    (lambda: nd.random.generalized_negative_binomial(2, -0.3, shape=3), "alpha parameter"),
    (lambda: nd.random.randint(5, 1, shape=3), "low must be less or equal to high"),
])
def test_invalid_parameters_fail_at_the_sync_point(call, message):
    x = call()   # no error yet: the op runs on the engine
    with pytest.raises(mx.base.MXNetError, match=message):
        x.wait_to_read()
    assert nd.random.normal(shape=(2,)).asnumpy().shape == (2,)   # the generator still works


def test_missing_shape_fails_in_shape_inference():
    with pytest.raises(mx.base.MXNetError, match="shape"):
        nd.random_uniform()
    with pytest.raises(mx.base.MXNetError, match="_random_uniform"):
        nd.random_uniform(shape=(0, 3))


def test_sample_parameter_shapes_and_dtypes_must_agree():
    with pytest.raises(mx.base.MXNetError, match="same shape"):
        nd.sample_uniform(nd.array([0, 1]), nd.array([1, 2, 3]))
    with pytest.raises(mx.base.MXNetError, match="dtype"):
        nd.sample_normal(nd.array([0.0], dtype="float64"), nd.array([1.0]))
    with pytest.raises(mx.base.MXNetError, match="dtype"):
        nd.random_uniform(shape=(2,), dtype="int32")
