#!/usr/bin/python3
"""torchvision's side of the loader benchmark: the same Fashion-MNIST images and ops as
loader_bench.cpp (RandomCrop(28, padding=2) + RandomHorizontalFlip [+ rotate, colour jitter,
random erasing] + ToTensor + Normalize) in a torch DataLoader; prints images/s as JSON.
   /usr/bin/python3 scripts/bench/loader_torchvision.py --images 20000 --workers 2 --pipeline standard
"""
import argparse
import gzip
import json
import time

import numpy as np
import torch
from PIL import Image
from torch.utils.data import DataLoader, Dataset
from torchvision import transforms


class Images(Dataset):
    def __init__(self, pixels, transform):
        self.pixels, self.transform = pixels, transform

    def __len__(self):
        return len(self.pixels)

    def __getitem__(self, i):
        return self.transform(Image.fromarray(self.pixels[i], mode="L")), 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=20000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--pipeline", default="standard")
    args = parser.parse_args()
    torch.set_num_threads(1)
    with gzip.open("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz") as f:
        pixels = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)[: args.images]
    ops = [transforms.RandomCrop(28, padding=2), transforms.RandomHorizontalFlip()]
    if args.pipeline == "heavy":
        ops += [transforms.RandomRotation(15), transforms.ColorJitter(brightness=0.4, contrast=0.4)]
    ops += [transforms.ToTensor(), transforms.Normalize([0.2860], [0.3530])]
    if args.pipeline == "heavy":
        ops.append(transforms.RandomErasing(p=0.5))
    loader = DataLoader(Images(pixels, transforms.Compose(ops)), batch_size=128, shuffle=True,
                        num_workers=args.workers, persistent_workers=args.workers > 0)
    for _ in loader:  # warm-up epoch (worker start-up), not timed
        pass
    start, seen = time.perf_counter(), 0
    for _ in range(args.epochs):
        for batch, _ in loader:
            seen += batch.shape[0]
    rate = seen / (time.perf_counter() - start)
    print(json.dumps({"loader": "torchvision", "pipeline": args.pipeline, "workers": args.workers,
                      "images_per_second": round(rate, 1)}))


if __name__ == "__main__":
    main()
