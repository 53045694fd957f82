"""Trains a logistic-regression classifier on a synthetic two-moons-like data set.

Standard library only, so it runs anywhere Python 3 does. Writes model/model.json and
model/metrics.json; prints the loss as it goes.
"""
import argparse
import json
import math
import os
import random


def make_data(n, rng):
    points = []
    for _ in range(n):
        label = rng.random() < 0.5
        cx, cy = (1.0, 1.0) if label else (-1.0, -1.0)
        points.append(((cx + rng.gauss(0, 0.8), cy + rng.gauss(0, 0.8)), 1 if label else 0))
    return points


def predict(w, b, x):
    z = w[0] * x[0] + w[1] * x[1] + b
    return 1.0 / (1.0 + math.exp(-z))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--lr", type=float, default=0.1)
    args = parser.parse_args()

    rng = random.Random(int(os.environ.get("SEED", "0")))
    train, test = make_data(800, rng), make_data(200, rng)
    w, b = [0.0, 0.0], 0.0
    for epoch in range(1, args.epochs + 1):
        gw, gb, loss = [0.0, 0.0], 0.0, 0.0
        for x, y in train:
            p = predict(w, b, x)
            loss -= y * math.log(p + 1e-12) + (1 - y) * math.log(1 - p + 1e-12)
            gw[0] += (p - y) * x[0]
            gw[1] += (p - y) * x[1]
            gb += p - y
        n = len(train)
        w = [w[0] - args.lr * gw[0] / n, w[1] - args.lr * gw[1] / n]
        b -= args.lr * gb / n
        if epoch % max(1, args.epochs // 10) == 0:
            print(f"epoch {epoch}: loss {loss / n:.4f}", flush=True)

    accuracy = sum((predict(w, b, x) >= 0.5) == (y == 1) for x, y in test) / len(test)
    os.makedirs("model", exist_ok=True)
    with open("model/model.json", "w") as f:
        json.dump({"w": w, "b": b}, f)
    with open("model/metrics.json", "w") as f:
        json.dump({"accuracy": accuracy, "epochs": args.epochs}, f)
    print(f"test accuracy {accuracy:.3f}")


if __name__ == "__main__":
    main()
