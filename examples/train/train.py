"""Trains a softmax-regression classifier on the Iris data set (shipped in data/iris.csv).

Standard library only, so it runs wherever Python 3 does. Writes a checkpoint every few epochs
to checkpoints/, the best one (by validation accuracy) to checkpoints/best.json, metrics to
metrics/metrics.json, and, when run by dstack, tags the best checkpoint with the Artifacts API.
"""
import argparse
import csv
import json
import math
import os
import random

SPECIES = ["setosa", "versicolor", "virginica"]


def load(path):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    xs = [[float(r[k]) for k in ("sepal_length", "sepal_width", "petal_length", "petal_width")] for r in rows]
    ys = [SPECIES.index(r["species"]) for r in rows]
    return xs, ys


def write_json(path, value, **kwargs):
    """Writes JSON atomically: to a temporary file beside `path`, then os.replace, so a run stopped
    mid-write (dstack stop, a kill after the grace period) never leaves a half-written checkpoint."""
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "w") as f:
        json.dump(value, f, **kwargs)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def standardize(xs, mean=None, std=None):
    cols = list(zip(*xs))
    mean = mean or [sum(c) / len(c) for c in cols]
    std = std or [math.sqrt(sum((v - m) ** 2 for v in c) / len(c)) or 1.0 for c, m in zip(cols, mean)]
    return [[(v - m) / s for v, m, s in zip(x, mean, std)] for x in xs], mean, std


def softmax(z):
    top = max(z)
    e = [math.exp(v - top) for v in z]
    total = sum(e)
    return [v / total for v in e]


def predict(w, b, x):
    return softmax([sum(wi * xi for wi, xi in zip(wk, x)) + bk for wk, bk in zip(w, b)])


def accuracy(w, b, xs, ys):
    hits = sum(max(range(3), key=lambda k: p[k]) == y for p, y in ((predict(w, b, x), y) for x, y in zip(xs, ys)))
    return hits / len(ys)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--checkpoint-every", type=int, default=25)
    parser.add_argument("--tag", default=os.environ.get("BEST_TAG", ""), help="tag the best checkpoint")
    args = parser.parse_args()

    rng = random.Random(int(os.environ.get("SEED", "0")))
    xs, ys = load("data/iris.csv")
    order = list(range(len(xs)))
    rng.shuffle(order)
    split = int(len(order) * 0.8)
    train_x, mean, std = standardize([xs[i] for i in order[:split]])
    train_y = [ys[i] for i in order[:split]]
    val_x, _, _ = standardize([xs[i] for i in order[split:]], mean, std)
    val_y = [ys[i] for i in order[split:]]

    w = [[0.0] * 4 for _ in range(3)]
    b = [0.0] * 3
    best = {"val_accuracy": -1.0}
    os.makedirs("checkpoints", exist_ok=True)
    os.makedirs("metrics", exist_ok=True)
    history = []
    for epoch in range(1, args.epochs + 1):
        gw = [[0.0] * 4 for _ in range(3)]
        gb = [0.0] * 3
        loss = 0.0
        for x, y in zip(train_x, train_y):
            p = predict(w, b, x)
            loss -= math.log(p[y] + 1e-12)
            for k in range(3):
                g = p[k] - (1.0 if k == y else 0.0)
                gb[k] += g
                for j in range(4):
                    gw[k][j] += g * x[j]
        n = len(train_x)
        w = [[wk[j] - args.lr * gk[j] / n for j in range(4)] for wk, gk in zip(w, gw)]
        b = [bk - args.lr * g / n for bk, g in zip(b, gb)]
        val_acc = accuracy(w, b, val_x, val_y)
        history.append({"epoch": epoch, "loss": loss / n, "val_accuracy": val_acc})
        checkpoint = {"epoch": epoch, "w": w, "b": b, "mean": mean, "std": std, "species": SPECIES, "val_accuracy": val_acc}
        if val_acc >= best["val_accuracy"]:
            best = checkpoint
            write_json("checkpoints/best.json", best)
        if epoch % args.checkpoint_every == 0 or epoch == args.epochs:
            write_json(f"checkpoints/epoch-{epoch:04d}.json", checkpoint)
            print(f"epoch {epoch:4d}  loss {loss / n:.4f}  val_accuracy {val_acc:.3f}", flush=True)

    metrics = {"epochs": args.epochs, "lr": args.lr, "best_epoch": best["epoch"], "best_val_accuracy": best["val_accuracy"], "train_accuracy": accuracy(w, b, train_x, train_y), "history": history}
    write_json("metrics/metrics.json", metrics, indent=2)
    print(f"best val_accuracy {best['val_accuracy']:.3f} at epoch {best['epoch']}")

    if args.tag and os.environ.get("DSTACK_ARTIFACTS_SOCKET"):
        from dstack import artifacts

        artifacts.upload(local_path="checkpoints/best.json", artifact_path="model/best.json", tag=args.tag)
        print(f"tagged the best checkpoint as {args.tag}")


if __name__ == "__main__":
    main()
