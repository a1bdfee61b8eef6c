"""mx.rnn: cell graphs (names, shapes), fused vs unfused equivalence through
unpack/pack_weights, modifier cells, sentence iterators and RNN checkpoints."""
import numpy as np
import pytest

import mixnet as mx
from mixnet import rnn


def _step_inputs(n, width=50):
    names = [f'rnn_t{i}_data' for i in range(n)]
    return [mx.sym.Variable(name) for name in names], {name: (10, width) for name in names}


@pytest.mark.parametrize("make, gates", [
    (lambda: rnn.RNNCell(100, prefix='rnn_'), 1),
    (lambda: rnn.LSTMCell(100, prefix='rnn_'), 4),
    (lambda: rnn.GRUCell(100, prefix='rnn_'), 3),
])
def test_stepping_cells_build_named_graphs(make, gates):
    cell = make()
    inputs, shapes = _step_inputs(3)
    outputs, states = cell.unroll(3, inputs)
    outputs = mx.sym.Group(outputs)
    assert sorted(cell.params._params) == ['rnn_h2h_bias', 'rnn_h2h_weight', 'rnn_i2h_bias',
                                           'rnn_i2h_weight']
    assert outputs.list_outputs() == ['rnn_t0_out_output', 'rnn_t1_out_output',
                                      'rnn_t2_out_output']
    args, outs, _ = outputs.infer_shape(**shapes)
    assert outs == [(10, 100)] * 3
    assert dict(zip(outputs.list_arguments(), args))['rnn_i2h_weight'] == (100 * gates, 50)
    assert len(states) == len(cell.state_info)


def test_merged_ntc_unroll_and_state_shapes():
    cell = rnn.LSTMCell(8, prefix='l_')
    outputs, _states = cell.unroll(5, mx.sym.var('data'), merge_outputs=True)
    _, outs, _ = outputs.infer_shape(data=(4, 5, 3))
    assert outs == [(4, 5, 8)]
    assert cell.state_shape == [(0, 8), (0, 8)]


def _bind_and_run(sym, data, weights, states):
    args = {'data': data, **weights, **states}
    exe = sym.bind(mx.cpu(), {k: args[k] for k in sym.list_arguments()})
    return exe.forward()[0].asnumpy()


def _zero_states(cell, batch):
    syms = cell.begin_state(func=mx.sym.Variable)
    shapes = [tuple(batch if d == 0 else d for d in info['shape']) for info in cell.state_info]
    return syms, {s.name: mx.nd.zeros(shape) for s, shape in zip(syms, shapes)}


@pytest.mark.parametrize("mode", ["rnn_relu", "rnn_tanh", "lstm", "gru"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_fused_cell_matches_its_unfused_stack(mode, bidirectional):
    steps, batch, width, hidden = 4, 3, 5, 6
    rng = np.random.RandomState(0)
    fused = rnn.FusedRNNCell(hidden, num_layers=2, mode=mode, bidirectional=bidirectional,
                             prefix='f_')
    data = mx.sym.var('data')
    f_states, f_values = _zero_states(fused, batch)
    f_out, _ = fused.unroll(steps, data, begin_state=f_states, layout='TNC', merge_outputs=True)
    size = f_out.infer_shape(data=(steps, batch, width))[0][1][0]
    flat = mx.nd.array(rng.uniform(-0.5, 0.5, size))
    x = mx.nd.array(rng.uniform(-1, 1, (steps, batch, width)))
    expected = _bind_and_run(f_out, x, {'f_parameters': flat}, f_values)

    stack = fused.unfuse()
    s_states, s_values = _zero_states(stack, batch)
    s_out, _ = stack.unroll(steps, data, begin_state=s_states, layout='TNC', merge_outputs=True)
    per_gate = fused.unpack_weights({'f_parameters': flat})
    assert f'f_l0_i2h{fused._gate_names[0]}_weight' in per_gate
    weights = stack.pack_weights(per_gate)
    np.testing.assert_allclose(_bind_and_run(s_out, x, weights, s_values), expected,
                               rtol=1e-5, atol=1e-6)
    repacked = fused.pack_weights(per_gate)
    np.testing.assert_array_equal(repacked['f_parameters'].asnumpy(), flat.asnumpy())


def test_unfuse_names_follow_mxnet():
    cell = rnn.FusedRNNCell(100, num_layers=3, mode='lstm', prefix='test_', bidirectional=True,
                            dropout=0.5).unfuse()
    inputs, shapes = _step_inputs(3)
    outputs, _ = cell.unroll(3, inputs)
    outputs = mx.sym.Group(outputs)
    assert outputs.list_outputs() == ['test_bi_l2_t0_output', 'test_bi_l2_t1_output',
                                      'test_bi_l2_t2_output']
    assert outputs.infer_shape(**shapes)[1] == [(10, 200)] * 3


def test_fused_cell_next_states_and_ntc_layout():
    cell = rnn.FusedRNNCell(4, num_layers=1, mode='gru', get_next_state=True, prefix='g_')
    with pytest.warns(UserWarning, match="NTC"):
        out, states = cell.unroll(3, mx.sym.var('data'), layout='NTC', merge_outputs=True)
    assert len(states) == 1 and states[0].attr('__layout__') == 'LNC'
    assert out.infer_shape(data=(2, 3, 5))[1] == [(2, 3, 4)]
    with pytest.raises(NotImplementedError):
        cell(mx.sym.var('x'), states)


def test_residual_and_bidirectional_cells_compute():
    cell = rnn.ResidualCell(rnn.BidirectionalCell(rnn.GRUCell(25, prefix='rnn_l_'),
                                                  rnn.GRUCell(25, prefix='rnn_r_')))
    inputs, shapes = _step_inputs(2)
    states, values = _zero_states(cell, 10)
    outputs, _ = cell.unroll(2, inputs, begin_state=states, merge_outputs=False)
    outputs = mx.sym.Group(outputs)
    assert outputs.infer_shape(**shapes)[1] == [(10, 50), (10, 50)]
    zeros = {n: mx.nd.zeros(s) for n, s in zip(outputs.list_arguments(),
                                               outputs.infer_shape(**shapes)[0])}
    zeros.update(values)
    zeros.update({n: mx.nd.ones(s) + 5 for n, s in shapes.items()})
    for out in outputs.eval(**zeros):
        np.testing.assert_array_equal(out.asnumpy(), np.ones((10, 50)) + 5)


def test_stack_with_residual_and_zoneout():
    stack = rnn.SequentialRNNCell()
    stack.add(rnn.LSTMCell(100, prefix='rnn_stack0_'))
    stack.add(rnn.ResidualCell(rnn.LSTMCell(100, prefix='rnn_stack1_')))
    stack.add(rnn.ZoneoutCell(rnn.RNNCell(100, prefix='rnn_stack2_'), zoneout_states=0.5))
    stack.add(rnn.DropoutCell(0.3))
    inputs, shapes = _step_inputs(3, width=100)
    states, _ = _zero_states(stack, 10)
    outputs, next_states = stack.unroll(3, inputs, begin_state=states)
    shapes.update({s.name: (10, 100) for s in states})
    assert mx.sym.Group(outputs).infer_shape(**shapes)[1] == [(10, 100)] * 3
    assert len(next_states) == 5
    assert 'rnn_stack2_h2h_weight' in stack.params._params


def test_sequential_cell_steps_one_time_step():
    stack = rnn.SequentialRNNCell()
    stack.add(rnn.LSTMCell(4, prefix='a_'))
    stack.add(rnn.GRUCell(5, prefix='b_'))
    states = stack.begin_state(func=mx.sym.Variable)
    out, next_states = stack(mx.sym.var('x'), states)
    assert [s.name for s in states] == ['a_begin_state_0', 'a_begin_state_1', 'b_begin_state_0']
    assert len(next_states) == 3
    shapes = dict(x=(2, 3), a_begin_state_0=(2, 4), a_begin_state_1=(2, 4), b_begin_state_0=(2, 5))
    assert out.infer_shape(**shapes)[1] == [(2, 5)]


def test_modifier_cells_guard_their_base():
    base = rnn.GRUCell(4)
    rnn.ZoneoutCell(base, zoneout_outputs=0.5)
    with pytest.raises(RuntimeError, match="modifier"):
        base.begin_state()
    with pytest.raises(TypeError, match="unfuse"):
        rnn.ZoneoutCell(rnn.FusedRNNCell(4))
    with pytest.raises(TypeError, match="Bidirectional"):
        rnn.ZoneoutCell(rnn.BidirectionalCell(rnn.GRUCell(4), rnn.GRUCell(4)))
    with pytest.raises(ValueError, match="not both"):
        rnn.SequentialRNNCell(params=rnn.RNNParams('x_')).add(
            rnn.LSTMCell(3, params=rnn.RNNParams('y_')))


def test_gate_weights_unpack_and_pack():
    cell = rnn.LSTMCell(2, prefix='l_')
    args = {'l_i2h_weight': mx.nd.arange(24).reshape((8, 3)), 'l_i2h_bias': mx.nd.arange(8),
            'l_h2h_weight': mx.nd.arange(16).reshape((8, 2)), 'l_h2h_bias': mx.nd.arange(8)}
    unpacked = cell.unpack_weights(args)
    np.testing.assert_array_equal(unpacked['l_i2h_f_bias'].asnumpy(), [2, 3])
    packed = cell.pack_weights(unpacked)
    for name, value in args.items():
        np.testing.assert_array_equal(packed[name].asnumpy(), value.asnumpy())


def test_lstm_forget_bias_initializes_i2h_bias():
    stack = rnn.SequentialRNNCell()
    stack.add(rnn.LSTMCell(10, forget_bias=2.0, prefix='l0_'))
    sym, _ = stack.unroll(2, mx.sym.Variable('data'), merge_outputs=True)
    mod = mx.mod.Module(sym, label_names=None, context=mx.cpu(0))
    mod.bind(data_shapes=[('data', (4, 2, 6))], label_shapes=None)
    mod.init_params()
    bias = mod.get_params()[0]['l0_i2h_bias'].asnumpy()
    np.testing.assert_allclose(bias, np.hstack([np.zeros(10), 2 * np.ones(10), np.zeros(20)]))


def test_conv_cells_infer_state_shapes():
    for make, n_states in ((rnn.ConvRNNCell, 1), (rnn.ConvLSTMCell, 2), (rnn.ConvGRUCell, 1)):
        cell = make(input_shape=(1, 3, 16, 10), num_hidden=10, prefix='rnn_')
        inputs = [mx.sym.Variable(f'rnn_t{i}_data') for i in range(2)]
        outputs, _ = cell.unroll(2, inputs)
        outputs = mx.sym.Group(outputs)
        assert outputs.list_outputs() == ['rnn_t0_out_output', 'rnn_t1_out_output']
        assert outputs.infer_shape(rnn_t0_data=(1, 3, 16, 10),
                                   rnn_t1_data=(1, 3, 16, 10))[1] == [(1, 10, 16, 10)] * 2
        assert cell.state_shape == [(0, 10, 16, 10)] * n_states


def test_encode_sentences():
    result, vocab = rnn.encode_sentences([['a', 'b', 'c'], ['b', 'c', 'd']],
                                         vocab={'a': 1, 'b': 2, 'c': 3}, unknown_token='UNK')
    assert vocab == {'a': 1, 'b': 2, 'c': 3, 'UNK': 0}
    assert result == [[1, 2, 3], [2, 3, 0]]
    result, vocab = rnn.encode_sentences([['x', 'y', 'x']], invalid_label=0, start_label=0)
    assert result == [[1, 2, 1]] and vocab == {'\n': 0, 'x': 1, 'y': 2}
    with pytest.raises(KeyError, match="z"):
        rnn.encode_sentences([['z']], vocab={'a': 1})


@pytest.mark.parametrize("layout", ["NT", "TN"])
def test_bucket_sentence_iter(layout):
    sentences = [[1, 2, 3]] * 4 + [[4, 5, 6, 7, 8]] * 4 + [[9] * 12]
    it = rnn.BucketSentenceIter(sentences, batch_size=2, buckets=[3, 6, 10],
                                invalid_label=0, layout=layout)
    assert it.buckets == [3, 6] and it.default_bucket_key == 6
    batches = list(it)
    assert len(batches) == 4
    for batch in batches:
        data, label = batch.data[0].asnumpy(), batch.label[0].asnumpy()
        if layout == 'TN':
            data, label = data.T, label.T
        assert data.shape == (2, batch.bucket_key)
        np.testing.assert_array_equal(label[:, :-1], data[:, 1:])
        assert (label[:, -1] == 0).all()
        assert batch.provide_data[0].shape == batch.data[0].shape
    it.reset()
    assert len(list(it)) == 4


def test_rnn_checkpoint_saves_unpacked_weights(tmp_path):
    cell = rnn.FusedRNNCell(3, num_layers=1, mode='gru', prefix='g_')
    sym, _ = cell.unroll(2, mx.sym.var('data'), layout='TNC', merge_outputs=True)
    size = sym.infer_shape(data=(2, 1, 4))[0][1][0]
    flat = mx.nd.array(np.arange(size, dtype=np.float32))
    prefix = str(tmp_path / 'model')
    rnn.save_rnn_checkpoint(cell, prefix, 3, sym, {'g_parameters': flat}, {})
    saved = mx.nd.load(prefix + '-0003.params')
    assert 'arg:g_l0_i2h_r_weight' in saved and 'arg:g_parameters' not in saved
    _, args, _ = rnn.load_rnn_checkpoint([cell], prefix, 3)
    np.testing.assert_array_equal(args['g_parameters'].asnumpy(), flat.asnumpy())
    callback = rnn.do_rnn_checkpoint(cell, prefix, period=2)
    callback(1, sym, {'g_parameters': flat}, {})
    assert (tmp_path / 'model-0002.params').exists()
