"""Imports point downward only (STYLE P7): each module imports from its layer or below."""
import ast
import pathlib

PKG = pathlib.Path(__file__).resolve().parents[1] / "mixnet"

# module (or package) -> layer, from the layout in STYLE.md
LAYERS = {
    "base": 0, "config": 0, "util": 0,
    "context": 1, "dtype": 1, "recordio": 1, "attribute": 1, "name": 1, "runtime": 1,
    "backend": 2,
    "engine": 3,
    "ops": 4,
    "graph": 5,
    "ndarray": 6, "random": 6,
    "executor": 7,
    "autograd": 8, "autograd_function": 8, "symbol": 8,
    "initializer": 9, "optimizer": 9, "lr_scheduler": 9, "metric": 9, "callback": 9,
    "kvstore": 10, "io": 10, "image": 10,
    "gluon": 11, "module": 11, "model": 11, "visualization": 11, "operator": 11,
    "monitor": 11, "rnn": 11, "contrib": 11,
    "test_utils": 12, "profiler": 12, "compat": 12, "np": 12, "npx": 12,
}


def _layer(parts):
    if "test_utils" in parts[0]:
        return LAYERS["test_utils"]
    return LAYERS.get(parts[0])


def _imports(path, parts, is_package):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            # in a package's __init__, level 1 is the package itself
            base = parts[:len(parts) - node.level + (1 if is_package else 0)]
            target = base + (node.module.split(".") if node.module else [])
            if node.module is None:
                for alias in node.names:
                    yield target + [alias.name], node.lineno
            else:
                yield target, node.lineno
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) \
                else [node.module or ""]
            for n in names:
                if n.startswith("mixnet."):
                    yield n.split(".")[1:], node.lineno


def test_imports_point_downward():
    bad = []
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(PKG).with_suffix("").parts
        parts = list(rel[:-1]) if rel[-1] == "__init__" else list(rel)
        if not parts:
            continue   # the top-level __init__ re-exports everything
        mine = _layer(parts)
        assert mine is not None, f"{path}: module not in the layer table"
        for target, line in _imports(path, parts, rel[-1] == "__init__"):
            if not target or target == [""]:
                continue
            theirs = _layer(target)
            if theirs is not None and theirs > mine:
                bad.append(f"{'/'.join(rel)}.py:{line} imports {'.'.join(target)} "
                           f"(layer {theirs} > {mine})")
    assert not bad, "upward imports:\n" + "\n".join(bad)


def test_file_sizes_within_ceiling():
    """Files stay under the 800-line ceiling (STYLE P6)."""
    allow = set()
    big = [f"{p.relative_to(PKG)}: {n}" for p in PKG.rglob("*.py")
           if (n := len(p.read_text().splitlines())) > 800 and p.name not in allow]
    assert not big, f"files over 800 lines: {big}"
