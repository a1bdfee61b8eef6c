"""Crop (legacy): crops the last two (height, width) axes of NCHW data to ``h_w`` or to the
shape of a second ``crop_like`` input, at ``offset`` or centred. Its backward op pads the
gradient back with zeros, and is itself differentiated by a Crop.
"""
from ..infer import ShapeError
from ..param import REQUIRED, Bool, Int, Param, Shape
from ..reduce import fmt_shape
from ..registry import op

__all__ = []


class CropParam(Param):
    num_args = Int(REQUIRED, "Number of inputs for crop, if equals one, then we will use the "
                   "h_w for crop height and width, else if equals two, then we will use the "
                   "height and width of the second input symbol, we name crop_like here")
    offset = Shape((0, 0), "crop offset coordinate: (y, x)")
    h_w = Shape((0, 0), "crop height and width: (h, w)")
    center_crop = Bool(False, "If set to true, then it will use be the center_crop,or it will "
                       "crop using the shape of crop_like")


def _corner(params, size, target):
    """Top-left (y, x) of a ``target`` (h, w) window inside ``size`` (H, W)."""
    if params.center_crop:
        return tuple((s - t) // 2 for s, t in zip(size, target))
    return tuple(params.offset)


def _crop_shape(params, in_shapes):
    if params.num_args not in (1, 2):
        raise ShapeError(f"num_args must be 1 or 2, got {params.num_args}")
    data = in_shapes[0]
    if data is None or (params.num_args == 2 and in_shapes[1] is None):
        return [None]
    if len(data) != 4:
        raise ShapeError(f"Input data should be 4D in batch-num_filter-y-x, got "
                         f"{fmt_shape(data)}")
    target = tuple(params.h_w) if params.num_args == 1 else tuple(in_shapes[1][2:4])
    y, x = _corner(params, data[2:], target)
    if y < 0 or x < 0 or y + target[0] > data[2] or x + target[1] > data[3]:
        raise ShapeError(f"crop window {fmt_shape(target)} at offset ({y}, {x}) does not fit "
                         f"in the input's height and width {fmt_shape(data[2:])}")
    return [tuple(data[:2]) + target]


@op("Crop", params=CropParam, variadic="num_args", infer_shape=_crop_shape,
    infer_type=lambda p, t: [t[0]])
def crop(xp, params, data, crop_like=None):
    """Crops a 4D input along its height and width axes."""
    target = tuple(params.h_w) if crop_like is None else crop_like.shape[2:]
    y, x = _corner(params, data.shape[2:], target)
    return data[:, :, y:y + target[0], x:x + target[1]]


@crop.gradient
def _(F, node, ograds):
    p = node.params
    g = F._backward_Crop(ograds[0], node.inputs[0], offset=p.offset, center_crop=p.center_crop)
    return [g] + [None] * (len(node.inputs) - 1)


class BackwardCropParam(Param):
    offset = Shape((0, 0), "crop offset coordinate: (y, x)")
    center_crop = Bool(False, "Whether the forward crop was centred.")


@op("_backward_Crop", inputs=("ograd", "data"), params=BackwardCropParam,
    infer_shape=lambda p, s: [s[1]], infer_type=lambda p, t: [t[0]])
def _backward_crop(xp, params, ograd, data):
    """Gradient of Crop: the output gradient placed in a zero array of the input's shape."""
    h, w = ograd.shape[2:]
    y, x = _corner(params, data.shape[2:], (h, w))
    out = xp.zeros(data.shape, dtype=ograd.dtype)
    out[:, :, y:y + h, x:x + w] = ograd
    return out


@_backward_crop.gradient
def _(F, node, ograds):
    p = node.params
    return [F.Crop(ograds[0], node.inputs[0], num_args=2, offset=p.offset,
                   center_crop=p.center_crop), None]
