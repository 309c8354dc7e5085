"""Text encoders, loaders and char tasks: strings -> index arrays -> RNNClassifier."""

import pickle
from importlib.resources import files

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline

import tsrnn.text
from tsrnn import (
    CharEncoder,
    ConfigError,
    DataError,
    RNNClassifier,
    TokenEncoder,
    load_text_csv,
    load_text_folder,
)
from tsrnn.text import char_transduction_pairs, fold_ascii, transduction_pairs

# -- encoders ------------------------------------------------------------------------------------


def test_char_encoder_pads_truncates_and_reports_lengths():
    enc = CharEncoder().fit(["abca", "ab"])
    assert enc.vocabulary_ == {"a": 2, "b": 3, "c": 4}  # most frequent first, from 2
    assert enc.max_len_ == 4 and enc.vocab_size_ == 5
    X, lengths = enc.transform_with_lengths(["ab", "", "cabbac"])
    np.testing.assert_array_equal(X, [[2, 3, 0, 0], [0, 0, 0, 0], [4, 2, 3, 3]])
    np.testing.assert_array_equal(lengths, [2, 0, 4])
    assert X.dtype == np.int64
    np.testing.assert_array_equal(enc.lengths(["abc", "cabbac"]), [3, 4])
    assert CharEncoder(max_len=2).fit(["abca"]).transform(["abc"]).tolist() == [[2, 3]]
    assert enc.get_feature_names_out().tolist() == ["char0", "char1", "char2", "char3"]


def test_round_trip_and_unknown_characters():
    words = ["Dvořák", "Smith", "Nguyễn", "O'Neill"]
    enc = CharEncoder().fit(words)
    assert enc.inverse_transform(enc.transform(words)).tolist() == words
    X = enc.transform(["Smiz"])
    assert X[0, 3] == 1  # "z" never seen: unknown
    assert enc.inverse_transform(X)[0] == "Smi\N{REPLACEMENT CHARACTER}"


def test_unicode_ascii_fold_and_lowercase():
    assert fold_ascii("Ślusàrski") == "Slusarski"
    assert fold_ascii("Nguyễn Đức Ōno") == "Nguyen Đuc Ono"  # Đ has no decomposition
    enc = CharEncoder(ascii_fold=True, lowercase=True).fit(["Ślusàrski", "Émile"])
    assert set(enc.vocabulary_) == set("slusarskiemile")
    assert enc.inverse_transform(enc.transform(["ŚLUSÀRSKI"]))[0] == "slusarski"
    plain = CharEncoder().fit(["Ślusàrski"])
    assert "Ś" in plain.vocabulary_ and "à" in plain.vocabulary_


def test_token_encoder_frequency_cutoffs_and_pattern():
    texts = ["good good food", "bad food", "good service , slow"]
    enc = TokenEncoder(min_freq=2).fit(texts)
    assert enc.vocabulary_ == {"good": 2, "food": 3}
    assert enc.transform(["bad good"]).tolist() == [[1, 2, 0, 0]]  # 4 = longest text
    assert enc.inverse_transform([[1, 2, 0]]).tolist() == ["<unk> good"]
    assert TokenEncoder(max_vocab=1).fit(texts).vocabulary_ == {"good": 2}
    punct = TokenEncoder(token_pattern=r"\w+|[^\w\s]", lowercase=True).fit(["Great food!"])
    assert punct.inverse_transform(punct.transform(["great!!"])).tolist() == ["great ! !"]
    full = TokenEncoder().fit(texts)
    assert full.inverse_transform(full.transform(texts)).tolist() == texts


def test_vocabulary_survives_pickle_clone_and_dict():
    enc = CharEncoder(lowercase=True, max_len=6).fit(["Hello", "World"])
    X = enc.transform(["hello", "xyz"])
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(enc)).transform(["hello", "xyz"]), X)
    np.testing.assert_array_equal(CharEncoder.from_dict(enc.to_dict()).transform(["hello",
                                                                                  "xyz"]), X)
    fresh = clone(enc)
    assert fresh.get_params() == enc.get_params() and not hasattr(fresh, "vocabulary_")
    with pytest.raises(DataError, match="belongs to a 'CharEncoder'"):
        TokenEncoder.from_dict(enc.to_dict())


def test_input_errors_are_clear():
    with pytest.raises(DataError, match="single str"):
        CharEncoder().fit("hello")
    with pytest.raises(DataError, match=r"X\[1\] is float nan"):
        CharEncoder().fit(["a", np.nan])
    with pytest.raises(DataError, match="no texts"):
        CharEncoder().fit([])
    with pytest.raises(DataError, match="2 columns"):
        CharEncoder().fit(pd.DataFrame({"a": ["x"], "b": ["y"]}))
    with pytest.raises(DataError, match="min_freq=5"):
        TokenEncoder(min_freq=5).fit(["a b", "c"])
    with pytest.raises(ConfigError, match="max_len"):
        CharEncoder(max_len=0).fit(["a"])
    with pytest.raises(ConfigError, match="token_pattern"):
        TokenEncoder(token_pattern="(").fit(["a"])
    with pytest.raises(NotFittedError, match="call fit"):
        CharEncoder().transform(["a"])
    enc = CharEncoder().fit(["ab"])
    with pytest.raises(DataError, match="index 7 is outside"):
        enc.inverse_transform([[2, 7]])
    assert enc.transform(pd.DataFrame({"t": ["ba"]})).tolist() == [[3, 2]]  # one column is fine


# -- with RNNClassifier --------------------------------------------------------------------------


def _vowel_task(n=160, seed=0):
    """Strings of random letters, labelled by whether their first letter is a vowel."""
    rng = np.random.default_rng(seed)
    letters = list("bcdfgkzzaeiou")
    texts = ["".join(rng.choice(letters, size=rng.integers(3, 9))) for _ in range(n)]
    labels = np.array(["vowel" if t[0] in "aeiou" else "consonant" for t in texts])
    return texts, labels


def test_pipeline_and_grid_search_on_strings():
    texts, labels = _vowel_task()
    X_tr, X_te, y_tr, y_te = train_test_split(texts, labels, test_size=0.25, random_state=0)
    pipe = make_pipeline(CharEncoder(),
                         RNNClassifier(cell="gru", embedding_dim=8, epochs=12, lr=0.02,
                                       bidirectional=True, random_state=0, device="cpu"))
    search = GridSearchCV(pipe, {"rnnclassifier__hidden_size": [4, 16]}, cv=2)
    search.fit(X_tr, y_tr)
    assert len(search.cv_results_["mean_test_score"]) == 2
    assert search.score(X_te, y_te) >= 0.95  # the first letter decides: read backwards


def test_names_subset_far_above_majority(shared_data):
    data = load_text_folder(shared_data / "names")
    langs = ["Chinese", "Greek", "Irish", "Japanese", "Polish"]
    subset = data[data["label"].isin(langs)].groupby("label").sample(80, random_state=0)
    X_tr, X_te, y_tr, y_te = train_test_split(subset["text"].tolist(), subset["label"],
                                              test_size=0.25, stratify=subset["label"],
                                              random_state=0)
    model = make_pipeline(CharEncoder(lowercase=True, ascii_fold=True),
                          RNNClassifier(cell="gru", embedding_dim=16, hidden_size=32,
                                        bidirectional=True, epochs=25, lr=0.01,
                                        random_state=0, device="cpu"))
    acc = model.fit(X_tr, y_tr).score(X_te, y_te)
    majority = y_te.value_counts(normalize=True).max()
    print(f"names subset: held-out accuracy {acc:.3f}, majority share {majority:.3f}")
    assert acc >= majority + 0.45


def test_sentiment_reviews_beat_the_majority_class():
    """Bundled Amazon fine-food reviews (5 stars or not); held out: other products' reviews."""
    path = files("tsrnn.datasets") / "data" / "sentiment.csv"
    data = load_text_csv(path, "text", "label")
    test = pd.read_csv(path)["split"].to_numpy() == "test"
    X_tr, y_tr = data["text"][~test].tolist(), data["label"][~test].to_numpy()
    X_te, y_te = data["text"][test].tolist(), data["label"][test].to_numpy()
    model = make_pipeline(
        TokenEncoder(token_pattern=r"[a-z']+|[!?]", lowercase=True, min_freq=3, max_len=60),
        RNNClassifier(cell="gru", embedding_dim=16, hidden_size=16, dropout=0.5, epochs=5,
                      lr=0.01, batch_size=64, random_state=0, device="cpu"))
    pred = model.fit(X_tr, y_tr).predict(X_te)
    acc, majority = np.mean(pred == y_te), np.mean(y_te == "great")
    other_recall = np.mean(pred[y_te == "other"] == "other")
    print(f"sentiment: held-out accuracy {acc:.3f}, majority share {majority:.3f}, "
          f"recall of 'other' {other_recall:.3f}")
    assert len(X_te) == 578 and acc >= majority + 0.04
    assert other_recall >= 0.3  # it tells the classes apart, not just the majority


# -- char-to-char tasks --------------------------------------------------------------------------


def test_transduction_helpers_build_the_classic_pairs():
    words, y = transduction_pairs(["hello", "beyond"], ["ohlol", "ynbode"], fill="-")
    assert words == ["hello", "beyond"]
    assert ["".join(row) for row in y] == ["ohlol-", "ynbode"]
    words, y = char_transduction_pairs(["hello", "ab"], shift=1)
    assert ["".join(row) for row in y] == ["elloh", "ba"]
    assert ["".join(row) for row in char_transduction_pairs(["hello"], -1)[1]] == ["ohell"]
    with pytest.raises(DataError, match="has 5 characters but its target 'ohl' has 3"):
        transduction_pairs(["hello"], ["ohl"])


@pytest.mark.parametrize("one_hot", [False, True])
def test_hello_ohlol_and_beyond_ynbode_all_correct(one_hot):
    words, y = transduction_pairs(["hello", "beyond"], ["ohlol", "ynbode"])
    enc = CharEncoder().fit(words)
    X = enc.transform(words)  # (2, 6) ids, "hello" padded with one 0
    params = dict(head="per_step", hidden_size=24, epochs=150, lr=0.03, random_state=0,
                  device="cpu")
    if one_hot:
        X = np.eye(enc.vocab_size_, dtype=np.float32)[X]  # (2, 6) -> (2, 6, V)
        clf = RNNClassifier(**params)
    else:
        clf = RNNClassifier(embedding_dim=8, **params)
    pred = clf.fit(X, y).predict(X)
    assert ("" in clf.classes_) == one_hot  # one-hot input has no lengths: padding is a step
    assert "".join(pred[0, :5]) == "ohlol" and "".join(pred[1]) == "ynbode"


# -- loaders -------------------------------------------------------------------------------------


def test_load_text_folder(tmp_path):
    (tmp_path / "Polish.txt").write_text("Ślusàrski\n\n  Nowak \n", encoding="utf-8")
    (tmp_path / "Czech.txt").write_text("Dvořák\n", encoding="utf-8")
    (tmp_path / "notes.md").write_text("ignored\n", encoding="utf-8")
    df = load_text_folder(tmp_path)
    assert df.to_dict("list") == {"text": ["Dvořák", "Ślusàrski", "Nowak"],
                                  "label": ["Czech", "Polish", "Polish"]}
    with pytest.raises(DataError, match="does not exist"):
        load_text_folder(tmp_path / "missing")
    with pytest.raises(DataError, match=r"matches '\*.csv'"):
        load_text_folder(tmp_path, pattern="*.csv")
    (tmp_path / "Latin.txt").write_bytes("Müller\n".encode("latin-1"))
    with pytest.raises(DataError, match="Latin.txt' is not utf-8 text"):
        load_text_folder(tmp_path)
    assert load_text_folder(tmp_path, pattern="Latin.txt", encoding="latin-1")["text"][0] \
        == "Müller"


def test_load_text_csv(tmp_path):
    path = tmp_path / "reviews.csv"
    path.write_text('review,score\n"Great, tasty",5\nMeh,2\n', encoding="utf-8")
    df = load_text_csv(path, "review", "score")
    assert df.to_dict("list") == {"text": ["Great, tasty", "Meh"], "label": [5, 2]}
    with pytest.raises(DataError, match=r"no column\(s\) \['text'\]"):
        load_text_csv(path, "text", "score")
    path.write_text("review,score\nok,1\n,2\n", encoding="utf-8")
    with pytest.raises(DataError, match="first: data row 1"):
        load_text_csv(path, "review", "score")


def test_module_path_and_public_names():
    assert tsrnn.text.CharEncoder is CharEncoder
    assert {"CharEncoder", "TokenEncoder", "load_text_folder"} <= set(dir(tsrnn))
