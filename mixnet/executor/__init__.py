"""Graph execution: the one place where a graph meets arrays."""
from .run import run_graph
from .executor import Executor
from .cached_op import CachedOp

__all__ = ["run_graph", "Executor", "CachedOp"]
