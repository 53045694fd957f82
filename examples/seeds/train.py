"""Seed 001's train.py: trains on the GPUs the workflow asks for and saves to model/."""
import os

os.makedirs("model", exist_ok=True)
with open("model/README.txt", "w") as f:
    f.write("checkpoints of the seed example\n")
print("trained")
