"""2-bit gradient compression (MXNet's ``set_gradient_compression({'type': '2bit'})``).

Each sender keeps a residual per key: ``residual += grad``; where it reaches ``threshold``
the sender transmits ``+threshold`` (``-threshold`` below ``-threshold``, else 0) and
subtracts what it sent. The receiver sums what was sent. Layer 10.
"""
from .. import ndarray as nd
from ..base import MXNetError, MXNetTypeError, MXNetValueError

__all__ = ["GradientCompression"]


class GradientCompression:
    """Validated compression parameters plus the senders' residuals."""

    TYPES = ("2bit",)

    def __init__(self, params):
        if not isinstance(params, dict):
            raise MXNetTypeError(f"compression_params must be a dict such as "
                                 f"{{'type': '2bit', 'threshold': 0.5}}, got "
                                 f"{type(params).__name__}")
        if "type" not in params:
            raise MXNetError("Required parameter type of string is not presented "
                             "(compression_params needs 'type', e.g. '2bit')")
        self.type = str(params["type"])
        if self.type not in self.TYPES:
            raise MXNetValueError(f"Unknown type for gradient compression {self.type} "
                                  f"(supported: {', '.join(self.TYPES)})")
        try:
            self.threshold = float(str(params.get("threshold", 0.5)))
        except ValueError:
            raise MXNetValueError(f"gradient compression threshold must be a number, got "
                                  f"{params['threshold']!r}") from None
        if not self.threshold > 0:
            raise MXNetValueError(f"threshold must be greater than 0, got {self.threshold}")
        # MXNet ignores other keys; so do we
        self._residuals = {}   # (key, sender index) -> NDArray

    def params(self):
        """The parameters as a dict (what was set, with defaults filled in)."""
        return {"type": self.type, "threshold": self.threshold}

    def compress(self, key, sender, grad):
        """What ``sender`` transmits for ``grad`` of ``key`` (values in {-t, 0, t}), updating
        its residual. The result is dense, on ``grad``'s context."""
        slot = (key, sender)
        residual = self._residuals.get(slot)
        if residual is None or residual.shape != grad.shape or \
                residual.context != grad.context:
            residual = nd.zeros(grad.shape, ctx=grad.context, dtype=grad.dtype)
        residual = residual + grad
        t = self.threshold
        sent = (residual >= t) * t - (residual <= -t) * t
        self._residuals[slot] = residual - sent
        return sent
