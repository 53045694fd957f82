"""Seed 000's download_model.py: writes the model into models/."""
import os

os.makedirs("models", exist_ok=True)
with open("models/README.txt", "w") as f:
    f.write("downloaded model\n")
print("downloaded")
