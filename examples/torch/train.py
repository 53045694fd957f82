"""Trains a small convolutional network on scikit-learn's digits (1,797 8x8 images, 10 classes).

PyTorch on the CPU here and on CUDA wherever torch sees a GPU, with no change. Every epoch it
writes a checkpoint (checkpoints/epoch-NNNN.pt, atomically: a temporary file, then os.replace)
and logs train_loss, val_loss and val_accuracy with dstack.metrics, which the job summary, the
pull request's dstack comment and `dstack metrics RUN` chart. It resumes from the newest
checkpoint it finds in --resume-from (default: checkpoints/, where deps place the checkpoints of
an earlier run), so a stopped or lost run goes on where it left off.

On spot runners (`interruptible: true`), --upload-every N uploads every Nth checkpoint as the
run's artifact `checkpoints/epoch-NNNN.pt` while it trains: when the runner is lost, dstack
dispatches the job again (DSTACK_RUN_ATTEMPT=2, ...) with `deps: - run:` of the lost attempt,
which places those checkpoints under checkpoints/, and this script resumes from the newest.
"""
import argparse
import os
import re
import time

import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn

try:
    from dstack import artifacts, metrics
except ImportError:  # Run outside dstack: print instead, upload nothing.
    artifacts = metrics = None

CHECKPOINT = re.compile(r"^epoch-(\d+)\.pt$")


class DigitsNet(nn.Module):
    """Two 3x3 convolutions, a 2x2 max-pool and two linear layers: 8x8 in, 10 logits out."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.head = nn.Sequential(
            nn.Flatten(), nn.Linear(32 * 4 * 4, 64), nn.ReLU(), nn.Dropout(0.2), nn.Linear(64, 10)
        )

    def forward(self, x):
        return self.head(self.features(x))


def load_data(seed):
    """The digits as (N, 1, 8, 8) float tensors in [0, 1] and labels, split 80/20, stratified."""
    digits = load_digits()
    x = torch.tensor(digits.images, dtype=torch.float32).unsqueeze(1) / 16.0
    y = torch.tensor(digits.target, dtype=torch.long)
    train_idx, val_idx = train_test_split(
        list(range(len(y))), test_size=0.2, random_state=seed, stratify=digits.target
    )
    return x[train_idx], y[train_idx], x[val_idx], y[val_idx]


def newest_checkpoint(folder):
    """The path of the highest-numbered epoch-NNNN.pt in `folder` or below it, or None.

    Below it too: a checkpoint an earlier attempt uploaded as its own artifact path may come back
    as a folder of that name holding the file (checkpoints/epoch-NNNN.pt/epoch-NNNN.pt).
    """
    if not os.path.isdir(folder):
        return None
    found = [
        (int(m.group(1)), os.path.join(root, name))
        for root, _, names in os.walk(folder)
        for name in names
        for m in [CHECKPOINT.match(name)]
        if m
    ]
    return max(found)[1] if found else None


def save_atomically(state, path):
    """Writes `state` with torch.save to a temporary file beside `path`, then renames it over."""
    tmp = "{}.tmp-{}".format(path, os.getpid())
    torch.save(state, tmp)
    os.replace(tmp, path)


def evaluate(model, x, y, loss_fn):
    model.eval()
    with torch.no_grad():
        logits = model(x)
        return loss_fn(logits, y).item(), (logits.argmax(1) == y).float().mean().item()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=10, help="train up to this many epochs in all")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.003)
    parser.add_argument("--seed", type=int, default=int(os.environ.get("SEED", "0")))
    parser.add_argument("--checkpoints", default="checkpoints", help="where checkpoints go")
    parser.add_argument("--resume-from", default=None, help="a folder of checkpoints (default: --checkpoints)")
    parser.add_argument(
        "--upload-every", type=int, default=0,
        help="upload every Nth checkpoint as an artifact while training (for spot runners); 0: never",
    )
    args = parser.parse_args()

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    torch.manual_seed(args.seed)
    x_train, y_train, x_val, y_val = load_data(args.seed)
    x_train, y_train, x_val, y_val = (t.to(device) for t in (x_train, y_train, x_val, y_val))
    model = DigitsNet().to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    loss_fn = nn.CrossEntropyLoss()

    attempt = int(os.environ.get("DSTACK_RUN_ATTEMPT", "1"))
    if attempt > 1:
        print("attempt {} of this run: its runner was lost before".format(attempt))
    start = 0
    best = 0.0
    resume = newest_checkpoint(args.resume_from or args.checkpoints)
    if resume:
        state = torch.load(resume, map_location=device)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        torch.set_rng_state(state["rng"])
        start = state["epoch"] + 1
        best = state["best_val_accuracy"]
        print("resumed from {} (epoch {}, best val_accuracy {:.3f})".format(resume, state["epoch"], best))
    print("device {}, {} training and {} validation images, epochs {}..{}".format(
        device, len(y_train), len(y_val), start, args.epochs - 1))

    os.makedirs(args.checkpoints, exist_ok=True)
    for epoch in range(start, args.epochs):
        began = time.monotonic()
        model.train()
        # Seeded per epoch, so a resumed run shuffles as an uninterrupted one would.
        generator = torch.Generator().manual_seed(args.seed * 100_003 + epoch)
        order = torch.randperm(len(y_train), generator=generator).to(device)
        total = 0.0
        for i in range(0, len(order), args.batch_size):
            batch = order[i:i + args.batch_size]
            optimizer.zero_grad()
            loss = loss_fn(model(x_train[batch]), y_train[batch])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        train_loss = total / len(y_train)
        val_loss, val_accuracy = evaluate(model, x_val, y_val, loss_fn)
        best = max(best, val_accuracy)
        if metrics is not None:
            metrics.log(step=epoch, train_loss=train_loss, val_loss=val_loss, val_accuracy=val_accuracy)
        save_atomically(
            {
                "epoch": epoch,
                "model": model.state_dict(),
                "optimizer": optimizer.state_dict(),
                "rng": torch.get_rng_state(),
                "best_val_accuracy": best,
                "val_accuracy": val_accuracy,
            },
            os.path.join(args.checkpoints, "epoch-{:04d}.pt".format(epoch)),
        )
        if artifacts is not None and args.upload_every > 0 and (epoch + 1) % args.upload_every == 0:
            # Saved now, not only when the job ends: a lost spot runner keeps what was uploaded.
            artifacts.upload(
                local_path=os.path.join(args.checkpoints, "epoch-{:04d}.pt".format(epoch)),
                artifact_path="checkpoints/epoch-{:04d}.pt".format(epoch),
            )
        print("epoch {}: train_loss {:.4f} val_loss {:.4f} val_accuracy {:.3f} ({:.1f} s)".format(
            epoch, train_loss, val_loss, val_accuracy, time.monotonic() - began))
    print("best val_accuracy {:.3f}".format(best))


if __name__ == "__main__":
    main()
