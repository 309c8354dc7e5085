"""CharLanguageModel: stateful CharRNN training on a corpus, generation, perplexity, saving."""

import math
import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

import tsrnn.nn.loop
from tsrnn import CharLanguageModel, ConfigError, DataError, ModelFileError, batchify
from tsrnn.io import save_model
from tsrnn.nn import RNNNetwork

SENTENCE = "the cat sat on the mat. "
CORPUS = SENTENCE * 60
SMALL = dict(cell="gru", hidden_size=32, embedding_dim=8, bptt=8, batch_size=8, epochs=12,
             lr=1e-2, random_state=0, device="cpu")


@pytest.fixture(scope="module")
def model():
    return CharLanguageModel(**SMALL).fit(CORPUS)


def test_perplexity_far_below_the_uniform_baseline(model):
    uniform = len(set(CORPUS))  # 11 characters: a uniform guess has perplexity 11
    assert model.encoder_.vocab_size_ == uniform + 2  # + padding and unknown
    ppl = model.perplexity(SENTENCE * 5)
    print(f"perplexity {ppl:.3f}, uniform baseline {uniform}")
    assert ppl < 1.2
    assert model.perplexity(SENTENCE * 5) == pytest.approx(math.exp(-model.score(SENTENCE * 5)))
    assert model.perplexity("tom sees a dog") > 3 * ppl  # unseen text scores far worse
    assert model.history_[-1]["train_loss"] < 0.1 * model.history_[0]["train_loss"]


def test_greedy_generation_continues_the_pattern(model):
    text = model.generate("the c", 40, temperature=0)
    assert text == (SENTENCE * 3)[:45]
    assert model.generate("on th", 0) == "on th"


def test_sampling_is_seeded_and_temperature_matters(model):
    a = model.generate("the", 60, temperature=1.0, random_state=1)
    assert a == model.generate("the", 60, temperature=1.0, random_state=1)
    assert len(a) == 63 and set(a) <= set(CORPUS)  # never padding or the unknown symbol
    hot = [model.generate("the", 60, temperature=5.0, random_state=s) for s in range(3)]
    assert len(set(hot)) == 3
    assert all(h[3:] != (SENTENCE * 4)[3:63] for h in hot)  # high temperature breaks the pattern


def test_training_carries_the_state_across_chunks(monkeypatch):
    """Every chunk after the first starts from the detached final state of the chunk before,
    and the chunks walk contiguous batchify streams of the corpus."""
    calls = []
    forward = RNNNetwork.forward

    def spy(self, x, state=None, **kwargs):
        out, new = forward(self, x, state, **kwargs)
        if self.training:
            calls.append((x.clone(), state, new))
        return out, new

    monkeypatch.setattr(RNNNetwork, "forward", spy)
    lm = CharLanguageModel(**dict(SMALL, epochs=1)).fit(CORPUS)
    assert calls[0][1] is None  # the epoch starts from a zero state
    for (_, _, prev_out), (_, state_in, _) in zip(calls, calls[1:]):
        assert state_in is not None and state_in.grad_fn is None  # carried, detached
        torch.testing.assert_close(state_in, prev_out.detach())
    walked = torch.cat([x for x, _, _ in calls], dim=1).numpy()  # (B, S): chunks side by side
    ids = np.array(lm.encoder_.encode(CORPUS))
    np.testing.assert_array_equal(walked, batchify(ids[:-1], lm.n_streams_)[..., 0])
    assert lm.n_streams_ == 8 and walked.shape[1] == (len(CORPUS) - 1) // 8


def test_the_carried_state_is_what_makes_the_pattern_learnable(monkeypatch, model):
    """With bptt=8, a chunk starting at "t" cannot tell whether "h", " " or "." comes next;
    the state carried from the chunk before can. Cutting it (zero state at every chunk) leaves
    a loss floor; the stateful model goes far below it."""
    monkeypatch.setattr(tsrnn.nn.loop, "detach_state", lambda state: None)
    cut = CharLanguageModel(**SMALL).fit(CORPUS)
    stateful, stateless = model.history_[-1]["train_loss"], cut.history_[-1]["train_loss"]
    print(f"final train loss: stateful {stateful:.3f}, state cut at chunks {stateless:.3f}")
    assert stateful < 0.05 and stateless > 0.1


def test_same_seed_repeats_exactly_with_dropout():
    params = dict(SMALL, epochs=2, dropout=0.3, head_hidden=16)
    a, b = (CharLanguageModel(**params).fit(CORPUS) for _ in range(2))
    assert [r["train_loss"] for r in a.history_] == [r["train_loss"] for r in b.history_]
    assert a.generate("the", 30, random_state=3) == b.generate("the", 30, random_state=3)


def test_list_corpus_is_joined_with_newlines():
    lm = CharLanguageModel(**dict(SMALL, epochs=1)).fit(["ab", "cd"] * 20)
    assert "\n" in lm.encoder_.vocabulary_


def test_save_load_and_pickle_round_trip(model, tmp_path):
    model.save(tmp_path / "lm")
    loaded = CharLanguageModel.load(tmp_path / "lm")
    assert loaded.get_params() == model.get_params()
    assert loaded.generate("the c", 30, temperature=0) == model.generate("the c", 30,
                                                                         temperature=0)
    assert loaded.perplexity(SENTENCE * 3) == pytest.approx(model.perplexity(SENTENCE * 3))
    restored = pickle.loads(pickle.dumps(model))
    assert restored.generate("sat", 20, temperature=0) == model.generate("sat", 20,
                                                                         temperature=0)
    save_model(tmp_path / "other", {}, {"kind": "forecaster", "params": {}, "config": {}})
    with pytest.raises(ModelFileError, match="not 'CharLanguageModel'"):
        CharLanguageModel.load(tmp_path / "other")


def test_errors_are_clear(model):
    with pytest.raises(NotFittedError, match="call fit"):
        CharLanguageModel().generate("a", 3)
    with pytest.raises(DataError, match="at least 2"):
        CharLanguageModel(**SMALL).fit("a")
    with pytest.raises(DataError, match="string or a list of strings"):
        CharLanguageModel(**SMALL).fit([1, 2, 3])
    with pytest.raises(DataError, match="non-empty string"):
        model.generate("", 5)
    with pytest.raises(ConfigError, match="temperature"):
        model.generate("the", 5, temperature=-1)
    with pytest.raises(ConfigError, match="bptt"):
        CharLanguageModel(bptt=0).fit(CORPUS)
    with pytest.raises(ConfigError, match="cell"):
        clone(model).set_params(cell="transformer").fit(CORPUS)
