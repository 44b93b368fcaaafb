#!/usr/bin/python3
"""The PyTorch Python equivalent of a dltrain run, written as a user would write it: the same
Fashion-MNIST images, model, initialization family, optimizer, batch size, augmentation and
threads as `dltrain run configs/quickstart.yaml` (cnn) or its mlp variant, in a plain training
loop with a torch DataLoader. scripts/bench/compare.py runs it beside dltrain; it prints one
JSON document:
  train_samples_per_second  training samples over the time inside the training loops
  first_step_seconds        process start (interpreter and `import torch` included) to the
                            end of the first optimizer step
  eval_samples_per_second   test images over the time of the evaluation passes
  epochs: [{epoch, test_accuracy, wall_seconds}]   wall_seconds since process start
Usage:
  /usr/bin/python3 scripts/bench/train_pytorch.py --model cnn --augment standard --epochs 1 \
      --train-images 12000 --threads 2 --workers 1
  ... --eval-only   (evaluation throughput of an untrained model over the test set)
"""
import argparse
import gzip
import json
import os
import struct
import time


def seconds_since_process_start():
    # /proc/self/stat field 22: start time in clock ticks after boot; /proc/uptime: now.
    with open("/proc/self/stat") as f:
        start_ticks = int(f.read().rsplit(")", 1)[1].split()[19])
    with open("/proc/uptime") as f:
        uptime = float(f.read().split()[0])
    return uptime - start_ticks / os.sysconf("SC_CLK_TCK")


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", choices=["cnn", "mlp"], default="cnn")
    parser.add_argument("--augment", choices=["none", "standard"], default="none")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--train-images", type=int, default=60000)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--eval-batch-size", type=int, default=128)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--eval-only", action="store_true")
    return parser.parse_args()


ARGS = parse_args()
# OpenBLAS reads this when torch loads it: the budget dltrain sets (single-threaded BLAS beside
# the compute threads; see core/thread_budget.cpp), so both sides run with the same threads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import torch  # noqa: E402  (after the BLAS thread budget)
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch.utils.data import DataLoader, Dataset  # noqa: E402
from torchvision import transforms  # noqa: E402

DATA = "/usr/share/datasets/fashion-mnist"
MEAN, STD = 0.2860, 0.3530


def read_idx(path):
    data = gzip.open(path).read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4 : 4 + 4 * dims])
    return torch.frombuffer(bytearray(data[4 + 4 * dims :]), dtype=torch.uint8).reshape(shape)


class FashionMNIST(Dataset):
    def __init__(self, split, limit, augment):
        self.images = read_idx(f"{DATA}/{split}-images-idx3-ubyte.gz")[:limit]
        self.labels = read_idx(f"{DATA}/{split}-labels-idx1-ubyte.gz")[:limit].long()
        ops = [transforms.RandomCrop(28, padding=2), transforms.RandomHorizontalFlip()] if augment else []
        self.augment = transforms.Compose(ops) if ops else None

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        x = ((self.images[i].float() / 255 - MEAN) / STD).unsqueeze(0)
        if self.augment:
            x = self.augment(x)
        return x, self.labels[i]


def build_model(kind):
    # dltrain's cnn (configs/quickstart.yaml) and mlp (hidden [256, 128]): bias-free layers before
    # batch norm, dropout before the classifier's linear layers (cnn only).
    if kind == "cnn":
        return nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Dropout(0.25), nn.Linear(32 * 7 * 7, 64, bias=False), nn.BatchNorm1d(64), nn.ReLU(),
            nn.Dropout(0.25), nn.Linear(64, 10))
    return nn.Sequential(
        nn.Flatten(), nn.Linear(784, 256, bias=False), nn.BatchNorm1d(256), nn.ReLU(),
        nn.Linear(256, 128, bias=False), nn.BatchNorm1d(128), nn.ReLU(), nn.Linear(128, 10))


def evaluate(model, loader):
    model.eval()
    correct = total = 0
    start = time.perf_counter()
    with torch.no_grad():
        for x, y in loader:
            correct += (model(x).argmax(1) == y).sum().item()
            total += len(y)
    model.train()
    return correct / total, total / (time.perf_counter() - start)


def main():
    torch.set_num_threads(ARGS.threads)
    torch.manual_seed(ARGS.seed)
    model = build_model(ARGS.model)
    test = DataLoader(FashionMNIST("t10k", 10000, False), batch_size=ARGS.eval_batch_size,
                      num_workers=ARGS.workers)
    report = {"first_step_seconds": None, "epochs": []}
    if ARGS.eval_only:
        _, report["eval_samples_per_second"] = evaluate(model, test)
        print(json.dumps(report))
        return
    train = DataLoader(FashionMNIST("train", ARGS.train_images, ARGS.augment == "standard"),
                       batch_size=ARGS.batch_size, shuffle=True, num_workers=ARGS.workers)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    train_seconds = eval_rates = 0.0
    samples = 0
    for epoch in range(1, ARGS.epochs + 1):
        start = time.perf_counter()
        for x, y in train:
            optimizer.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            samples += len(y)
            if report["first_step_seconds"] is None:
                report["first_step_seconds"] = seconds_since_process_start()
        train_seconds += time.perf_counter() - start
        accuracy, rate = evaluate(model, test)
        eval_rates += rate
        report["epochs"].append({"epoch": epoch, "test_accuracy": accuracy,
                                 "wall_seconds": seconds_since_process_start()})
    report["train_samples_per_second"] = samples / train_seconds
    report["eval_samples_per_second"] = eval_rates / ARGS.epochs
    print(json.dumps(report))


if __name__ == "__main__":
    main()
