# %% [markdown]
# # 06 · Character tasks: hello → ohlol, and a char-RNN that writes
#
# Two classic toys, with tsrnn's text helpers:
#
# 1. **N-vs-N transduction**: map each character of `hello` to the matching character of `ohlol`
#    (and `beyond` to `ynbode`) with `RNNClassifier(head="per_step")`, once with one-hot inputs and
#    once with a learned embedding.
# 2. **Character language model**: `CharLanguageModel` reads one long text as contiguous streams
#    (`batchify`), trains with truncated back-propagation while carrying the hidden state from chunk
#    to chunk, then generates text.

# %%
import numpy as np
import torch

from tsrnn import CharEncoder, CharLanguageModel, RNNClassifier
from tsrnn.text import char_transduction_pairs, transduction_pairs

torch.set_num_threads(1)

# %% [markdown]
# `transduction_pairs` checks that every target is as long as its source and lays the targets
# out as one label per step; `CharEncoder` turns the sources into index arrays padded with 0
# (`hello` is one character shorter than `beyond`).

# %%
words, y = transduction_pairs(["hello", "beyond"], ["ohlol", "ynbode"])
encoder = CharEncoder().fit(words)
X = encoder.transform(words)
print(X)
print(y)

# %% [markdown]
# **One-hot input**: each index becomes a one-hot vector, `(2, 6)` → `(2, 6, V)`. Without
# token ids the classifier cannot see where `hello` ends, so the padding step is just one more step
# to label (its label is the empty string).

# %%
one_hot = np.eye(encoder.vocab_size_, dtype=np.float32)[X]  # (2, 6) -> (2, 6, V)
clf = RNNClassifier(head="per_step", hidden_size=24, epochs=150, lr=0.03, random_state=0,
                    device="cpu").fit(one_hot, y)
for word, out in zip(words, clf.predict(one_hot)):
    print(word, "->", "".join(out[: len(word)]))

# %% [markdown]
# **Embedding input**: with `embedding_dim` the classifier takes the index array itself, packs
# the sequences by length and ignores the labels past each word's end.

# %%
clf = RNNClassifier(head="per_step", embedding_dim=8, hidden_size=24, epochs=150, lr=0.03,
                    random_state=0, device="cpu").fit(X, y)
for word, out in zip(words, clf.predict(X)):
    print(word, "->", "".join(out[: len(word)]))
print("per-step accuracy:", clf.score(X, y))

# %% [markdown]
# `char_transduction_pairs` builds a rule-based variant: every target is its word rotated by
# `shift` characters (here: predict the next character of the word, wrapping round).

# %%
print(char_transduction_pairs(["hello", "beyond"], shift=1)[1])

# %% [markdown]
# ## A character language model
#
# The corpus is the Zen of Python (it ships with Python as `this`, ROT13-encoded). Three copies
# give the model enough text to learn from; it is cut into 8 streams that are read in chunks of 32
# characters, the hidden state carried across chunk boundaries.

# %%
import codecs
import contextlib
import io

with contextlib.redirect_stdout(io.StringIO()):  # importing `this` prints the Zen
    import this
zen = codecs.decode(this.s, "rot13")
print(zen[:120], "...")
lm = CharLanguageModel(cell="lstm", hidden_size=128, embedding_dim=32, bptt=32, batch_size=8,
                       epochs=60, lr=5e-3, random_state=0, device="cpu")
lm.fit(zen * 3)
print(f"{lm.n_streams_} streams, vocabulary {lm.encoder_.vocab_size_ - 2} characters, "
      f"train loss {lm.history_[0]['train_loss']:.2f} -> {lm.history_[-1]['train_loss']:.2f} "
      "nats/char")

# %% [markdown]
# Perplexity is `exp` of the mean negative log-likelihood per character: a uniform guess
# over the vocabulary scores the vocabulary size, a perfect model 1. On the text it was trained
# on the model is nearly certain; on a sentence it never saw it is far less so.

# %%
print(f"uniform guess: {lm.encoder_.vocab_size_ - 2}")
print(f"Zen (seen):   {lm.perplexity(zen[:300]):.2f}")
print(f"new sentence: {lm.perplexity('Readable code is better than clever code.'):.2f}")

# %% [markdown]
# Greedy generation (`temperature=0`) continues the learned text; sampling at a higher
# temperature takes more risks.

# %%
print(lm.generate("Beautiful is", 120, temperature=0))
print("---")
print(lm.generate("Beautiful is", 120, temperature=0.8, random_state=1))
print("---")
print(lm.generate("Beautiful is", 120, temperature=1.5, random_state=1))
