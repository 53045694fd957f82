"""Seed 000's download-model, offline: "downloads" a vocabulary built from the shipped corpus."""
import json
import os

from corpus import TEXT  # found through PYTHONPATH: src

vocab = sorted(set(TEXT.split()))
os.makedirs("models", exist_ok=True)
with open("models/vocab.json", "w") as f:
    json.dump({"vocab": vocab}, f)
print(f"saved models/vocab.json ({len(vocab)} words)")
