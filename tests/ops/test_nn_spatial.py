"""GridGenerator, BilinearSampler and SpatialTransformer against loop-based NumPy
references, numeric gradients, and values from MXNet 1.9.1."""
import numpy as np
import pytest

import mixnet as mx

from .harness import Sample, parametrize, run_sample


def affine_grid_ref(theta, transform_type="affine", target_shape=(0, 0)):
    h, w = target_shape
    out = np.zeros((theta.shape[0], 2, h, w))
    for n in range(theta.shape[0]):
        a = theta[n].reshape(2, 3)
        for i in range(h):
            for j in range(w):
                x, y = -1 + 2 * j / (w - 1), -1 + 2 * i / (h - 1)
                out[n, :, i, j] = a @ [x, y, 1]
    return out


def warp_grid_ref(flow, transform_type="warp", target_shape=(0, 0)):
    _, _, h, w = flow.shape
    out = np.empty_like(flow)
    for i in range(h):
        for j in range(w):
            out[:, 0, i, j] = (flow[:, 0, i, j] + j) / ((w - 1) / 2) - 1
            out[:, 1, i, j] = (flow[:, 1, i, j] + i) / ((h - 1) / 2) - 1
    return out


def bilinear_ref(data, grid, cudnn_off=None):
    n, c, h, w = data.shape
    out = np.zeros((n, c) + grid.shape[2:])

    def pixel(b, yy, xx):   # zero outside the image
        return data[b, :, yy, xx] if 0 <= yy < h and 0 <= xx < w else 0

    for b in range(n):
        for i in range(grid.shape[2]):
            for j in range(grid.shape[3]):
                x = (grid[b, 0, i, j] + 1) * (w - 1) / 2
                y = (grid[b, 1, i, j] + 1) * (h - 1) / 2
                x0, y0 = int(np.floor(x)), int(np.floor(y))
                fx, fy = x - x0, y - y0
                out[b, :, i, j] = (pixel(b, y0, x0) * (1 - fy) * (1 - fx)
                                   + pixel(b, y0, x0 + 1) * (1 - fy) * fx
                                   + pixel(b, y0 + 1, x0) * fy * (1 - fx)
                                   + pixel(b, y0 + 1, x0 + 1) * fy * fx)
    return out


def spatial_transformer_ref(data, loc, target_shape, **_):
    return bilinear_ref(data, affine_grid_ref(loc, target_shape=target_shape))


def bw_grid_ref(ograd, transform_type, target_shape=(0, 0)):
    """The transpose of the grid generator's Jacobian, from its reference."""
    if transform_type == "warp":
        _, _, h, w = ograd.shape
        return ograd * np.array([2 / (w - 1), 2 / (h - 1)]).reshape(1, 2, 1, 1)
    unit = np.eye(6)
    cols = [affine_grid_ref(unit[k:k + 1], target_shape=target_shape) for k in range(6)]
    return np.stack([(ograd * col).sum(axis=(1, 2, 3)) for col in cols], axis=1)


def _grid(*shape, spread=1.3):
    rng = np.random.RandomState(sum(shape))
    return rng.uniform(-spread, spread, shape)


AFFINE = {"transform_type": "affine", "target_shape": (3, 4)}
# (no grid point on a pixel: the sampler has kinks there that a numeric gradient straddles)
LOC = np.array([[0.93, 0.21, 0.13, -0.11, 1.07, 0.05], [1.17, -0.31, 0.19, 0.26, 0.83, -0.12]])
ST = {"target_shape": (3, 4), "transform_type": "affine", "sampler_type": "bilinear"}

SAMPLES = [
    Sample("GridGenerator", [(2, 6)], AFFINE, ref=affine_grid_ref),
    Sample("GridGenerator", [(1, 6)], {"transform_type": "affine", "target_shape": (5, 2)},
           ref=affine_grid_ref),
    Sample("GridGenerator", [(2, 2, 3, 4)], {"transform_type": "warp"}, ref=warp_grid_ref,
           low=-2, high=2),
    Sample("_backward_GridGenerator", [(2, 2, 3, 4)], AFFINE, ref=bw_grid_ref),
    Sample("_backward_GridGenerator", [(2, 2, 3, 5)], {"transform_type": "warp"},
           ref=bw_grid_ref),
    Sample("BilinearSampler", [(2, 3, 4, 5), _grid(2, 2, 3, 4)], ref=bilinear_ref),
    Sample("BilinearSampler", [(1, 2, 5, 3), _grid(1, 2, 6, 2, spread=0.9)],
           {"cudnn_off": True}, ref=bilinear_ref),
    # its values are checked through BilinearSampler's gradient above
    Sample("_backward_BilinearSampler", [(2, 3, 3, 4), (2, 3, 4, 5), _grid(2, 2, 3, 4)]),
    Sample("SpatialTransformer", [(2, 3, 4, 5), LOC], ST, ref=spatial_transformer_ref),
    Sample("SpatialTransformer", [(1, 2, 6, 5), np.array([[0.53, 0.11, 0.61, -0.12, 0.71, 0.29]])],
           dict(ST, target_shape=(4, 4)), ref=spatial_transformer_ref),
]


@parametrize(SAMPLES)
def test_op(sample):
    run_sample(sample)


def _run(op, inputs, params, dtype="float64"):
    arrays = [mx.nd.array(np.asarray(x, dtype=dtype), dtype=dtype) for x in inputs]
    for a in arrays:
        a.attach_grad()
    with mx.autograd.record():
        out = getattr(mx.nd, op)(*arrays, **params)
    ograd = np.arange(out.size).reshape(out.shape) % 5 - 2.0
    out.backward(mx.nd.array(ograd, dtype=dtype))
    return [out.asnumpy().ravel()] + [a.grad.asnumpy().ravel() for a in arrays]


DATA = np.arange(12.0).reshape(1, 1, 3, 4)
GRID = np.array([[-1, 0.5, 1.2], [0.3, -0.6, 0.9], [-1, 0.25, 0.7], [0.1, -1.4, 0.4]])

# Output then input gradients from MXNet 1.9.1 (head gradient: arange % 5 - 2).
# fmt: off
MXNET_VALUES = [
    ("BilinearSampler", [DATA, GRID.reshape(1, 2, 2, 3)], {}, "float64",
     [[0.0, 7.25, 6.86, 6.35, 0.36, 8.45],
      [-1.52, 0.72, 0.0, 0.0, 0.0, 0.045, 0.1125, -1.2075, 0.0, 0.005, -0.2125, -0.7425],
      [-3.0, -1.5, 0.0, 1.5, 1.8, -3.0, -8.0, -4.0, 0.0, 4.0, 1.2, -8.0]]),
    ("GridGenerator", [[[1, 0.2, 0.1, -0.3, 0.9, 0.05]]], {"transform_type": "affine",
     "target_shape": (2, 3)}, "float32",
     [[-1.1, -0.1, 0.9, -0.7, 0.3, 1.3, -0.55, -0.85, -1.15, 1.25, 0.95, 0.65],
      [-1.0, 4.0, -2.0, -1.0, -1.0, -1.0]]),
    ("GridGenerator", [np.array([0.5, -1, 0, 2, 1, 0.25, -0.5, 3]).reshape(1, 2, 2, 2)],
     {"transform_type": "warp"}, "float32",
     [[0.0, -1.0, -1.0, 5.0, 1.0, -0.5, 0.0, 7.0],
      [-4.0, -2.0, 0.0, 2.0, 4.0, -4.0, -2.0, 0.0]]),
    ("SpatialTransformer", [DATA, [[0.8, 0.3, 0.1, -0.2, 0.7, 0.15]]],
     {"target_shape": (2, 2), "transform_type": "affine", "sampler_type": "bilinear"}, "float64",
     [[2.6, 3.4, 8.455, 6.72],
      [-0.7, 0.0, -0.45, -0.3, -1.3, 0.0, -0.15, 0.145, 0.0, 0.0, 0.0, 0.455],
      [-12.9, -9.9, -18.9, 6.8, 14.8, -9.2]]),
]
# fmt: on


@pytest.mark.parametrize("op, inputs, params, dtype, expected", MXNET_VALUES,
                         ids=[c[0] for c in MXNET_VALUES])
def test_values_match_mxnet(op, inputs, params, dtype, expected):
    for got, want in zip(_run(op, inputs, params, dtype), expected):
        np.testing.assert_allclose(got, want, atol=1e-5)


def test_spatial_transformer_is_sampler_of_grid():
    rng = np.random.RandomState(3)
    data, loc = mx.nd.array(rng.uniform(size=(2, 3, 5, 6))), mx.nd.array(LOC)
    grid = mx.nd.GridGenerator(loc, transform_type="affine", target_shape=(4, 3))
    want = mx.nd.BilinearSampler(data, grid)
    got = mx.nd.SpatialTransformer(data, loc, target_shape=(4, 3), transform_type="affine",
                                   sampler_type="bilinear")
    np.testing.assert_allclose(got.asnumpy(), want.asnumpy(), rtol=1e-6)


def test_symbol_infers_shapes():
    st = mx.sym.SpatialTransformer(mx.sym.var("data"), mx.sym.var("loc"), target_shape=(6, 7),
                                   transform_type="affine", sampler_type="bilinear")
    assert st.infer_shape(data=(2, 3, 5, 5)) == ([(2, 3, 5, 5), (2, 6)], [(2, 3, 6, 7)], [])
    bs = mx.sym.BilinearSampler(mx.sym.var("data"), mx.sym.var("grid"))
    assert bs.infer_shape(data=(2, 3, 4, 5), grid=(2, 2, 6, 7))[1] == [(2, 3, 6, 7)]
    gg = mx.sym.GridGenerator(mx.sym.var("data"), transform_type="affine", target_shape=(3, 4))
    assert gg.infer_shape(data=(5, 6))[1] == [(5, 2, 3, 4)]


def _nd(*shape, dtype="float32"):
    return mx.nd.ones(shape, dtype=dtype)


@pytest.mark.parametrize("call, words", [
    (lambda: mx.nd.GridGenerator(_nd(2, 6), transform_type="affine"),
     ["GridGenerator", "target_shape", "[0,0]"]),
    (lambda: mx.nd.GridGenerator(_nd(2, 5), transform_type="affine", target_shape=(3, 4)),
     ["GridGenerator", "should be 6", "[2,5]"]),
    (lambda: mx.nd.GridGenerator(_nd(2, 3, 4, 5), transform_type="warp"),
     ["GridGenerator", "should be 2", "[2,3,4,5]"]),
    (lambda: mx.nd.GridGenerator(_nd(2, 6), transform_type="shift", target_shape=(3, 4)),
     ["GridGenerator", "transform_type", "shift"]),
    (lambda: mx.nd.BilinearSampler(_nd(2, 3, 4, 5), _nd(3, 2, 6, 7)),
     ["BilinearSampler", "batch", "2 vs 3"]),
    (lambda: mx.nd.BilinearSampler(_nd(2, 3, 4, 5), _nd(2, 3, 6, 7)),
     ["BilinearSampler", "grid", "[2,3,6,7]"]),
    (lambda: mx.nd.BilinearSampler(_nd(2, 3, 4), _nd(2, 2, 6, 7)),
     ["BilinearSampler", "4D", "[2,3,4]"]),
    (lambda: mx.nd.BilinearSampler(_nd(2, 3, 4, 5, dtype="float64"), _nd(2, 2, 6, 7)),
     ["BilinearSampler", "Non-uniform", "float32"]),
    (lambda: mx.nd.SpatialTransformer(_nd(2, 3, 4, 5), _nd(2, 5), target_shape=(6, 7),
                                      transform_type="affine", sampler_type="bilinear"),
     ["SpatialTransformer", "[2,5]", "(batch, 6)"]),
    (lambda: mx.nd.SpatialTransformer(_nd(2, 3, 4, 5), _nd(3, 6), target_shape=(6, 7),
                                      transform_type="affine", sampler_type="bilinear"),
     ["SpatialTransformer", "2 vs 3"]),
    (lambda: mx.nd.SpatialTransformer(_nd(2, 3, 4, 5), _nd(2, 6), transform_type="affine",
                                      sampler_type="bilinear"),
     ["SpatialTransformer", "target_shape"]),
])
def test_errors_name_the_op_and_values(call, words):
    with pytest.raises(mx.base.MXNetError) as info:
        call()
    for word in words:
        assert word in str(info.value)
