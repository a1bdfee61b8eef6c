"""contrib.amp: low-precision ops get amp_cast inputs; results stay close to float32."""
import numpy as np

import mixnet as mx
from mixnet.contrib import amp


def test_convert_symbol_casts_lp16_ops_and_keeps_results():
    data = mx.sym.var("data")
    net = mx.sym.relu(mx.sym.FullyConnected(data, num_hidden=4, name="fc"))
    conv = amp.convert_symbol(net, target_dtype="float16")
    ops = [n["op"] for n in __import__("json").loads(conv.tojson())["nodes"]]
    assert ops.count("amp_cast") == 4 and conv.list_arguments() == net.list_arguments()
    rng = np.random.RandomState(0)
    args = {"data": rng.rand(3, 5), "fc_weight": rng.rand(4, 5), "fc_bias": rng.rand(4)}
    outs = []
    for sym in (net, conv):
        exe = sym.simple_bind(mx.cpu(), data=(3, 5), grad_req="null")
        for k, v in args.items():
            exe.arg_dict[k][:] = v
        outs.append(exe.forward()[0].asnumpy())
    assert outs[1].dtype == np.float32
    np.testing.assert_allclose(outs[0], outs[1], rtol=1e-2)


def test_init_validates_dtype():
    amp.init("float16")
    try:
        amp.init("int8")
    except ValueError as err:
        assert "float16" in str(err)
    else:
        raise AssertionError("int8 accepted")
