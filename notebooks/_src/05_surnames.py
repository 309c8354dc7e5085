# %% [markdown]
# # 05 · Surname → language with a character-level RNN
#
# The PyTorch tutorial *NLP from scratch: classifying names with a character-level RNN* reads
# 20,074 surnames from 18 languages and guesses the language from the spelling alone. Here the same
# task goes through tsrnn's text adapters:
#
# - `load_text_folder` reads one file per label (`Arabic.txt`, `Chinese.txt`, ...) into a
#   DataFrame with `text` and `label` columns;
# - `CharEncoder` turns strings into padded character-index arrays (0 = padding, 1 = unknown);
# - `RNNClassifier(embedding_dim=...)` embeds the characters and reads them with a GRU (packed
#   sequences, so the padding is never read).
#
# To stay under a minute on a laptop CPU this notebook trains on at most 300 names per language;
# `benchmarks/names.py` runs the full data (held-out accuracy about 0.83).

# %%
import os
from pathlib import Path

# the shared data folder: $TSRNN_SHARED_DATA, or ../../shared/data next to the project
DATA = Path(os.environ.get("TSRNN_SHARED_DATA", Path("..") / ".." / "shared" / "data"))
assert (DATA / "names").is_dir(), f"names data not found under {DATA}; set TSRNN_SHARED_DATA"

# %%
%matplotlib inline
import numpy as np
import torch
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from tsrnn import CharEncoder, RNNClassifier, load_text_folder
from tsrnn.plotting import plot_confusion

torch.set_num_threads(1)  # small network: one thread is fastest, and polite on a shared machine
names = load_text_folder(DATA / "names")
print(len(names), "names")
names["label"].value_counts()

# %% [markdown]
# The classes are very unbalanced (Russian is almost half), and some surnames are spelled
# identically in several languages, so no model can be right on all of them:

# %%
labels_per_name = names.groupby("text")["label"].nunique()
print(f"{(labels_per_name > 1).sum()} surnames carry more than one language, e.g.:")
names[names["text"].isin(labels_per_name[labels_per_name > 1].index[:4])]

# %% [markdown]
# A capped subset (at most 300 names per language) and a stratified 80/20 split. Accents
# are folded to ASCII (`Ślusàrski` → `Slusarski`) and everything lower-cased, so the vocabulary is
# small.

# %%
subset = names.sample(frac=1.0, random_state=0).groupby("label").head(300)  # shuffled, capped
X_train, X_test, y_train, y_test = train_test_split(
    subset["text"].tolist(), subset["label"].to_numpy(), test_size=0.2,
    stratify=subset["label"], random_state=0)
print(len(X_train), "training names,", len(X_test), "held out")

encoder = CharEncoder(lowercase=True, ascii_fold=True)
print(encoder.fit(X_train).transform(["Ślusàrski", "Nguyen"]))
print(encoder.inverse_transform(encoder.transform(["Ślusàrski"])))

# %%
model = make_pipeline(
    CharEncoder(lowercase=True, ascii_fold=True),
    RNNClassifier(cell="gru", embedding_dim=32, hidden_size=96, bidirectional=True,
                  dropout=0.2, epochs=10, lr=3e-3, batch_size=32, random_state=0,
                  device="cpu"),
)
model.fit(X_train, y_train)
pred = model.predict(X_test)
majority = np.unique(y_test, return_counts=True)[1].max() / len(y_test)
print(f"held-out accuracy {accuracy_score(y_test, pred):.3f}, "
      f"macro-F1 {f1_score(y_test, pred, average='macro'):.3f}, "
      f"majority class {majority:.3f}")

# %% [markdown]
# Rows are the true language, columns the prediction (each row sums to 1). Languages that
# share an alphabet and spelling habits (English/Scottish/Irish, Spanish/Portuguese/Italian) are
# confused most.

# %%
fig = plot_confusion(y_test, pred, title="surnames, held out (rows: true language)")
fig

# %% [markdown]
# The pipeline takes raw strings, so new names need no preparation. The three most likely
# languages of a few names:

# %%
clf = model[-1]
for name, proba in zip(["Dovesky", "Jackson", "Satoshi", "Nguyen", "Schmidt"],
                       model.predict_proba(["Dovesky", "Jackson", "Satoshi", "Nguyen",
                                            "Schmidt"])):
    top = np.argsort(proba)[::-1][:3]
    print(f"{name:10s}", ", ".join(f"{clf.classes_[i]} {proba[i]:.2f}" for i in top))
