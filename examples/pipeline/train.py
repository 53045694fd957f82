"""Trains a bigram model over the vocabulary that download-model produced (placed by deps)."""
import argparse
import collections
import json
import os

parser = argparse.ArgumentParser()
parser.add_argument("--model", required=True)
args = parser.parse_args()

with open(args.model) as f:
    vocab = json.load(f)["vocab"]
counts = collections.Counter(zip(vocab, vocab[1:]))
os.makedirs("output", exist_ok=True)
with open("output/bigrams.json", "w") as f:
    json.dump({f"{a} {b}": n for (a, b), n in counts.items()}, f)
print(f"trained on {len(vocab)} words: {len(counts)} bigrams -> output/bigrams.json")
