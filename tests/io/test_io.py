"""mixnet.io core: DataDesc, DataBatch, NDArrayIter (pad / discard / roll_over, shuffle,
naming, layouts), ResizeIter and PrefetchingIter."""
import numpy as np
import pytest

import mixnet as mx
from mixnet import io as mio
from mixnet.base import MXNetError


def _rows(batch, i=0):
    return batch.data[i].asnumpy()


# --- DataDesc / DataBatch ----------------------------------------------------------------

def test_data_desc():
    d = mio.DataDesc("data", (2, 3))
    assert repr(d) == "DataDesc[data,(2, 3),<class 'numpy.float32'>,NCHW]"
    assert d == ("data", (2, 3)) and d.name == "data" and d.layout == "NCHW"
    name, shape = d
    assert (name, shape) == ("data", (2, 3))
    assert mio.DataDesc.get_batch_axis("TNC") == 1 and mio.DataDesc.get_batch_axis(None) == 0
    descs = mio.DataDesc.get_list([("a", (1,)), ("b", (2,))], [("a", np.int32), ("b", np.int8)])
    assert [(x.name, x.dtype) for x in descs] == [("a", np.int32), ("b", np.int8)]
    assert mio.DataDesc.get_list([("a", (1,))], None)[0].dtype == np.float32


def test_data_batch():
    batch = mio.DataBatch(data=[mx.nd.ones((2, 3)), mx.nd.ones((7, 8))],
                          label=[mx.nd.ones((4, 5))], pad=1)
    assert str(batch) == "DataBatch: data shapes: [(2, 3), (7, 8)] label shapes: [(4, 5)]"
    assert str(mio.DataBatch([mx.nd.ones((2,))])) == \
        "DataBatch: data shapes: [(2,)] label shapes: None"
    with pytest.raises(TypeError, match="list of NDArrays"):
        mio.DataBatch(mx.nd.ones((2,)))


def test_data_iter_base_next():
    class Two(mio.DataIter):
        def __init__(self):
            super().__init__(batch_size=1)
            self.n = 0

        def iter_next(self):
            self.n += 1
            return self.n <= 2

        def getdata(self):
            return [mx.nd.array([self.n])]

        def getlabel(self):
            return []

        def getpad(self):
            return 0

    batches = list(Two())
    assert [b.data[0].asscalar() for b in batches] == [1, 2]
    assert batches[0].index is None and batches[0].pad == 0


# --- NDArrayIter ---------------------------------------------------------------------------

DATA = np.arange(10, dtype=np.float32).reshape(10, 1) * np.ones((1, 2), np.float32)


@pytest.mark.parametrize("handle, firsts, pads", [
    ("pad", [0, 4, 8], [0, 0, 2]),
    ("discard", [0, 4], [0, 0]),
    ("roll_over", [0, 4], [0, 0])])
def test_last_batch_handle_first_epoch(handle, firsts, pads):
    it = mio.NDArrayIter(DATA, np.arange(10), batch_size=4, last_batch_handle=handle)
    batches = list(it)
    assert [_rows(b)[0, 0] for b in batches] == firsts
    assert [b.pad for b in batches] == pads
    for b in batches:   # label rows follow data rows
        np.testing.assert_array_equal(b.label[0].asnumpy(), _rows(b)[:, 0])
    if handle == "pad":
        np.testing.assert_array_equal(_rows(batches[-1])[:, 0], [8, 9, 0, 1])


def test_roll_over_carries_the_rest_into_next_epoch():
    it = mio.NDArrayIter(DATA, np.arange(10), batch_size=4, last_batch_handle="roll_over")
    assert len(list(it)) == 2
    it.reset()
    first = it.next()
    np.testing.assert_array_equal(_rows(first)[:, 0], [8, 9, 0, 1])
    np.testing.assert_array_equal(first.label[0].asnumpy(), [8, 9, 0, 1])
    assert first.pad == 2
    rest = [_rows(b)[0, 0] for b in it]
    assert rest == [2, 6]          # 2..5, 6..9: nothing left over this time
    it.reset()
    assert _rows(it.next())[0, 0] == 0
    # hard_reset forgets a pending roll over
    list(it)
    it.hard_reset()
    assert _rows(it.next())[0, 0] == 0


def test_pad_with_batch_larger_than_data():
    it = mio.NDArrayIter(np.arange(10), batch_size=25, last_batch_handle="pad")
    batch = it.next()
    np.testing.assert_array_equal(batch.data[0].asnumpy(),
                                  np.concatenate([np.tile(np.arange(10), 2), np.arange(5)]))
    assert batch.pad == 15
    with pytest.raises(StopIteration):
        it.next()


def test_names_and_provide_data():
    it = mio.NDArrayIter({"b": np.zeros((6, 3)), "a": np.zeros((6, 2))}, [np.zeros(6)] * 2, 3)
    assert [d.name for d in it.provide_data] == ["a", "b"]           # sorted by name
    assert [d.name for d in it.provide_label] == ["_0_softmax_label", "_1_softmax_label"]
    assert it.provide_data[1].shape == (3, 3)
    assert it.provide_label[0] == ("_0_softmax_label", (3,))
    only = mio.NDArrayIter(np.zeros((4, 2)), batch_size=2, data_name="x", label_name="y")
    assert only.provide_data[0].name == "x" and only.provide_label == []
    assert only.next().label == []


def test_dtype_and_numpy_conversion():
    it = mio.NDArrayIter(mx.nd.array(np.ones((4, 2)), dtype="int32"), np.arange(4), 2)
    assert it.provide_data[0].dtype == np.int32
    assert it.provide_label[0].dtype == np.float32      # numpy input becomes float32
    assert it.next().data[0].dtype == np.int32


def test_layout_ntc_batches_along_axis_1():
    data = np.arange(2 * 6 * 3, dtype=np.float32).reshape(2, 6, 3)   # (T, N, C)
    it = mio.NDArrayIter(data, batch_size=4, layout="TNC", last_batch_handle="discard")
    assert it.provide_data[0].shape == (2, 4, 3)
    # as in MXNet, the number of examples is still read on axis 0
    assert it.num_data == 2


def test_shuffle_is_a_consistent_permutation():
    np.random.seed(3)
    labels = np.arange(12)
    it = mio.NDArrayIter(labels[:, None] * np.ones((1, 2)), labels, 4, shuffle=True)
    order = it.idx.copy()
    seen = []
    for batch in it:
        np.testing.assert_array_equal(batch.label[0].asnumpy(), _rows(batch)[:, 0])
        seen.extend(batch.label[0].asnumpy().tolist())
    assert seen == order.tolist() and sorted(seen) == list(range(12))
    assert order.tolist() != list(range(12))


def test_errors():
    with pytest.raises(MXNetError, match="last_batch_handle"):
        mio.NDArrayIter(DATA, batch_size=2, last_batch_handle="wrap")
    with pytest.raises(TypeError, match="Input must be"):
        mio.NDArrayIter("not data", batch_size=2)
    with pytest.raises(MXNetError):
        mio.NDArrayIter(None)


def test_scipy_csr_needs_discard_and_comes_out_dense():
    sparse = pytest.importorskip("scipy.sparse")
    dense = np.arange(12, dtype=np.float32).reshape(6, 2)
    csr = sparse.csr_matrix(dense)
    with pytest.raises(NotImplementedError):
        mio.NDArrayIter({"data": csr}, dense, 4)
    it = mio.NDArrayIter({"data": csr}, None, 4, last_batch_handle="discard")
    batches = list(it)
    assert len(batches) == 1
    np.testing.assert_array_equal(batches[0].data[0].asnumpy(), dense[:4])


# --- ResizeIter / PrefetchingIter ----------------------------------------------------------

def test_resize_iter():
    base = mio.NDArrayIter(np.arange(6), batch_size=2)
    resized = mio.ResizeIter(base, 5)
    assert resized.batch_size == 2 and resized.provide_data == base.provide_data
    firsts = [b.data[0].asnumpy()[0] for b in resized]
    assert firsts == [0, 2, 4, 0, 2]                # wraps around the 3-batch epoch
    resized.reset()
    assert resized.next().data[0].asnumpy()[0] == 0  # reset_internal=True restarts base
    short = mio.ResizeIter(mio.NDArrayIter(np.arange(6), batch_size=2), 1,
                           reset_internal=False)
    assert [b.data[0].asnumpy()[0] for b in short] == [0]
    short.reset()
    assert [b.data[0].asnumpy()[0] for b in short] == [2]


def test_prefetching_iter_merges_and_renames():
    it1 = mio.NDArrayIter({"data": np.arange(8)}, np.arange(8), batch_size=4)
    it2 = mio.NDArrayIter({"data": np.arange(8) * 10}, batch_size=4)
    pit = mio.PrefetchingIter([it1, it2], rename_data=[{"data": "d1"}, {"data": "d2"}])
    assert [d.name for d in pit.provide_data] == ["d1", "d2"]
    assert pit.batch_size == 4
    for epoch in range(2):
        batches = list(pit)
        assert len(batches) == 2
        np.testing.assert_array_equal(batches[1].data[0].asnumpy(), [4, 5, 6, 7])
        np.testing.assert_array_equal(batches[1].data[1].asnumpy(), [40, 50, 60, 70])
        assert len(batches[1].label) == 1
        assert batches[1].provide_data[1].name == "d2"
        pit.reset()


def test_prefetching_iter_single_and_errors():
    pit = mio.PrefetchingIter(mio.NDArrayIter(np.arange(4), batch_size=2))
    assert len(list(pit)) == 2
    mismatched = mio.PrefetchingIter([mio.NDArrayIter(np.arange(4), batch_size=2),
                                      mio.NDArrayIter(np.arange(2), batch_size=2)])
    mismatched.next()
    with pytest.raises(MXNetError, match="mismatches"):
        mismatched.next()

    class Broken(mio.NDArrayIter):
        def next(self):
            raise RuntimeError("disk on fire")

    broken = mio.PrefetchingIter(Broken(np.arange(4), batch_size=2))
    with pytest.raises(RuntimeError, match="disk on fire"):
        broken.next()
