"""Spatial transformer ops: GridGenerator, BilinearSampler, SpatialTransformer.

A sampling grid holds normalized source coordinates in [-1, 1] (channel 0: x, channel 1:
y); BilinearSampler reads ``data`` at those points with bilinear interpolation, and points
outside the image read zeros. SpatialTransformer is BilinearSampler over an affine
GridGenerator, and its gradient is built from theirs.
"""
import numpy as np

from ..infer import InferTypeError, ShapeError
from ..param import Bool, Choice, Param, Shape
from ..reduce import fmt_shape
from ..registry import op

__all__ = ["BilinearSamplerParam", "GridGeneratorParam", "SpatialTransformerParam"]


def _float_types(name):
    """Every input shares the first's floating point dtype."""
    def rule(params, in_types):
        dtype = next((t for t in in_types if t is not None), None)
        if dtype is not None and np.dtype(dtype).kind != "f":
            raise InferTypeError(f"{name} only supports floating point types, not {dtype}")
        for i, t in enumerate(in_types):
            if t is not None and t != dtype:
                raise InferTypeError(f"Non-uniform data type in {name}: {dtype} vs {t}")
            in_types[i] = dtype
        return [dtype]
    return rule


def _check(ok, message):
    if not ok:
        raise ShapeError(message)


def _target(params):
    _check(len(params.target_shape) == 2 and min(params.target_shape) > 0,
           f"incorrect target_shape: {fmt_shape(params.target_shape)} (need (H, W) > 0)")
    return tuple(params.target_shape)


# --- GridGenerator ---------------------------------------------------------------------------
class GridGeneratorParam(Param):
    transform_type = Choice(("affine", "warp"), doc="The type of transformation. For `affine`, "
                            "input data should be an affine matrix of size (batch, 6). For "
                            "`warp`, input data should be an optical flow of size (batch, 2, "
                            "h, w).")
    target_shape = Shape((0, 0), "Specifies the output shape (H, W). This is required if "
                         "transformation type is `affine`. If transformation type is `warp`, "
                         "this parameter is ignored.")


def _grid_shape(params, in_shapes):
    data = in_shapes[0]
    if params.transform_type == "affine":
        h, w = _target(params)
        if data is None:
            return [None]
        _check(len(data) == 2, f"affine matrix should be 2D in batch-num_hidden, got "
                               f"{fmt_shape(data)}")
        _check(data[1] == 6, f"incorrect data shape[1], should be 6, got {fmt_shape(data)}")
        return [(data[0], 2, h, w)]
    if data is None:
        return [None]
    _check(len(data) == 4, f"optical flow should be 4D in batch-num_hidden-y-x, got "
                           f"{fmt_shape(data)}")
    _check(data[1] == 2, f"incorrect data shape[1], should be 2, got {fmt_shape(data)}")
    return [tuple(data)]


def _unit_grid(xp, h, w, dtype):
    """(3, h*w): the target pixels' normalized x and y in [-1, 1], and ones."""
    xs = xp.arange(w, dtype=dtype) * dtype.type(2.0 / (w - 1)) - 1 if w > 1 else \
        xp.full((w,), -1, dtype=dtype)
    ys = xp.arange(h, dtype=dtype) * dtype.type(2.0 / (h - 1)) - 1 if h > 1 else \
        xp.full((h,), -1, dtype=dtype)
    return xp.stack([xp.tile(xs, h), xp.repeat(ys, w), xp.ones(h * w, dtype=dtype)])


def _warp_scale(xp, shape, dtype):
    """(1, 2, 1, 1): flow-to-grid scale 2 / (W - 1) for x and 2 / (H - 1) for y."""
    h, w = shape[2], shape[3]
    return xp.asarray([2.0 / (w - 1), 2.0 / (h - 1)], dtype=dtype).reshape(1, 2, 1, 1)


def _affine_grid(xp, theta, h, w):
    grid = _unit_grid(xp, h, w, theta.dtype)
    return (theta.reshape(-1, 2, 3) @ grid).reshape(theta.shape[0], 2, h, w)


@op("GridGenerator", params=GridGeneratorParam, infer_shape=_grid_shape,
    infer_type=_float_types("GridGenerator"))
def grid_generator(xp, params, data):
    """Generates 2D sampling grid for bilinear sampling."""
    if params.transform_type == "affine":
        return _affine_grid(xp, data, *params.target_shape)
    h, w = data.shape[2:]
    pixels = xp.stack(xp.meshgrid(xp.arange(w, dtype=data.dtype),
                                  xp.arange(h, dtype=data.dtype)))
    return (data + pixels[None]) * _warp_scale(xp, data.shape, data.dtype) - 1


@grid_generator.gradient
def _(F, node, ograds):
    p = node.params
    return [F._backward_GridGenerator(ograds[0], transform_type=p.transform_type,
                                      target_shape=p.target_shape)]


@op("_backward_GridGenerator", inputs=("ograd",), params=GridGeneratorParam,
    infer_shape=lambda p, s: [None if s[0] is None else
                              ((s[0][0], 6) if p.transform_type == "affine" else s[0])],
    infer_type=lambda p, t: [t[0]])
def _backward_grid_generator(xp, params, ograd):
    """Gradient of GridGenerator (it is affine in its input: this is its transpose)."""
    if params.transform_type == "warp":
        return ograd * _warp_scale(xp, ograd.shape, ograd.dtype)
    n, _, h, w = ograd.shape
    grid = _unit_grid(xp, h, w, ograd.dtype)
    return (ograd.reshape(n, 2, h * w) @ grid.T).reshape(n, 6)


@_backward_grid_generator.gradient
def _(F, node, ograds):
    # The backward is linear in ograd with the forward's (linear part of the) Jacobian
    # transposed, so its own gradient applies that Jacobian: the forward without offset.
    p, gg = node.params, ograds[0]
    if p.transform_type == "warp":
        return [F._backward_GridGenerator(gg, transform_type="warp")]
    return [F.GridGenerator(gg, transform_type="affine", target_shape=p.target_shape)]


# --- BilinearSampler -------------------------------------------------------------------------
class BilinearSamplerParam(Param):
    cudnn_off = Bool(None, "whether to turn cudnn off")


def _sampler_shape(data, grid):
    if data is None or grid is None:
        return [None]
    _check(len(data) == 4, f"input data should be 4D in batch-num_filter-y-x, got "
                           f"{fmt_shape(data)}")
    _check(len(grid) == 4 and grid[1] == 2, f"incorrect grid shape {fmt_shape(grid)}, "
                                            f"should be (batch, 2, H, W)")
    _check(data[0] == grid[0], f"data and grid batch sizes differ: {data[0]} vs {grid[0]}")
    return [(data[0], data[1], grid[2], grid[3])]


def _corners(xp, data, grid):
    """Each of the 4 bilinear corners: (flat index into h*w, weight, inside-image mask)."""
    _, _, h, w = data.shape
    n = grid.shape[0]
    x = ((grid[:, 0] + 1) * (w - 1) / 2).reshape(n, 1, -1)
    y = ((grid[:, 1] + 1) * (h - 1) / 2).reshape(n, 1, -1)
    x0, y0 = xp.floor(x), xp.floor(y)
    wx, wy = 1 - (x - x0), 1 - (y - y0)     # weights of the top-left corner
    out = []
    for dy, dx in ((0, 0), (0, 1), (1, 0), (1, 1)):
        xi, yi = x0 + dx, y0 + dy
        inside = (xi >= 0) & (xi <= w - 1) & (yi >= 0) & (yi <= h - 1)
        index = (xp.clip(yi, 0, h - 1) * w + xp.clip(xi, 0, w - 1)).astype(np.int64)
        weight = (wy if dy == 0 else 1 - wy) * (wx if dx == 0 else 1 - wx)
        out.append((index, weight, inside))
    return out, wx, wy


def _gather(xp, flat, index, inside):
    """flat (n, c, h*w) at index (n, 1, p), zero outside the image -> (n, c, p)."""
    idx = xp.broadcast_to(index, flat.shape[:2] + index.shape[2:])
    return xp.take_along_axis(flat, idx, axis=2) * inside


def _sample(xp, data, grid):
    n, c, h, w = data.shape
    flat = data.reshape(n, c, h * w)
    corners, _, _ = _corners(xp, data, grid)
    out = sum(_gather(xp, flat, i, m) * wt for i, wt, m in corners)
    return out.reshape(n, c, grid.shape[2], grid.shape[3])


def _sample_backward(xp, ograd, data, grid):
    """(d data, d grid) of the bilinear sampler, as MXNet's CPU kernel computes them."""
    n, c, h, w = data.shape
    flat = data.reshape(n, c, h * w)
    g = ograd.reshape(n, c, -1)
    corners, wx, wy = _corners(xp, data, grid)
    d_data = xp.zeros(n * c * h * w, dtype=data.dtype)
    base = (xp.arange(n * c) * (h * w)).reshape(n, c, 1)
    values = []
    for index, weight, inside in corners:
        contrib = g * (weight * inside)
        xp.add.at(d_data, (base + index).reshape(-1), contrib.reshape(-1))
        values.append(_gather(xp, flat, index, inside))
    tl, tr, bl, br = values
    mixed = tl - tr - bl + br
    d_wy = -(g * (tr - br + mixed * wx)).sum(axis=1)    # d out / d y, summed over channels
    d_wx = -(g * (bl - br + mixed * wy)).sum(axis=1)
    d_grid = xp.stack([d_wx * ((w - 1) / 2), d_wy * ((h - 1) / 2)], axis=1)
    return d_data.reshape(data.shape), d_grid.reshape(grid.shape).astype(grid.dtype)


@op("BilinearSampler", inputs=("data", "grid"), params=BilinearSamplerParam,
    infer_shape=lambda p, s: _sampler_shape(s[0], s[1]),
    infer_type=_float_types("BilinearSampler"))
def bilinear_sampler(xp, params, data, grid):
    """Applies bilinear sampling to input feature map."""
    return _sample(xp, data, grid)


@bilinear_sampler.gradient
def _(F, node, ograds):
    return list(F._backward_BilinearSampler(ograds[0], *node.inputs))


@op("_backward_BilinearSampler", inputs=("ograd", "data", "grid"), params=BilinearSamplerParam,
    num_outputs=2, grad=None, infer_shape=lambda p, s: [s[1], s[2]],
    infer_type=lambda p, t: [t[1], t[2]])
def _backward_bilinear_sampler(xp, params, ograd, data, grid):
    """Gradient of BilinearSampler with respect to data and grid."""
    return _sample_backward(xp, ograd, data, grid)


# --- SpatialTransformer ----------------------------------------------------------------------
class SpatialTransformerParam(Param):
    target_shape = Shape((0, 0), "output shape(h, w) of spatial transformer: (y, x)")
    transform_type = Choice(("affine",), doc="transformation type")
    sampler_type = Choice(("bilinear",), doc="sampling type")
    cudnn_off = Bool(None, "whether to turn cudnn off")


def _transformer_shape(params, in_shapes):
    data, loc = in_shapes
    h, w = _target(params)
    if loc is not None:
        _check(len(loc) == 2 and loc[1] == 6, f"incorrect locolisation network shape "
                                              f"{fmt_shape(loc)}, should be (batch, 6)")
    if data is None:
        return [None]
    if loc is None:
        in_shapes[1] = (data[0], 6)
    return _sampler_shape(data, (in_shapes[1][0], 2, h, w))


@op("SpatialTransformer", inputs=("data", "loc"), params=SpatialTransformerParam,
    infer_shape=_transformer_shape, infer_type=_float_types("SpatialTransformer"))
def spatial_transformer(xp, params, data, loc):
    """Applies a spatial transformer to input feature map."""
    return _sample(xp, data, _affine_grid(xp, loc, *params.target_shape))


@spatial_transformer.gradient
def _(F, node, ograds):
    data, loc = node.inputs
    shape = node.params.target_shape
    grid = F.GridGenerator(loc, transform_type="affine", target_shape=shape)
    d_data, d_grid = F._backward_BilinearSampler(ograds[0], data, grid)
    return [d_data, F._backward_GridGenerator(d_grid, transform_type="affine",
                                              target_shape=shape)]
