"""Dropout: zeroes a random fraction ``p`` of the input in training and scales the kept
units by 1/(1-p); its hidden second output is that scaled mask, which the gradient uses.
"""
from ..infer import normalize_axes
from ..param import Bool, Choice, Float, Param, Shape
from ..registry import op

__all__ = []


class DropoutParam(Param):
    p = Float(0.5, "Fraction of the input that gets dropped out during training time.")
    mode = Choice(("always", "training"), "training",
                  "Whether to only turn on dropout during training or to also turn on for "
                  "inference.")
    axes = Shape((), "Axes for variational dropout kernel.")
    cudnn_off = Bool(False, "Whether to turn off cudnn in dropout operator. This option is "
                     "ignored if axes is specified.", optional=True)


def _dropout_shape(params, in_shapes):
    data = in_shapes[0]
    if data is not None and params.axes:
        normalize_axes(params.axes, len(data), "axes")
    return [data, data]


@op("Dropout", params=DropoutParam, num_outputs=2, num_visible_outputs=1,
    output_names=("output", "mask"), infer_shape=_dropout_shape,
    infer_type=lambda p, t: [t[0], t[0]], random=True, train=True)
def dropout(xp, params, data, rng=None, is_train=False):
    """Applies dropout operation to input array."""
    p = params.p
    if not (is_train or params.mode == "always") or p == 0:
        return data, xp.ones_like(data)
    if p >= 1:
        # NOTE: MXNet 1.9.1 computes 0 * inf = nan here; everything dropped is zeros.
        return xp.zeros_like(data), xp.zeros_like(data)
    shape = list(data.shape)
    for a in normalize_axes(params.axes, data.ndim, "axes"):
        shape[a] = 1   # variational dropout: one draw shared along these axes
    keep = rng.uniform(0.0, 1.0, size=tuple(shape)) >= p
    mask = xp.broadcast_to((keep / (1 - p)).astype(data.dtype), data.shape)
    return data * mask, mask


@dropout.gradient
def _(F, node, ograds):
    return [F.elemwise_mul(ograds[0], node.output(1))]
