"""Character-level language model (CharRNN) trained statefully over one long corpus.

:class:`CharLanguageModel` encodes the corpus with :class:`~tsrnn.CharEncoder`, cuts it into
``batch_size`` contiguous streams with :func:`~tsrnn.batchify` and walks them in chunks of
``bptt`` characters with :class:`~tsrnn.nn.StreamData`: the hidden state is carried
(detached) from chunk to chunk, so the network reads the corpus as one text (truncated BPTT,
as in pytorch/examples ``word_language_model``). It predicts the next character at every step.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from sklearn.base import BaseEstimator

from .._fitted import check_fitted
from .._paramdocs import documented
from .._validation import (
    DataError,
    ModelFileError,
    check_float,
    check_non_negative_int,
    check_positive_int,
    check_seed,
)
from ..data import batchify
from ..io import load_model, save_model
from ..nn import (
    NetConfig,
    RNNNetwork,
    StreamData,
    TrainConfig,
    evaluate_streams,
    make_loss,
    resolve_device,
)
from ..text import PAD, UNKNOWN, CharEncoder
from .base import build_network, check_network_params, getstate, network_config, setstate, train

__all__ = ["CharLanguageModel"]

_KIND = "CharLanguageModel"


def _corpus(X, name: str = "X") -> str:
    """One string from a string or a sequence of strings (joined with newlines)."""
    if isinstance(X, str):
        return X
    if isinstance(X, (list, tuple, np.ndarray)) and all(isinstance(t, str) for t in X):
        return "\n".join(X)
    raise DataError(f"{name} must be a string or a list of strings, got "
                    f"{type(X).__name__}; read the text file into a str first")


@documented
class CharLanguageModel(BaseEstimator):
    """Next-character recurrent language model with stateful truncated-BPTT training.

    Parameters
    ----------
    [[cell]]
    [[hidden_size]]
    [[num_layers]]
    [[dropout]]
    embedding_dim : int, default=32
        Width of the character embedding.
    [[head_hidden]]
    bptt : int, default=64
        Characters per training chunk: gradients flow back at most this far, while the hidden
        state is carried across chunks.
    batch_size : int, default=32
        Contiguous streams the corpus is cut into and trained side by side (fewer when the
        corpus cannot give each stream ``bptt`` characters).
    [[epochs]]
    [[lr]]
    [[weight_decay]]
    [[clip_grad]]
    lowercase : bool, default=False
        Lower-case the corpus (and prompts, and scored text).
    ascii_fold : bool, default=False
        Fold accented letters to ASCII (see :class:`~tsrnn.text.encoders.CharEncoder`).
    min_freq : int, default=1
        Characters seen fewer times in the corpus become the unknown symbol.
    [[random_state]]
    [[device]]
    [[verbose]]

    Attributes
    ----------
    encoder_ : CharEncoder
        The character vocabulary (index 0 padding, 1 unknown).
    network_ : RNNNetwork
        Embedding, recurrent backbone and a per-step head over the vocabulary.
    n_streams_ : int
        Streams the corpus was cut into.
    history_ : list of dict
        Mean training cross-entropy (nats per character) of every epoch.
    """

    __getstate__ = getstate  # the network travels as state dicts
    __setstate__ = setstate

    def _device(self) -> torch.device:
        return resolve_device(self.device)

    def __init__(self, *, cell="lstm", hidden_size=128, num_layers=1, dropout=0.0,
                 embedding_dim=32, head_hidden=0, bptt=64, batch_size=32, epochs=20, lr=3e-3,
                 weight_decay=0.0, clip_grad=1.0, lowercase=False, ascii_fold=False, min_freq=1,
                 random_state=None, device="auto", verbose=False):
        self.cell = cell
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.dropout = dropout
        self.embedding_dim = embedding_dim
        self.head_hidden = head_hidden
        self.bptt = bptt
        self.batch_size = batch_size
        self.epochs = epochs
        self.lr = lr
        self.weight_decay = weight_decay
        self.clip_grad = clip_grad
        self.lowercase = lowercase
        self.ascii_fold = ascii_fold
        self.min_freq = min_freq
        self.random_state = random_state
        self.device = device
        self.verbose = verbose

    def _check_params(self) -> None:
        check_network_params(self.get_params())
        for name in ("embedding_dim", "bptt", "batch_size", "epochs", "min_freq"):
            check_positive_int(name, getattr(self, name))
        check_float("lr", self.lr, low=0.0, low_inclusive=False)
        check_float("weight_decay", self.weight_decay, low=0.0)
        if self.clip_grad is not None:
            check_float("clip_grad", self.clip_grad, low=0.0, low_inclusive=False)
        check_seed(self.random_state)
        self._device()

    # -- training ------------------------------------------------------------------------------

    def fit(self, X, y=None):
        """Train a new model on the corpus ``X`` (a string, or strings joined by newlines)."""
        self._check_params()
        text = _corpus(X)
        if len(text) < 2:
            raise DataError(f"the corpus has {len(text)} character(s); a language model needs "
                            "at least 2 to learn a next character")
        self.encoder_ = CharEncoder(lowercase=self.lowercase, ascii_fold=self.ascii_fold,
                                    min_freq=self.min_freq, max_len=1).fit([text])
        data = self._streams(np.asarray(self.encoder_.encode(text), dtype=np.int64))
        vocab = self.encoder_.vocab_size_
        seed = check_seed(self.random_state)
        cfg = network_config(self.get_params(), vocab_size=vocab, padding_idx=PAD,
                             embedding_dim=self.embedding_dim, head="per_step",
                             output_size=vocab, horizon=1)
        self.network_ = build_network(cfg, seed, self._device())
        config = TrainConfig(epochs=self.epochs, batch_size=self.n_streams_, lr=self.lr,
                             weight_decay=self.weight_decay, loss="cross_entropy",
                             clip_grad=self.clip_grad, shuffle=False,
                             device=str(self._device()), seed=seed, verbose=bool(self.verbose))
        state = train(self.network_, data, None, config)  # seeded: dropout draws repeat
        self.optimizer_, self.history_ = state.optimizer, state.history
        self.n_epochs_ = len(state.history)
        return self

    def _streams(self, ids: np.ndarray) -> StreamData:
        """Inputs ``ids[:-1]`` and next-character targets ``ids[1:]`` as contiguous streams."""
        self.n_streams_ = min(self.batch_size, max(1, (len(ids) - 1) // self.bptt))
        x = batchify(ids[:-1], self.n_streams_)[..., 0]  # (T-1,) -> (B, S)
        y = batchify(ids[1:], self.n_streams_)  # (T-1,) -> (B, S, 1)
        return StreamData(torch.as_tensor(np.ascontiguousarray(x)),
                          torch.as_tensor(np.ascontiguousarray(y)), self.bptt)

    # -- scoring -------------------------------------------------------------------------------

    def _check_fitted(self) -> None:
        check_fitted(self, "network_", "scoring or generating")

    def _ids(self, text: str) -> torch.Tensor:
        ids = self.encoder_.encode(text)
        return torch.as_tensor(ids, dtype=torch.long, device=self._device())

    def score(self, X, y=None) -> float:
        """Mean log-likelihood of each next character of ``X`` (nats; higher is better).

        The text is read once with the hidden state carried from its first character on;
        characters outside the vocabulary count as the unknown symbol.
        """
        self._check_fitted()
        text = _corpus(X)
        ids = self._ids(text)
        if len(ids) < 2:
            raise DataError(f"the text to score has {len(ids)} character(s); it needs at "
                            "least 2 (the first one is only read, never predicted)")
        x, y = ids[None, :-1], ids[None, 1:, None]  # (T,) -> (1, T-1), (1, T-1, 1)
        data = StreamData(x, y, bptt=max(self.bptt, 1024))
        return -evaluate_streams(self.network_, data, make_loss("cross_entropy"))

    def perplexity(self, X) -> float:
        """``exp`` of the mean negative log-likelihood per character (1 = perfect; a uniform
        guess over ``V`` characters scores ``V``)."""
        return math.exp(-self.score(X))

    # -- generation ----------------------------------------------------------------------------

    def _pick(self, logits: torch.Tensor, temperature: float, generator) -> torch.Tensor:
        """Next id from ``(1, V)`` logits; padding and unknown are never produced."""
        logits = logits.clone()
        logits[:, [PAD, UNKNOWN]] = -math.inf
        if temperature == 0:
            return logits.argmax(dim=-1, keepdim=True)  # (1, V) -> (1, 1)
        probs = torch.softmax(logits / temperature, dim=-1)
        return torch.multinomial(probs, 1, generator=generator)  # (1, V) -> (1, 1)

    @torch.no_grad()
    def generate(self, prompt: str, n: int, temperature: float = 1.0,
                 random_state=None) -> str:
        """The ``prompt`` continued by ``n`` generated characters.

        Parameters
        ----------
        prompt : str
            Text read first (at least one character); its state seeds the generation.
        n : int
            Characters to generate.
        temperature : float, default=1.0
            Sampling temperature: below 1 sharper, above 1 more random; 0 = greedy (argmax).
        random_state : int or None, default=None
            Seed of the sampling.
        """
        self._check_fitted()
        if not isinstance(prompt, str) or not prompt:
            raise DataError(f"prompt must be a non-empty string, got {prompt!r}; give at least "
                            "one character to start from")
        n = check_non_negative_int("n", n)
        temperature = check_float("temperature", temperature, low=0.0)
        seed = check_seed(random_state)
        generator = torch.Generator(device=self._device())
        if seed is None:
            generator.seed()  # fresh entropy for this generator only
        else:
            generator.manual_seed(seed)
        net = self.network_.eval()
        out, state = net(self._ids(prompt)[None])  # (1, P) -> (1, P, V)
        new = []
        for _ in range(n):
            nxt = self._pick(out[:, -1], temperature, generator)  # (1, 1)
            new.append(int(nxt))
            out, state = net(nxt, state)  # (1, 1) -> (1, 1, V)
        if not new:
            return prompt
        return prompt + str(self.encoder_.inverse_transform(np.array([new]))[0])

    # -- persistence ---------------------------------------------------------------------------

    def save(self, path) -> None:
        """Write the fitted model to the directory ``path`` (safetensors + JSON, atomic)."""
        self._check_fitted()
        tensors = {f"network.{k}": v for k, v in self.network_.state_dict().items()}
        meta = {"kind": _KIND, "params": self.get_params(), "config": self.network_.cfg.to_dict(),
                "vocab": self.encoder_.to_dict(), "history": list(self.history_),
                "data": {"n_streams": self.n_streams_}}
        save_model(path, tensors, meta)

    @classmethod
    def load(cls, path, device: str | None = None) -> CharLanguageModel:
        """A model written by :meth:`save`; ``device`` overrides the saved one."""
        tensors, meta = load_model(path, expected_kind=_KIND)
        params = dict(meta["params"], **({} if device is None else {"device": device}))
        try:
            model = cls(**params)
            network = RNNNetwork(NetConfig(**meta["config"]))
            network.load_state_dict({k[len("network."):]: v for k, v in tensors.items()})
        except (TypeError, RuntimeError, ValueError) as exc:
            raise ModelFileError(f"{path}: the saved files do not fit together ({exc}); save the "
                              "model again") from None
        model.network_ = network.to(model._device()).eval()
        model.encoder_ = CharEncoder.from_dict(meta["vocab"])
        model.history_ = list(meta["history"] or [])
        model.n_epochs_ = len(model.history_)
        model.n_streams_ = int(meta["data"]["n_streams"])
        return model
