# %% [markdown]
# # 01 — Recurrent networks from the ground up
#
# What `nn.RNN`, `nn.LSTM` and `nn.GRU` compute, and the shapes that go in and come out:
#
# 1. an `nn.RNNCell` loop gives exactly what the fused `nn.RNN` gives;
# 2. the shapes of input, `h0`, output and `h_n`, with and without `batch_first`;
# 3. stacked layers and bidirectional networks: how `h_n` is laid out;
# 4. LSTM's `(h, c)` state, GRU, and variable-length (packed) batches;
# 5. the same building blocks in tsrnn's `RNNNetwork`, including carrying the state across
#    chunks of a long sequence.
#
# Everything runs on the CPU in a few seconds.

# %%
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from tsrnn import NetConfig, RNNNetwork

torch.manual_seed(0)
torch.set_num_threads(1)

L, B, F, H = 5, 3, 4, 8  # sequence length, batch size, input features, hidden units

# %% [markdown]
# ## 1. A cell loop equals the fused module
#
# An Elman RNN updates its hidden state once per step:
#
# $$h_t = \tanh(W_{ih} x_t + b_{ih} + W_{hh} h_{t-1} + b_{hh})$$
#
# `nn.RNNCell` computes one such step; `nn.RNN` runs the whole loop in one fused call (much
# faster, and on a GPU in cuDNN). Give both the same weights and they agree.

# %%
x = torch.randn(L, B, F)  # the default layout: (seq, batch, feature)

rnn = nn.RNN(input_size=F, hidden_size=H)
cell = nn.RNNCell(input_size=F, hidden_size=H)
with torch.no_grad():  # copy the layer-0 weights of the RNN into the cell
    cell.weight_ih.copy_(rnn.weight_ih_l0)
    cell.weight_hh.copy_(rnn.weight_hh_l0)
    cell.bias_ih.copy_(rnn.bias_ih_l0)
    cell.bias_hh.copy_(rnn.bias_hh_l0)

h = torch.zeros(B, H)
steps = []
for t in range(L):
    h = cell(x[t], h)  # (B, F), (B, H) -> (B, H)
    steps.append(h)
loop_out = torch.stack(steps)  # L x (B, H) -> (L, B, H)

out, h_n = rnn(x)  # h0 defaults to zeros
print("fused output", tuple(out.shape), " h_n", tuple(h_n.shape))
print("largest difference between loop and fused:", (loop_out - out).abs().max().item())
torch.testing.assert_close(loop_out, out)
torch.testing.assert_close(h_n[0], out[-1])  # h_n is the output at the last step

# %% [markdown]
# The formula by hand, for the first step, gives the same numbers again:

# %%
h1 = torch.tanh(x[0] @ rnn.weight_ih_l0.T + rnn.bias_ih_l0 + rnn.bias_hh_l0)  # h0 = 0
torch.testing.assert_close(h1, out[0])
print("step 1 by hand == nn.RNN step 1")

# %% [markdown]
# ## 2. Shapes, and what `batch_first` changes
#
# | tensor | default `(seq, batch, feature)` | `batch_first=True` |
# |---|---|---|
# | input `x` | `(L, B, F)` | `(B, L, F)` |
# | `h0`, `h_n` | `(layers * directions, B, H)` | **unchanged**: `(layers * directions, B, H)` |
# | output | `(L, B, directions * H)` | `(B, L, directions * H)` |
#
# `batch_first` changes the input and the output, never the hidden state. tsrnn uses
# `batch_first=True` throughout.

# %%
rnn_bf = nn.RNN(F, H, batch_first=True)
rnn_bf.load_state_dict(rnn.state_dict())  # the same weights
x_bf = x.transpose(0, 1)  # (L, B, F) -> (B, L, F)
h0 = torch.zeros(1, B, H)  # (layers * directions, B, H), also with batch_first
out_bf, h_n_bf = rnn_bf(x_bf, h0)
print("input", tuple(x_bf.shape), " output", tuple(out_bf.shape), " h_n", tuple(h_n_bf.shape))
torch.testing.assert_close(out_bf, out.transpose(0, 1))
torch.testing.assert_close(h_n_bf, h_n)

try:
    rnn_bf(x_bf, torch.zeros(B, 1, H))  # a batch-first h0 is a mistake
except RuntimeError as error:
    print("h0 of shape (B, 1, H) ->", str(error).splitlines()[0])

# %% [markdown]
# ## 3. Stacked layers
#
# With `num_layers=2` the second layer reads the first layer's outputs. The output holds the
# **top** layer at every step; `h_n` holds the **last** step of every layer.

# %%
deep = nn.RNN(F, H, num_layers=2)
out2, h_n2 = deep(x)
print("output", tuple(out2.shape), " h_n", tuple(h_n2.shape))

# rebuild it from two one-layer RNNs
first, second = nn.RNN(F, H), nn.RNN(H, H)
with torch.no_grad():
    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        getattr(first, f"{name}_l0").copy_(getattr(deep, f"{name}_l0"))
        getattr(second, f"{name}_l0").copy_(getattr(deep, f"{name}_l1"))
mid, h_first = first(x)
top, h_second = second(mid)
torch.testing.assert_close(top, out2)
torch.testing.assert_close(torch.cat([h_first, h_second]), h_n2)
print("h_n[0] = first layer at the last step; h_n[1] = top layer at the last step = output[-1]")

# %% [markdown]
# ## 4. Bidirectional networks: how `h_n` is laid out
#
# A bidirectional layer runs a second RNN from the last step to the first and concatenates the
# two outputs: `output[..., :H]` is the forward direction, `output[..., H:]` the backward one.
# `h_n` has `layers * 2` entries ordered layer by layer, forward before backward:
# `[layer 0 fwd, layer 0 bwd, layer 1 fwd, layer 1 bwd]`, so `h_n.view(layers, 2, B, H)`
# separates them.
#
# The **backward** direction finishes at step 0: its final state sits at `output[0, :, H:]`,
# not at `output[-1]`. A classifier that reads `output[-1]` sees the backward direction after
# a single step.

# %%
bi = nn.RNN(F, H, num_layers=2, bidirectional=True)
out_bi, h_n_bi = bi(x)
print("output", tuple(out_bi.shape), " h_n", tuple(h_n_bi.shape))
by_layer = h_n_bi.view(2, 2, B, H)  # (layers * directions, B, H) -> (layers, directions, B, H)
torch.testing.assert_close(by_layer[-1, 0], out_bi[-1, :, :H])  # top forward: last step
torch.testing.assert_close(by_layer[-1, 1], out_bi[0, :, H:])  # top backward: first step

# the backward direction of layer 0 is an ordinary RNN run over the reversed sequence
back = nn.RNN(F, H)
with torch.no_grad():
    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        getattr(back, f"{name}_l0").copy_(getattr(bi, f"{name}_l0_reverse"))
back_out, back_h = back(x.flip(0))
torch.testing.assert_close(back_h[0], h_n_bi[1])
print("h_n[1] (layer 0, backward) == a plain RNN over the reversed sequence")

# %% [markdown]
# ## 5. LSTM and GRU
#
# An LSTM carries two tensors, the hidden state `h` and the cell state `c`; its `h_n` and `c_n`
# have the same shape as an RNN's `h_n`, and the output holds `h` only. A GRU has a single
# state like the plain RNN. Again a cell loop reproduces the fused module.

# %%
lstm = nn.LSTM(F, H)
out_l, (h_l, c_l) = lstm(x)
print("LSTM output", tuple(out_l.shape), " h_n", tuple(h_l.shape), " c_n", tuple(c_l.shape))

lstm_cell = nn.LSTMCell(F, H)
with torch.no_grad():
    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        getattr(lstm_cell, name).copy_(getattr(lstm, f"{name}_l0"))
h, c = torch.zeros(B, H), torch.zeros(B, H)
for t in range(L):
    h, c = lstm_cell(x[t], (h, c))
torch.testing.assert_close(h, h_l[0])
torch.testing.assert_close(c, c_l[0])
print("LSTMCell loop == nn.LSTM (h and c)")

gru = nn.GRU(F, H, num_layers=2)
out_g, h_g = gru(x)
print("GRU output", tuple(out_g.shape), " h_n", tuple(h_g.shape), "(one state, like nn.RNN)")
print("parameters: RNN", sum(p.numel() for p in rnn.parameters()),
      " GRU (1 layer)", sum(p.numel() for p in nn.GRU(F, H).parameters()),
      " LSTM", sum(p.numel() for p in lstm.parameters()), "(3x and 4x the RNN's gates)")

# %% [markdown]
# ## 6. Sequences of different lengths
#
# Pad a batch to the longest sequence and *pack* it with the true lengths: the RNN then skips
# the padding, and `h_n` holds each sequence's state at its own last real step.

# %%
lengths = torch.tensor([5, 2, 3])
padded = x.clone()
for b, n in enumerate(lengths):
    padded[n:, b] = 0.0  # padding after each sequence's end
packed = pack_padded_sequence(padded, lengths, enforce_sorted=False)
out_p, h_p = rnn(packed)
out_p, _ = pad_packed_sequence(out_p, total_length=L)  # back to (L, B, H), zeros after the end
for b, n in enumerate(lengths):
    alone, h_alone = rnn(x[:n, b : b + 1])  # the sequence on its own
    torch.testing.assert_close(h_p[:, b], h_alone[:, 0])
print("h_n of a packed batch == each sequence run alone; output after the end is",
      out_p[3:, 1].abs().max().item())

# %% [markdown]
# ## 7. The same in tsrnn
#
# `RNNNetwork(NetConfig(...))` wraps one fused backbone (`rnn`, `lstm` or `gru`, batch first)
# and a head. Its `forward(x, state=None)` returns `(y, state)` — the state is explicit, so a
# long sequence can be fed in chunks, carrying the state from one chunk to the next. That gives
# exactly the outputs of one run over the whole sequence; it is what `RNNForecaster(stateful=True)`
# does (notebook 04).

# %%
net = RNNNetwork(NetConfig(cell="lstm", input_size=F, hidden_size=H, num_layers=2,
                           head="per_step", output_size=1)).eval()
long_x = torch.randn(B, 200, F)  # batch first: (B, L, F)
with torch.no_grad():
    whole, (h_whole, c_whole) = net(long_x)
    state, parts = None, []
    for chunk in long_x.split(30, dim=1):  # 7 chunks of up to 30 steps
        y, state = net(chunk, state)
        parts.append(y)
chunked = torch.cat(parts, dim=1)
print("per-step output", tuple(whole.shape), " state h", tuple(h_whole.shape),
      " c", tuple(c_whole.shape))
print("largest difference chunked vs whole:", (chunked - whole).abs().max().item())
torch.testing.assert_close(chunked, whole, atol=1e-6, rtol=0)
torch.testing.assert_close(state[0], h_whole, atol=1e-6, rtol=0)

# %% [markdown]
# Other heads: `last` maps the final hidden state to `horizon` outputs at once (direct
# multi-step forecasting), `encoder_decoder` rolls a decoder out for `horizon` steps.

# %%
for head in ("last", "encoder_decoder"):
    model = RNNNetwork(NetConfig(cell="gru", input_size=F, hidden_size=H, head=head, horizon=6,
                                 output_size=2)).eval()
    with torch.no_grad():
        y, state = model(long_x[:, :24])
    print(f"head={head!r}: input {tuple(long_x[:, :24].shape)} -> output {tuple(y.shape)}")
