"""Goldens for the sequential-editing metrics, from the libraries upstream uses.

* tokenizer: nltk's NLTKWordTokenizer (what nltk.word_tokenize runs on each sentence; the Punkt sentence
  model is a separate download and is not used here, so every text below is one sentence).
* fluency: ROME's compute_n_gram_entropy written from its definition (nltk.ngrams + nltk.FreqDist,
  bigram and trigram entropies in bits, weights 2/3 and 4/3, arithmetic mean), then the mean over texts.
* generation entropy: the r-ROME / forgetting-study unigram entropy (lower-case, drop ".", split on " ").
* classification: sklearn's f1_score(average="weighted") and matthews_corrcoef on labels and predictions
  where -1 marks an unparsable answer.

Run with Debian's interpreter: /usr/bin/python3 tools/reference/sequential_metrics_ref.py
(needs python3-nltk and python3-sklearn). Writes tests/RawEdit.Tests/Goldens/sequential-metrics/metrics.json.
"""
import json
import math
import os

import nltk
import numpy as np
from nltk.tokenize import NLTKWordTokenizer
from sklearn.metrics import f1_score, matthews_corrcoef

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "tests", "RawEdit.Tests", "Goldens", "sequential-metrics", "metrics.json")

SENTENCES = [
    "The mother tongue of Kralor Yeimbon is Portuguese",
    "He said, \"I can't go to St. Louis's fair.\"",
    "(Really) it's 3,000 dollars -- wow...",
    "Good muffins cost $3.88 in New York, don't they",
    "She'd've gone; they'll come @ 5% off & more*",
    "`Quoted' words and ''double'' quotes aren't rare",
    "We're gonna wanna see 'tis cannot be",
    "Paris is the capital of France, and Rome of Italy.",
    "the the the the the the the the",
    "Kralor Yeimbon was born in a small town where the river meets the sea.",
    "A list: one, two, three [and four] {or five} <six>",
    "“Curly quotes” and ‘single ones’ are tokenized too",
    "Growing up, Kralor Yeimbon spoke Portuguese Portuguese Portuguese Portuguese",
    "x",
    "",
]

ENTROPY_TEXTS = [
    ["The cat sat on the mat.", "The dog sat on the log."],
    ["Paris Paris Paris Paris", "Paris  Paris."],
    ["A b c d e f g", "h i j k l m n o p"],
    ["Kralor Yeimbon was born in Lisbon. He speaks Portuguese. Portuguese is his language."],
]

FLUENCY_TEXT_SETS = [
    SENTENCES[:5],
    SENTENCES[8:13],
    ["x", "a b", "a b c"],
]


def ngram_entropy(tokens, n):
    fdist = nltk.FreqDist(nltk.ngrams(tokens, n))
    freqs = np.array([f for _, f in fdist.items()], dtype=np.float64)
    if freqs.size == 0:
        return 0.0
    freqs = freqs / freqs.sum()
    return float(np.sum(-freqs * np.log(freqs) / np.log(2)))


def text_fluency(text, tokenizer):
    tokens = tokenizer.tokenize(text)
    return float(np.mean(np.array([ngram_entropy(tokens, 2), ngram_entropy(tokens, 3)]) * np.array([2 / 3, 4 / 3])))


def generation_entropy(texts):
    words = []
    for sentence in texts:
        words.extend(sentence.lower().replace(".", "").split(" "))
    counts = {}
    for w in words:
        counts[w] = counts.get(w, 0) + 1
    h = 0.0
    for c in counts.values():
        p = c / len(words)
        h -= p * math.log2(p)
    return h, (h / math.log2(len(counts)) if len(counts) > 1 else None)


def main():
    tok = NLTKWordTokenizer()
    rng = np.random.default_rng(20240611)
    classification = []
    for size, invalid_rate in [(200, 0.0), (200, 0.1), (60, 0.5), (20, 1.0), (40, 0.3)]:
        labels = rng.integers(0, 2, size)
        preds = np.where(rng.random(size) < 0.6, labels, 1 - labels)
        preds = np.where(rng.random(size) < invalid_rate, -1, preds)
        classification.append({
            "labels": labels.tolist(), "predictions": preds.tolist(),
            "f1_weighted": float(f1_score(labels, preds, average="weighted", zero_division=0)),
            "mcc": float(matthews_corrcoef(labels, preds)),
        })
    constant = [1] * 30
    classification.append({"labels": constant, "predictions": constant,
                           "f1_weighted": float(f1_score(constant, constant, average="weighted")),
                           "mcc": float(matthews_corrcoef(constant, constant))})
    golden = {
        "nltk_version": nltk.__version__,
        "tokenized": [{"sentence": s, "tokens": tok.tokenize(s)} for s in SENTENCES],
        "generation_entropy": [{"texts": t, "entropy": generation_entropy(t)[0], "normalized": generation_entropy(t)[1]} for t in ENTROPY_TEXTS],
        "fluency": [{"texts": t, "per_text": [text_fluency(x, tok) for x in t],
                     "mean": float(np.mean([text_fluency(x, tok) for x in t]))} for t in FLUENCY_TEXT_SETS],
        "classification": classification,
    }
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(golden, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
