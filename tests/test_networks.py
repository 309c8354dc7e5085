"""Networks: shapes of every cell and head, explicit state, packing, teacher forcing."""

import pytest
import torch

from tsrnn.nn import (
    NetConfig,
    RNNNetwork,
    count_parameters,
    select_state,
    state_from_tensors,
    state_tensors,
)

CELLS = ["rnn", "lstm", "gru"]


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("head, steps", [("last", 6), ("per_step", 10), ("encoder_decoder", 6)])
def test_output_and_state_shapes(cell, bidirectional, head, steps):
    cfg = NetConfig(input_size=3, output_size=2, horizon=6, cell=cell, hidden_size=8,
                    num_layers=2, bidirectional=bidirectional, head=head, head_hidden=5)
    net = RNNNetwork(cfg)
    y, state = net(torch.randn(4, 10, 3))
    assert y.shape == (4, steps, 2)
    h = state[0] if cell == "lstm" else state
    assert h.shape == (2 * (2 if bidirectional else 1), 4, 8)
    assert isinstance(state, tuple) == (cell == "lstm")


def test_relu_rnn_and_parameter_count():
    cfg = NetConfig(cell="rnn", nonlinearity="relu", hidden_size=4, input_size=1)
    net = RNNNetwork(cfg)
    assert net.backbone.rnn.nonlinearity == "relu"
    # rnn: 4*1 + 4*4 + 4 + 4 ; head: 4*1 + 1
    assert count_parameters(net) == 4 + 16 + 8 + 5


def test_explicit_state_is_used_and_starts_at_zero():
    net = RNNNetwork(NetConfig(cell="gru", hidden_size=5)).eval()
    x = torch.randn(2, 7, 1)
    y0, _ = net(x)
    y_zero, _ = net(x, net.init_state(2))
    torch.testing.assert_close(y0, y_zero)
    y_other, _ = net(x, torch.ones(1, 2, 5))
    assert not torch.allclose(y0, y_other)


@pytest.mark.parametrize("cell", CELLS)
def test_packed_padding_matches_unpadded(cell):
    torch.manual_seed(2)
    cfg = NetConfig(cell=cell, vocab_size=12, embedding_dim=4, padding_idx=0, hidden_size=6,
                    output_size=3, head="last", bidirectional=True)
    net = RNNNetwork(cfg).eval()
    short = torch.tensor([[5, 3, 9]])
    padded = torch.tensor([[5, 3, 9, 0, 0], [1, 2, 3, 4, 5]])
    y_short, _ = net(short)
    y_padded, _ = net(padded, lengths=torch.tensor([3, 5]))
    torch.testing.assert_close(y_padded[:1], y_short, atol=1e-6, rtol=0)


def test_encoder_decoder_teacher_forcing_matches_rollout_on_its_own_outputs():
    torch.manual_seed(3)
    cfg = NetConfig(cell="lstm", input_size=1, output_size=1, horizon=5, hidden_size=8,
                    head="encoder_decoder", future_size=2)
    net = RNNNetwork(cfg).eval()
    x, future = torch.randn(4, 12, 1), torch.randn(4, 5, 2)
    rolled, _ = net(x, future=future)
    forced, _ = net(x, future=future, teacher=rolled)  # feeding back its own outputs
    torch.testing.assert_close(forced, rolled, atol=1e-6, rtol=0)
    other, _ = net(x, future=future, teacher=torch.zeros_like(rolled))
    assert torch.allclose(other[:, 0], rolled[:, 0])  # step 0 only sees the start token
    assert not torch.allclose(other[:, 1:], rolled[:, 1:])


def test_classification_decoder_feeds_back_one_hot():
    cfg = NetConfig(cell="gru", input_size=3, output_size=4, horizon=3, hidden_size=6,
                    head="encoder_decoder", feedback="onehot")
    net = RNNNetwork(cfg).eval()
    logits, _ = net(torch.randn(2, 5, 3))
    assert logits.shape == (2, 3, 4)
    forced, _ = net(torch.randn(2, 5, 3), teacher=torch.tensor([[0, 1, 2], [3, 3, 3]]))
    assert forced.shape == (2, 3, 4)


def test_state_helpers_round_trip():
    h, c = torch.randn(2, 4, 3), torch.randn(2, 4, 3)
    picked = select_state((h, c), torch.tensor([0, 2]))
    assert picked[0].shape == (2, 2, 3)
    back = state_from_tensors(state_tensors((h, c)))
    assert torch.equal(back[0], h) and torch.equal(back[1], c)
    assert torch.equal(state_from_tensors(state_tensors(h)), h)


def test_bad_config_is_rejected():
    with pytest.raises(ValueError, match="cell"):
        NetConfig(cell="transformer")
    with pytest.raises(ValueError, match="head"):
        NetConfig(head="attention")
