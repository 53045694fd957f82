"""Evaluates the checkpoint that the tag `iris-best` points at (placed in model/ by deps)."""
import json
import sys

sys.path.insert(0, ".")
from train import SPECIES, accuracy, load, standardize  # noqa: E402

with open("model/best.json") as f:
    ckpt = json.load(f)
xs, ys = load("data/iris.csv")
xs, _, _ = standardize(xs, ckpt["mean"], ckpt["std"])
acc = accuracy(ckpt["w"], ckpt["b"], xs, ys)
print(f"checkpoint of epoch {ckpt['epoch']}: accuracy on all {len(ys)} flowers {acc:.3f} ({', '.join(SPECIES)})")
