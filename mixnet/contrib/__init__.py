"""``mx.contrib``: experimental features (AMP)."""
from . import amp

__all__ = ["amp"]
