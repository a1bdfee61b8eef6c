"""mixnet.io file readers: CSVIter, LibSVMIter, MNISTIter on small files written here.
Expected batches (round_batch wrap-around, pads, partitions, MNIST shuffle order) were
recorded from MXNet 1.9.1."""
import struct

import numpy as np
import pytest

from mixnet import io as mio
from mixnet.base import MXNetError

CSV_ROWS = "1,2,3\n2,3,4\n3,4,5\n4,5,6\n"


@pytest.fixture
def csv_files(tmp_path):
    data, label = tmp_path / "d.csv", tmp_path / "l.csv"
    data.write_text(CSV_ROWS)
    label.write_text("1\n2\n3\n4\n")
    return str(data), str(label)


def _epochs(it, n):
    out = []
    for _ in range(n):
        out.append([(b.data[0].asnumpy()[:, 0].tolist(), b.label[0].asnumpy().tolist(), b.pad,
                     b.index.tolist()) for b in it])
        it.reset()
    return out


def test_csv_round_batch_wraps_and_continues(csv_files):
    it = mio.CSVIter(data_csv=csv_files[0], label_csv=csv_files[1], data_shape=(3,),
                     batch_size=3)
    assert it.provide_data == [("data", (3, 3))] and it.provide_label == [("softmax_label", (3,))]
    assert isinstance(it, mio.MXDataIter)
    assert _epochs(it, 3) == [
        [([1, 2, 3], [1, 2, 3], 0, [0, 1, 2]), ([4, 1, 2], [4, 1, 2], 2, [3, 0, 1])],
        [([3, 4, 1], [3, 4, 1], 1, [2, 3, 0])],
        [([2, 3, 4], [2, 3, 4], 0, [1, 2, 3])]]


def test_csv_no_round_batch_keeps_previous_rows(csv_files):
    it = mio.CSVIter(data_csv=csv_files[0], label_csv=csv_files[1], data_shape=(3,),
                     batch_size=3, round_batch=False)
    expected = [([1, 2, 3], [1, 2, 3], 0, [0, 1, 2]), ([4, 2, 3], [4, 2, 3], 2, [3, 1, 2])]
    assert _epochs(it, 2) == [expected, expected]
    first = mio.CSVIter(data_csv=csv_files[0], data_shape=(3,), batch_size=5, round_batch=False)
    np.testing.assert_array_equal(first.next().data[0].asnumpy()[4], [0, 0, 0])


def test_csv_shapes_default_label_and_getters(csv_files):
    it = mio.CSVIter(data_csv=csv_files[0], data_shape=(1, 3), batch_size=2)
    batch = it.next()
    assert batch.data[0].shape == (2, 1, 3)
    np.testing.assert_array_equal(batch.label[0].asnumpy(), [0, 0])   # no label file
    assert it.iter_next()
    np.testing.assert_array_equal(it.getdata().asnumpy()[:, 0, 0], [3, 4])
    assert it.getpad() == 0 and it.getindex().tolist() == [2, 3]
    assert not it.iter_next()


def test_csv_label_shape(tmp_path, csv_files):
    label = tmp_path / "l2.csv"
    label.write_text("1,2\n2,3\n3,4\n4,5\n")
    it = mio.CSVIter(data_csv=csv_files[0], data_shape=(3,), label_csv=str(label),
                     label_shape=(2,), batch_size=2)
    assert it.provide_label[0].shape == (2, 2)
    one = mio.CSVIter(data_csv=csv_files[1], data_shape=(1,), label_csv=csv_files[1],
                      label_shape=(1, 1), batch_size=2)
    assert one.provide_label[0].shape == (2,) and one.provide_data[0].shape == (2, 1)


@pytest.mark.parametrize("dtype, entry", [("int32", "200000001"), ("int64", "2147483648"),
                                          ("float32", "1.5")])
def test_csv_dtypes(tmp_path, dtype, entry):
    path = tmp_path / "d.csv"
    path.write_text("\n".join([",".join([entry] * 4)] * 5) + "\n")
    it = mio.CSVIter(data_csv=str(path), data_shape=(2, 2), batch_size=5, dtype=dtype)
    data = it.next().data[0].asnumpy()
    assert data.dtype == np.dtype(dtype) and it.provide_data[0].dtype == np.dtype(dtype).type
    np.testing.assert_array_equal(data, np.full((5, 2, 2), float(entry), dtype=dtype))


def test_csv_parsing_details(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("1.5, 2e3 ,-3\n\n4,5,6")       # spaces, blank line, no final newline
    it = mio.CSVIter(data_csv=str(path), data_shape=(3,), batch_size=2)
    np.testing.assert_array_equal(it.next().data[0].asnumpy(), [[1.5, 2000, -3], [4, 5, 6]])
    as_int = mio.CSVIter(data_csv=str(path), data_shape=(3,), batch_size=2, dtype="int32")
    np.testing.assert_array_equal(as_int.next().data[0].asnumpy(), [[1, 2, -3], [4, 5, 6]])


def test_csv_reads_a_directory(tmp_path):
    folder = tmp_path / "parts"
    folder.mkdir()
    (folder / "a.csv").write_text("1,1\n2,2\n")
    (folder / "b.csv").write_text("3,3\n")
    it = mio.CSVIter(data_csv=str(folder), data_shape=(2,), batch_size=3)
    np.testing.assert_array_equal(it.next().data[0].asnumpy()[:, 0], [1, 2, 3])


def test_csv_errors(csv_files, tmp_path):
    with pytest.raises(MXNetError, match=r"specified shape=\[4\], the csv row-length=3"):
        mio.CSVIter(data_csv=csv_files[0], data_shape=(4,), batch_size=2)
    with pytest.raises(MXNetError, match="No such file"):
        mio.CSVIter(data_csv=str(tmp_path / "missing.csv"), data_shape=(3,), batch_size=2)
    with pytest.raises(MXNetError, match="Required parameter data_shape"):
        mio.CSVIter(data_csv=csv_files[0], batch_size=2)
    with pytest.raises(TypeError, match="keyword"):
        mio.CSVIter(csv_files[0], data_shape=(3,), batch_size=2)
    with pytest.raises(MXNetError, match="bigger than batch size"):
        mio.CSVIter(data_csv=csv_files[0], data_shape=(3,), batch_size=9)


# --- LibSVMIter -----------------------------------------------------------------------------

LIBSVM = "1.0 0:0.5 2:1.2\n-2.0\n-3.0 0:0.6 1:2.4 2:1.2\n4 2:-1.2\n"
ROWS = [[0.5, 0, 1.2], [0, 0, 0], [0.6, 2.4, 1.2], [0, 0, -1.2]]


@pytest.fixture
def svm_file(tmp_path):
    path = tmp_path / "data.t"
    path.write_text(LIBSVM)
    return str(path)


def test_libsvm_batches_and_labels(svm_file):
    it = mio.LibSVMIter(data_libsvm=svm_file, data_shape=(3,), batch_size=3)
    assert it.provide_data[0].shape == (3, 3) and it.provide_label[0].shape == (3,)
    order = [[0, 1, 2], [3, 0, 1], [2, 3, 0], [1, 2, 3]]
    got = [b for epoch in range(3) for b in _collect_and_reset(it)]
    for batch, rows in zip(got, order):
        np.testing.assert_allclose(batch.data[0].asnumpy(), np.array(ROWS)[rows], rtol=1e-6)
        np.testing.assert_array_equal(batch.label[0].asnumpy(), np.array([1, -2, -3, 4])[rows])
    assert [b.pad for b in got] == [0, 2, 1, 0]


def _collect_and_reset(it):
    batches = list(it)
    it.reset()
    return batches


def test_libsvm_label_file(svm_file, tmp_path):
    label = tmp_path / "label.t"
    label.write_text("1.0\n-2.0 0:0.125\n-3.0 2:1.2\n4 1:1.0 2:-1.2\n")
    it = mio.LibSVMIter(data_libsvm=svm_file, label_libsvm=str(label), data_shape=(3,),
                        label_shape=(3,), batch_size=3)
    assert it.provide_label[0].shape == (3, 3)
    np.testing.assert_allclose(it.next().label[0].asnumpy(),
                               [[0, 0, 0], [0.125, 0, 0], [0, 0, 1.2]], rtol=1e-6)


def test_libsvm_parts_are_byte_ranges(svm_file):
    # the 56-byte file splits at byte 28, inside line 3: part 1 holds only the last line
    it = mio.LibSVMIter(data_libsvm=svm_file, data_shape=(3,), batch_size=2, num_parts=2,
                        part_index=1)
    batch = it.next()
    np.testing.assert_allclose(batch.data[0].asnumpy(), [ROWS[3], ROWS[3]], rtol=1e-6)
    assert batch.pad == 1
    first = mio.LibSVMIter(data_libsvm=svm_file, data_shape=(3,), batch_size=3, num_parts=2)
    np.testing.assert_array_equal(first.next().label[0].asnumpy(), [1, -2, -3])


def test_libsvm_errors(tmp_path, svm_file):
    bad = tmp_path / "bad.t"
    bad.write_text("1.0 0:0.5\n-3.0 -1:0.6 1:2.4\n")
    with pytest.raises(MXNetError, match="line 2"):
        mio.LibSVMIter(data_libsvm=str(bad), data_shape=(3,), batch_size=1)
    with pytest.raises(MXNetError, match="round_batch"):
        mio.LibSVMIter(data_libsvm=svm_file, data_shape=(3,), batch_size=1, round_batch=False)
    with pytest.raises(MXNetError, match="1-D"):
        mio.LibSVMIter(data_libsvm=svm_file, data_shape=(3, 1), batch_size=1)


# --- MNISTIter -------------------------------------------------------------------------------

def _write_mnist(tmp_path, n=20, rows=2, cols=3):
    images, labels = tmp_path / "images", tmp_path / "labels"
    pixels = (np.arange(n * rows * cols) % 256).astype(np.uint8)
    images.write_bytes(struct.pack(">iiii", 2051, n, rows, cols) + pixels.tobytes())
    labels.write_bytes(struct.pack(">ii", 2049, n) + np.arange(n, dtype=np.uint8).tobytes())
    return str(images), str(labels), pixels.reshape(n, rows, cols)


def test_mnist_unshuffled(tmp_path, capsys):
    image, label, pixels = _write_mnist(tmp_path)
    it = mio.MNISTIter(image=image, label=label, batch_size=6, shuffle=False)
    assert "MNISTIter: load 20 images, shuffle=0, shape=[6,1,2,3]" in capsys.readouterr().err
    assert it.provide_data == [("data", (6, 1, 2, 3))] and it.provide_label[0].shape == (6,)
    batches = list(it)
    assert len(batches) == 3                               # the last 2 images are dropped
    np.testing.assert_array_equal(batches[1].data[0].asnumpy()[:, 0] * 256, pixels[6:12])
    np.testing.assert_array_equal(batches[1].label[0].asnumpy(), np.arange(6, 12))
    assert batches[1].pad == 0 and batches[1].index.tolist() == list(range(6, 12))
    it.reset()
    assert it.next().label[0].asnumpy()[0] == 0


@pytest.mark.parametrize("seed, order", [
    (0, [16, 2, 3, 5, 14, 18, 13, 19, 4, 7, 6, 8, 9, 10, 15, 12, 0, 17, 1, 11]),
    (10, [12, 19, 13, 17, 16, 18, 10, 8, 2, 0, 14, 4, 15, 11, 5, 3, 9, 6, 7, 1])])
def test_mnist_shuffle_matches_mxnet(tmp_path, seed, order):
    image, label, pixels = _write_mnist(tmp_path)
    it = mio.MNISTIter(image=image, label=label, batch_size=20, seed=seed, silent=True, flat=1)
    batch = it.next()
    assert batch.label[0].asnumpy().astype(int).tolist() == order
    np.testing.assert_array_equal(batch.data[0].asnumpy() * 256, pixels[order].reshape(20, 6))
    it.reset()   # shuffled once: the order stays across epochs
    assert it.next().label[0].asnumpy().astype(int).tolist() == order


def test_mnist_parts_flat_and_dtype(tmp_path, capsys):
    image, label, _ = _write_mnist(tmp_path)
    it = mio.MNISTIter(image=image, label=label, batch_size=3, shuffle=False, flat=True,
                       num_parts=3, part_index=2, dtype="float64")
    assert "shape=(3,6)" in capsys.readouterr().err
    batches = list(it)
    assert len(batches) == 2                               # images 13..19
    np.testing.assert_array_equal(batches[0].label[0].asnumpy(), [13, 14, 15])
    np.testing.assert_array_equal(batches[0].data[0].asnumpy()[0] * 256, np.arange(78, 84))
    assert batches[0].data[0].dtype == np.float64


def test_mnist_errors(tmp_path):
    image, label, _ = _write_mnist(tmp_path)
    short = tmp_path / "short"
    short.write_bytes(b"\0\0")
    with pytest.raises(MXNetError, match="invalid mnist format"):
        mio.MNISTIter(image=str(short), label=label, silent=True)
    with pytest.raises(MXNetError, match="No such file"):
        mio.MNISTIter(image=str(tmp_path / "nope"), label=label, silent=True)
    with pytest.raises(MXNetError, match="part_index"):
        mio.MNISTIter(image=image, label=label, num_parts=2, part_index=2, silent=True)
    with pytest.raises(MXNetError, match="no complete batch"):
        mio.MNISTIter(image=image, label=label, batch_size=50, silent=True)
