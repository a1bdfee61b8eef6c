"""``mx.gluon``: the imperative neural-network API (Blocks, Parameters, layers)."""
from . import parameter, block, utils, nn
from .parameter import Parameter, Constant, ParameterDict, DeferredInitializationError
from .block import Block, HybridBlock, SymbolBlock

__all__ = ["Parameter", "Constant", "ParameterDict", "DeferredInitializationError", "Block",
           "HybridBlock", "SymbolBlock", "nn", "utils"]
