"""Tests for mixnet.ndarray._format, the MXNet 1.x NDArray file codec.

Fixtures come from real MXNet 1.9.1 (tests/fixtures/make_ndarray_fixtures.py). When the
reference interpreter exists, files written here are also loaded by MXNet
(tests/fixtures/check_mxnet_loads.py).
"""

import json
import struct
import subprocess
from pathlib import Path

import numpy as np
import pytest

from mixnet.base import MXNetError
from mixnet.ndarray._format import SparseArray, dumps, loads

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ndarray"
CHECK_SCRIPT = FIXTURES.parent / "check_mxnet_loads.py"
MXREF_PYTHON = Path("/work/venvs/mxref/bin/python")
MANIFEST = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
with np.load(FIXTURES / "expected.npz", allow_pickle=False) as _npz:
    EXPECTED = dict(_npz)
BFLOAT16 = np.dtype([("bfloat16", "<u2")])
V2, V3 = 0xF993FAC9, 0xF993FACA


def expected_value(entry):
    key = entry["key"]
    if entry["stype"] == "default":
        return EXPECTED[key]
    return SparseArray(
        entry["stype"],
        tuple(entry["shape"]),
        EXPECTED[key + ":data"],
        EXPECTED[key + ":indices"],
        EXPECTED.get(key + ":indptr"),
    )


def expected_arrays(spec):
    values = [expected_value(entry) for entry in spec["entries"]]
    if spec["kind"] == "dict":
        return {entry["name"]: value for entry, value in zip(spec["entries"], values)}
    return values


def assert_same(got, want):
    """Bit-exact equality (NaNs and bfloat16 records compare by bytes)."""
    if isinstance(want, SparseArray):
        assert isinstance(got, SparseArray)
        assert (got.stype, tuple(got.shape)) == (want.stype, tuple(want.shape))
        for got_part, want_part in zip((got.data,) + got.aux, (want.data,) + want.aux):
            assert_same(got_part, want_part)
        return
    assert isinstance(got, np.ndarray), type(got)
    assert (got.dtype, got.shape) == (want.dtype, want.shape)
    assert got.tobytes() == want.tobytes()


def assert_same_collection(got, want):
    assert type(got) is type(want)
    if isinstance(want, dict):
        assert list(got) == list(want)  # file order is kept
        got, want = list(got.values()), list(want.values())
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert_same(g, w)


def header(count):
    return struct.pack("<QQQ", 0x112, 0, count)


def dense_record(shape, data, magic=V2, stype=0, context=(1, 0), type_flag=0):
    return (
        struct.pack(f"<Iii{len(shape)}q", magic, stype, len(shape), *shape)
        + struct.pack("<iii", *context, type_flag)
        + data
    )


NO_NAMES = struct.pack("<Q", 0)
ONE_FLOAT = dense_record((1,), np.float32(1).tobytes())


@pytest.mark.parametrize("fname", sorted(MANIFEST))
def test_loads_every_fixture(fname):
    spec = MANIFEST[fname]
    arrays, contexts = loads((FIXTURES / fname).read_bytes())
    assert_same_collection(arrays, expected_arrays(spec))
    assert contexts == [tuple(entry["context"]) for entry in spec["entries"]]


@pytest.mark.parametrize("fname", sorted(f for f, s in MANIFEST.items() if s["mxnet_written"]))
def test_dumps_is_byte_identical_to_mxnet(fname):
    spec = MANIFEST[fname]
    arrays = expected_arrays(spec)
    want = (FIXTURES / fname).read_bytes()
    assert dumps(arrays, np_shape=spec["np_shape"]) == want
    assert dumps(arrays) == want  # the default picks V3 exactly when a 0-d array needs it


def test_legacy_v0_file_from_mxnet_unittests():
    arrays, contexts = loads((FIXTURES / "legacy_ndarray.v0").read_bytes())
    assert len(arrays) == 6 and contexts == [(1, 0)] * 6
    for array in arrays:
        assert_same(array, np.arange(128, dtype=np.float32))


def random_dense(rng):
    """One array per MXNet dtype, plus a strided and a big-endian one."""
    arrays = {
        name: rng.integers(
            np.iinfo(name).min, np.iinfo(name).max, size=(3, 2), dtype=name, endpoint=True
        )
        for name in ("uint8", "int8", "int32", "int64")
    }
    for name in ("float16", "float32", "float64"):
        arrays[name] = rng.standard_normal((2, 1, 3)).astype(name)
    arrays["float32"][0, 0, 0] = np.nan
    arrays["bool"] = rng.random((4,)) > 0.5
    arrays["bfloat16"] = rng.integers(0, 2**16, size=(5,), dtype=np.uint16).view(BFLOAT16)
    arrays["strided"] = np.arange(40, dtype=np.float64).reshape(5, 8)[::2, 1::3].T
    arrays["big_endian"] = np.arange(6, dtype=">i4").reshape(2, 3)
    arrays["zero_size"] = np.zeros((3, 0, 2), np.int8)
    return arrays


def sample_sparse():
    rsp = SparseArray("row_sparse", (5, 2), np.ones((2, 2), np.float32), np.array([0, 3]))
    csr = SparseArray("csr", (2, 3), np.array([1.5, -2.0]), np.array([2, 0]), np.array([0, 1, 2]))
    empty = SparseArray(
        "csr", (2, 3), np.zeros(0, np.float16), np.zeros(0, np.int64), np.zeros(3, np.int64)
    )
    return {"rsp": rsp, "csr": csr, "csr_empty": empty}


def round_trip_cases():
    dense = random_dense(np.random.default_rng(0))
    return {
        "list": list(dense.values()),
        "dict": dense,
        "sparse_and_dense": {**sample_sparse(), "w": dense["float32"]},
        "np_shape_0d": [np.array(2.5, np.float32), np.array(True), dense["int64"]],
        "empty_list": [],
    }


@pytest.mark.parametrize("case", sorted(round_trip_cases()))
def test_round_trip(case):
    arrays = round_trip_cases()[case]
    loaded, contexts = loads(dumps(arrays))
    want = arrays if isinstance(arrays, list) else dict(arrays)
    want = [
        w.astype(w.dtype.newbyteorder("=")) if isinstance(w, np.ndarray) else w
        for w in (want.values() if isinstance(want, dict) else want)
    ]
    got = list(loaded.values()) if isinstance(arrays, dict) else loaded
    assert type(loaded) is type(arrays)
    for g, w in zip(got, want):
        assert_same(g, w)
    assert contexts == [(1, 0)] * len(want)


def test_empty_dict_loads_as_empty_list_like_mxnet():
    assert loads(dumps({})) == ([], [])


def test_loaded_arrays_own_their_memory():
    buf = bytearray(dumps([np.arange(4, dtype=np.int32)]))
    (array,), _ = loads(buf)
    array[0] = 9
    buf[-12:] = bytes(12)  # clobber the input: the result must not view it
    assert array.tolist() == [9, 1, 2, 3]


def test_trailing_bytes_are_ignored_like_mxnet():
    arrays, _ = loads(dumps([np.ones(2, np.float32)]) + b"junk")
    assert_same(arrays[0], np.ones(2, np.float32))


@pytest.mark.parametrize(
    "fname", ["list_dtypes.nd", "sparse.nd", "np_shape.nd", "legacy_v1.nd", "dict_dtypes.params"]
)
def test_every_truncation_raises(fname):
    buf = (FIXTURES / fname).read_bytes()
    for size in range(len(buf)):
        with pytest.raises(MXNetError, match="byte offset"):
            loads(buf[:size])


CORRUPT = {
    "file magic": (struct.pack("<QQQ", 0x113, 0, 0) + NO_NAMES, "file magic at byte offset 0"),
    "array magic": (header(1) + struct.pack("<I", 0xDEADBEEF) + bytes(40), "array 0 .*magic"),
    "type flag": (header(1) + dense_record((1,), bytes(2), type_flag=8) + NO_NAMES, "type flag"),
    "storage type": (
        header(1) + dense_record((1,), bytes(4), stype=5) + NO_NAMES,
        "storage type at byte offset 28",
    ),
    "sparse in V3": (
        header(1) + dense_record((1,), bytes(4), magic=V3, stype=1) + NO_NAMES,
        "storage type",
    ),
    "V2 none array": (header(1) + struct.pack("<Iii", V2, 0, 0) + NO_NAMES, "uninitialised"),
    "negative ndim": (header(1) + struct.pack("<Iii", V3, 0, -1) + NO_NAMES, "ndim"),
    "unknown dim": (header(1) + dense_record((-1,), b"") + NO_NAMES, "known dims"),
    "array count": (header(2**40) + ONE_FLOAT, "array count .* is 1099511627776"),
    "name length": (header(1) + ONE_FLOAT + struct.pack("<QQ", 1, 2**40), "name 0 length"),
    "name count": (
        header(1) + ONE_FLOAT + struct.pack("<QQ", 2, 1) + b"a" + struct.pack("<Q", 1) + b"b",
        "2 names for 1 arrays",
    ),
    "name utf-8": (header(1) + ONE_FLOAT + struct.pack("<QQ", 1, 1) + b"\xff", "UTF-8"),
    "sparse shapes": (
        header(1)
        + dumps([sample_sparse()["rsp"]])[24:-8].replace(
            struct.pack("<iq", 1, 2), struct.pack("<iq", 1, 1)
        )
        + NO_NAMES,
        "inconsistent row_sparse",
    ),
}


@pytest.mark.parametrize("case", sorted(CORRUPT))
def test_corrupt_input_raises_clear_error(case):
    buf, message = CORRUPT[case]
    with pytest.raises(MXNetError, match=message):
        loads(buf)


@pytest.mark.parametrize(
    "arrays, np_shape, message",
    [
        (np.ones(2), None, "expected a list"),
        ({1: np.ones(2)}, None, "keys must be str"),
        ([[1.0, 2.0]], None, "expected numpy.ndarray"),
        ([np.ones(2, np.int16)], None, "int16 has no MXNet 1.x type flag"),
        ([np.ones(2, np.complex64)], None, "complex64"),
        ([np.array(1.0)], False, "0-d array"),
        ([sample_sparse()["csr"]], True, "sparse"),
    ],
)
def test_dumps_rejects_bad_input(arrays, np_shape, message):
    with pytest.raises(MXNetError, match=message):
        dumps(arrays, np_shape=np_shape)


def test_sparse_array_checks_consistency():
    with pytest.raises(MXNetError, match="stype"):
        SparseArray("coo", (2,), np.ones(1), np.zeros(1, np.int64))
    with pytest.raises(MXNetError, match="inconsistent csr"):
        SparseArray("csr", (2, 3), np.ones(2), np.zeros(2, np.int64), np.zeros(2, np.int64))


def spec_and_npz(arrays, np_shape):
    """Describe ``arrays`` in check_mxnet_loads.py's format."""
    named = arrays.items() if isinstance(arrays, dict) else [(None, v) for v in arrays]
    entries, npz = [], {}
    for i, (name, value) in enumerate(named):
        key = str(i)
        if isinstance(value, SparseArray):
            npz.update({key + ":data": value.data, key + ":indices": value.indices})
            if value.indptr is not None:
                npz[key + ":indptr"] = value.indptr
        else:
            npz[key] = value.astype(value.dtype.newbyteorder("="))
        entries.append({"name": name, "key": key, "stype": getattr(value, "stype", "default")})
    kind = "dict" if isinstance(arrays, dict) else "list"
    return {"kind": kind, "np_shape": np_shape, "entries": entries}, npz


@pytest.mark.skipif(not MXREF_PYTHON.exists(), reason="reference MXNet venv not installed")
@pytest.mark.parametrize("case", ["list", "dict", "sparse_and_dense", "np_shape_0d"])
def test_real_mxnet_loads_our_file(case, tmp_path):
    arrays = round_trip_cases()[case]
    np_shape = case == "np_shape_0d"
    spec, npz = spec_and_npz(arrays, np_shape)
    (tmp_path / "ours.nd").write_bytes(dumps(arrays))
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    np.savez(tmp_path / "expected.npz", **npz)
    result = subprocess.run(
        [
            str(MXREF_PYTHON),
            str(CHECK_SCRIPT),
            str(tmp_path / "ours.nd"),
            str(tmp_path / "spec.json"),
            str(tmp_path / "expected.npz"),
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
