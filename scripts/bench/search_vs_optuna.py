"""Optuna 3.1's TPE (default settings, seeded) on the functions and spaces of bench_search.cpp.

Prints one JSON line per seed, like bench_search:
    /usr/bin/python3 scripts/bench/search_vs_optuna.py --function mixed --trials 40 --seeds 0,1,2,3,4
"""
import argparse
import json
import math

import optuna


def mixed(trial):
    lr = math.log10(trial.suggest_float("lr", 1e-5, 1.0, log=True)) + 2.5
    width = math.log2(trial.suggest_int("width", 4, 512, log=True)) - 7.0
    dropout = trial.suggest_float("dropout", 0.0, 0.8) - 0.3
    act = trial.suggest_categorical("activation", ["relu", "tanh", "gelu"])
    loss = 0.5 * lr * lr + 0.1 * width * width + 2.0 * dropout * dropout
    loss += 0.0 if act == "gelu" else 0.05 if act == "relu" else 0.3
    if trial.suggest_categorical("optimizer", ["adam", "sgd"]) == "adam":
        loss += 0.1
    else:
        m = trial.suggest_float("momentum", 0.0, 0.99) - 0.9
        loss += 8.0 * m * m
    return loss


ALPHA = [1.0, 1.2, 3.0, 3.2]
A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
P = [[0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886], [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
     [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650], [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381]]


def hartmann6(trial):
    x = [trial.suggest_float(f"x{j}", 0.0, 1.0) for j in range(6)]
    return -sum(ALPHA[i] * math.exp(-sum(A[i][j] * (x[j] - P[i][j]) ** 2 for j in range(6))) for i in range(4))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--function", default="mixed", choices=["mixed", "hartmann6"])
    parser.add_argument("--trials", type=int, default=40)
    parser.add_argument("--seeds", default="0,1,2,3,4")
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    objective = mixed if args.function == "mixed" else hartmann6
    for seed in (int(s) for s in args.seeds.split(",")):
        study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(seed=seed))
        study.optimize(objective, n_trials=args.trials)
        print(json.dumps({"function": args.function, "seed": seed, "trials": args.trials, "best": round(study.best_value, 6)}))


if __name__ == "__main__":
    main()
