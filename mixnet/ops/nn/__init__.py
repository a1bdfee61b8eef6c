"""Neural-network operators (one file per family); importing this registers them."""
from . import softmax  # noqa: F401
