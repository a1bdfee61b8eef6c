"""Convolution, transposed convolution, pooling and padding layers (1D/2D/3D).

Layer 11: imports gluon.block and symbol.
"""
from ... import symbol
from ...base import numeric_types
from ..block import HybridBlock
from .activations import Activation

__all__ = ["Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose",
           "Conv3DTranspose", "MaxPool1D", "MaxPool2D", "MaxPool3D", "AvgPool1D", "AvgPool2D",
           "AvgPool3D", "GlobalMaxPool1D", "GlobalMaxPool2D", "GlobalMaxPool3D",
           "GlobalAvgPool1D", "GlobalAvgPool2D", "GlobalAvgPool3D", "ReflectionPad2D"]

_LAYOUTS = {1: ("NCW", "NWC"), 2: ("NCHW", "NHWC"), 3: ("NCDHW", "NDHWC")}


def _tuple(value, ndim, what):
    if isinstance(value, numeric_types):
        return (value,) * ndim
    value = tuple(value)
    if len(value) != ndim:
        raise AssertionError(f"{what} must be a number or a list of {ndim} ints")
    return value


def _check_layout(layout, ndim, allowed=None):
    allowed = allowed or _LAYOUTS[ndim]
    if layout not in allowed:
        raise AssertionError(f"Only supports {' and '.join(map(repr, allowed))} layout for "
                             f"now, got {layout!r}")


def _infer_weight_shape(op_name, data_shape, kwargs):
    """Weight and bias shapes from the op's shape rule (unknown dims are 0)."""
    data = symbol.var("data", shape=data_shape)
    out = getattr(symbol, op_name)(data, **kwargs)
    return out.infer_shape_partial()[0]


class _Conv(HybridBlock):
    """Shared body of the (transposed) convolution layers."""

    def __init__(self, channels, kernel_size, strides, padding, dilation, groups, layout,
                 in_channels=0, activation=None, use_bias=True, weight_initializer=None,
                 bias_initializer="zeros", op_name="Convolution", adj=None, prefix=None,
                 params=None):
        super().__init__(prefix=prefix, params=params)
        ndim = len(kernel_size)
        with self.name_scope():
            self._channels = channels
            self._in_channels = in_channels
            self._op_name = op_name
            self._kwargs = {
                "kernel": kernel_size, "stride": _tuple(strides, ndim, "strides"),
                "dilate": _tuple(dilation, ndim, "dilation"),
                "pad": _tuple(padding, ndim, "padding"), "num_filter": channels,
                "num_group": groups, "no_bias": not use_bias, "layout": layout}
            if adj is not None:
                self._kwargs["adj"] = adj
            dshape = [0] * (ndim + 2)
            dshape[layout.find("N")] = 1
            dshape[layout.find("C")] = in_channels
            wshapes = _infer_weight_shape(op_name, dshape, self._kwargs)
            self.weight = self.params.get("weight", shape=wshapes[1], init=weight_initializer,
                                          allow_deferred_init=True)
            self.bias = None
            if use_bias:
                self.bias = self.params.get("bias", shape=wshapes[2], init=bias_initializer,
                                            allow_deferred_init=True)
            self.act = None
            if activation is not None:
                self.act = Activation(activation, prefix=activation + "_")

    def hybrid_forward(self, F, x, weight, bias=None):
        op = getattr(F, self._op_name)
        if bias is None:
            out = op(x, weight, name="fwd", **self._kwargs)
        else:
            out = op(x, weight, bias, name="fwd", **self._kwargs)
        return out if self.act is None else self.act(out)

    def _alias(self):
        return "conv"

    def __repr__(self):
        k = self._kwargs
        n = len(k["kernel"])
        shape = self.weight.shape
        s = (f"{self.__class__.__name__}({shape[1] if shape[1] else None} -> {shape[0]}, "
             f"kernel_size={k['kernel']}, stride={k['stride']}")
        if k["pad"] != (0,) * n:
            s += f", padding={k['pad']}"
        if k["dilate"] != (1,) * n:
            s += f", dilation={k['dilate']}"
        if getattr(self, "outpad", (0,) * n) != (0,) * n:
            s += f", output_padding={self.outpad}"
        if k["num_group"] != 1:
            s += f", groups={k['num_group']}"
        if self.bias is None:
            s += ", bias=False"
        if self.act:
            s += f", {self.act}"
        return s + ")"


class _ConvND(_Conv):
    """Convolution over ``_NDIM`` spatial axes."""

    _NDIM = 2

    def __init__(self, channels, kernel_size, strides=1, padding=0, dilation=1, groups=1,
                 layout=None, activation=None, use_bias=True, weight_initializer=None,
                 bias_initializer="zeros", in_channels=0, **kwargs):
        ndim = self._NDIM
        layout = layout or _LAYOUTS[ndim][0]
        _check_layout(layout, ndim, ("NCW",) if ndim == 1 else None)
        kernel_size = _tuple(kernel_size, ndim, "kernel_size")
        op_name = kwargs.pop("op_name", "Convolution")
        super().__init__(channels, kernel_size, strides, padding, dilation, groups, layout,
                         in_channels, activation, use_bias, weight_initializer,
                         bias_initializer, op_name, **kwargs)


class _ConvNDTranspose(_Conv):
    """Transposed convolution (Deconvolution) over ``_NDIM`` spatial axes."""

    _NDIM = 2

    def __init__(self, channels, kernel_size, strides=1, padding=0, output_padding=0,
                 dilation=1, groups=1, layout=None, activation=None, use_bias=True,
                 weight_initializer=None, bias_initializer="zeros", in_channels=0, **kwargs):
        ndim = self._NDIM
        layout = layout or _LAYOUTS[ndim][0]
        _check_layout(layout, ndim, ("NCW",) if ndim == 1 else None)
        kernel_size = _tuple(kernel_size, ndim, "kernel_size")
        output_padding = _tuple(output_padding, ndim, "output_padding")
        op_name = kwargs.pop("op_name", "Deconvolution")
        super().__init__(channels, kernel_size, strides, padding, dilation, groups, layout,
                         in_channels, activation, use_bias, weight_initializer,
                         bias_initializer, op_name=op_name, adj=output_padding, **kwargs)
        self.outpad = output_padding


class Conv1D(_ConvND):
    """1D convolution (layout 'NCW'). Example: ``Conv1D(16, 3, in_channels=4)``."""
    _NDIM = 1


class Conv2D(_ConvND):
    """2D convolution (layout 'NCHW' or 'NHWC').

    Examples
    --------
    >>> conv = mx.gluon.nn.Conv2D(8, 3, in_channels=2)
    >>> conv.initialize()
    >>> conv(mx.nd.ones((1, 2, 5, 5))).shape
    (1, 8, 3, 3)
    """
    _NDIM = 2


class Conv3D(_ConvND):
    """3D convolution (layout 'NCDHW' or 'NDHWC')."""
    _NDIM = 3


class Conv1DTranspose(_ConvNDTranspose):
    """1D transposed convolution."""
    _NDIM = 1


class Conv2DTranspose(_ConvNDTranspose):
    """2D transposed convolution."""
    _NDIM = 2


class Conv3DTranspose(_ConvNDTranspose):
    """3D transposed convolution."""
    _NDIM = 3


class _Pooling(HybridBlock):
    """Shared body of the pooling layers."""

    def __init__(self, pool_size, strides, padding, ceil_mode, global_pool, pool_type,
                 layout, count_include_pad=None, **kwargs):
        super().__init__(**kwargs)
        ndim = len(pool_size)
        strides = pool_size if strides is None else strides
        self._kwargs = {
            "kernel": pool_size, "stride": _tuple(strides, ndim, "strides"),
            "pad": _tuple(padding, ndim, "padding"), "global_pool": global_pool,
            "pool_type": pool_type, "layout": layout,
            "pooling_convention": "full" if ceil_mode else "valid"}
        if count_include_pad is not None:
            self._kwargs["count_include_pad"] = count_include_pad

    def _alias(self):
        return "pool"

    def hybrid_forward(self, F, x):
        return F.Pooling(x, name="fwd", **self._kwargs)

    def __repr__(self):
        k = self._kwargs
        return (f"{self.__class__.__name__}(size={k['kernel']}, stride={k['stride']}, "
                f"padding={k['pad']}, ceil_mode={k['pooling_convention'] == 'full'}, "
                f"global_pool={k['global_pool']}, pool_type={k['pool_type']}, "
                f"layout={k['layout']})")


class _LocalPool(_Pooling):
    """Max/average pooling with a window over ``_NDIM`` axes."""

    _NDIM = 2
    _TYPE = "max"

    def __init__(self, pool_size=2, strides=None, padding=0, layout=None, ceil_mode=False,
                 count_include_pad=True, **kwargs):
        ndim = self._NDIM
        layout = layout or _LAYOUTS[ndim][0]
        _check_layout(layout, ndim)
        pool_size = _tuple(pool_size, ndim, "pool_size")
        count = count_include_pad if self._TYPE == "avg" else None
        super().__init__(pool_size, strides, padding, ceil_mode, False, self._TYPE, layout,
                         count, **kwargs)


class _GlobalPool(_Pooling):
    """Max/average over all of the ``_NDIM`` spatial axes (output size 1 each)."""

    _NDIM = 2
    _TYPE = "max"

    def __init__(self, layout=None, **kwargs):
        ndim = self._NDIM
        layout = layout or _LAYOUTS[ndim][0]
        _check_layout(layout, ndim)
        super().__init__((1,) * ndim, None, 0, True, True, self._TYPE, layout, **kwargs)


class MaxPool1D(_LocalPool):
    """1D max pooling."""
    _NDIM, _TYPE = 1, "max"


class MaxPool2D(_LocalPool):
    """2D max pooling. Example: ``MaxPool2D(pool_size=2, strides=2)``."""
    _NDIM, _TYPE = 2, "max"


class MaxPool3D(_LocalPool):
    """3D max pooling."""
    _NDIM, _TYPE = 3, "max"


class AvgPool1D(_LocalPool):
    """1D average pooling."""
    _NDIM, _TYPE = 1, "avg"


class AvgPool2D(_LocalPool):
    """2D average pooling."""
    _NDIM, _TYPE = 2, "avg"


class AvgPool3D(_LocalPool):
    """3D average pooling."""
    _NDIM, _TYPE = 3, "avg"


class GlobalMaxPool1D(_GlobalPool):
    """Global 1D max pooling."""
    _NDIM, _TYPE = 1, "max"


class GlobalMaxPool2D(_GlobalPool):
    """Global 2D max pooling."""
    _NDIM, _TYPE = 2, "max"


class GlobalMaxPool3D(_GlobalPool):
    """Global 3D max pooling."""
    _NDIM, _TYPE = 3, "max"


class GlobalAvgPool1D(_GlobalPool):
    """Global 1D average pooling."""
    _NDIM, _TYPE = 1, "avg"


class GlobalAvgPool2D(_GlobalPool):
    """Global 2D average pooling."""
    _NDIM, _TYPE = 2, "avg"


class GlobalAvgPool3D(_GlobalPool):
    """Global 3D average pooling."""
    _NDIM, _TYPE = 3, "avg"


class ReflectionPad2D(HybridBlock):
    """Pad the two spatial axes of NCHW input by reflection (``padding`` on each side)."""

    def __init__(self, padding=0, **kwargs):
        super().__init__(**kwargs)
        if isinstance(padding, numeric_types):
            padding = (0, 0, 0, 0, padding, padding, padding, padding)
        if len(padding) != 8:
            raise AssertionError(f"padding must be a number or 8 ints, got {padding}")
        self._padding = padding

    def hybrid_forward(self, F, x):
        return F.pad(x, mode="reflect", pad_width=self._padding)
