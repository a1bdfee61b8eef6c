"""Graph execution: the one place where a graph meets arrays."""
from .run import run_graph

__all__ = ["run_graph"]
