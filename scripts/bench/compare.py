#!/usr/bin/python3
"""dltrain against the equivalent PyTorch Python script (train_pytorch.py), side by side in one
session, alternating A/B runs, on Fashion-MNIST:

  train    the quickstart CNN and the MLP, each without augmentation and with the standard one
           (random crop with 2 px padding + horizontal flip); Python at its best DataLoader
           setting (0 or 1 worker processes, both run every round): samples/s, peak RSS, time to
           the first optimizer step (from process start), model FLOPs utilization
  eval     test-set evaluation throughput (dltrain eval against Python's no-grad loop)
  loader   loader-only throughput (scripts/bench/loader_bench.cpp against torchvision)
  check    wall time of `dltrain check configs/quickstart.yaml`
  peak     a float32 2048x2048 matmul in this run, the reference for FLOPs utilization: at the
           start with the OpenBLAS kernels dltrain selects and with OpenBLAS's own choice (the
           higher counts), then with dltrain's kernels after every training round; the median
           of these is the peak (the VM's speed drifts by up to a quarter within minutes)
  profile  one dltrain CNN run with train.profile_steps: the step's operators by self time, and
           the utilization its convolution and matmul kernels alone would reach
  accuracy (--time-to-accuracy) wall time to 90% test accuracy on the full quickstart recipe

Medians with min/max over --rounds runs, dltrain/Python ratios, written as Markdown and JSON
to bench/results/ (latest.md, latest.json and a dated copy). Not part of the test suite.
   /usr/bin/python3 scripts/bench/compare.py --rounds 5          # about 15 minutes on 2 cores
   DLTRAIN_BUILD_DIR=build-x /usr/bin/python3 scripts/bench/compare.py --rounds 1 --train-images 3000
"""
import argparse
import datetime
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILD = pathlib.Path(os.environ.get("DLTRAIN_BUILD_DIR", ROOT / "build"))
DLTRAIN = BUILD / "dltrain"
PYTHON = "/usr/bin/python3"
TRAIN_PY = ROOT / "scripts/bench/train_pytorch.py"
AUGMENT = '[{op: random_crop, size: 28, padding: 2}, {op: hflip, p: 0.5}]'


def run(command, env=None):
    """Runs a command to the end: (stdout, wall seconds, peak RSS in MiB)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    out, err = process.stdout.read(), process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"compare.py: {' '.join(map(str, command))} failed:\n{err.decode()[-2000:]}")
    return out.decode(), wall, usage.ru_maxrss / 1024


def dltrain_train(model, augment, args, workdir, epochs=1, images=None, extra=(), name=None):
    config = "configs/quickstart.yaml" if model == "cnn" else "scripts/bench/mlp.yaml"
    command = [str(DLTRAIN), "run", config, "--quiet", "--json", "--force", "--output", workdir,
               "--set", f"name={name or f'{model}-{augment}'}", "--set", f"threads={args.threads}",
               "--set", f"train.epochs={epochs}"]
    if images:
        command += ["--set", f"data.subset.train={images}"]
    if augment == "standard":
        command += ["--set", f"data.augment={AUGMENT}"]
    command += list(extra)
    out, wall, rss = run(command)
    summary = json.loads(out)
    return {"samples_per_second": summary["samples_per_second"], "rss_mib": rss, "wall_seconds": wall,
            "first_step_seconds": summary["first_step_seconds"], "macs_per_sample": summary["macs_per_sample"],
            "test_accuracy": summary["final"]["test/accuracy"], "run_dir": summary["run_dir"]}


def python_train(model, augment, args, workers, epochs=1, images=None, eval_only=False):
    command = [PYTHON, str(TRAIN_PY), "--model", model, "--augment", augment, "--threads", str(args.threads),
               "--workers", str(workers), "--epochs", str(epochs)]
    if images:
        command += ["--train-images", str(images)]
    if eval_only:
        command.append("--eval-only")
    out, wall, rss = run(command)
    report = json.loads(out)
    report.update({"rss_mib": rss, "wall_seconds": wall})
    return report


def best_openblas_kernels():
    """The OpenBLAS kernel family dltrain selects for this CPU (core/blas_kernels.cpp)."""
    flags = set(next((l for l in open("/proc/cpuinfo") if l.startswith("flags")), "").split())
    if {"avx512f", "avx512bw", "avx512vl"} <= flags:
        return "Cooperlake" if "avx512_bf16" in flags else "SkylakeX"
    if {"avx2", "fma"} <= flags:
        return "Haswell"
    return "Sandybridge" if "avx" in flags else "Prescott"


def matmul_peak(threads, kernels=None):
    """float32 2048x2048 matmul GFLOP/s and the OpenBLAS kernels that ran it: OpenBLAS's own
    choice, or `kernels` (OPENBLAS_CORETYPE)."""
    code = ("import ctypes,torch,time; torch.set_num_threads(%d); a=torch.randn(2048,2048); b=torch.randn(2048,2048);"
            "[a@b for _ in range(3)]; t=time.perf_counter(); n=10\n"
            "for _ in range(n): a@b\n"
            "rate=2*2048**3*n/(time.perf_counter()-t)/1e9\n"
            "core=ctypes.CDLL('libopenblas.so.0'); core.openblas_get_corename.restype=ctypes.c_char_p\n"
            "print(rate, core.openblas_get_corename().decode())" % threads)
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads))
    env.pop("OPENBLAS_CORETYPE", None)
    if kernels:
        env["OPENBLAS_CORETYPE"] = kernels
    rate, core = run([PYTHON, "-c", code], env=env)[0].split()
    return float(rate), core


def stats(values):
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "runs": values}


def train_cases(args, workdir, results):
    for model in ("mlp", "cnn"):
        for augment in ("none", "standard"):
            ours, theirs = [], {0: [], 1: []}
            for _ in range(args.rounds):
                ours.append(dltrain_train(model, augment, args, workdir, images=args.train_images))
                for workers in (0, 1):
                    theirs[workers].append(python_train(model, augment, args, workers, images=args.train_images))
                # The VM's speed drifts within minutes: the peak is sampled between the rounds too.
                results["peak_runs"].append(matmul_peak(args.threads, best_openblas_kernels())[0])
            best = max((0, 1), key=lambda w: statistics.median(r["train_samples_per_second"] for r in theirs[w]))
            python = theirs[best]
            case = {
                "model": model, "augment": augment, "python_workers": best,
                "dltrain_samples_per_second": stats([r["samples_per_second"] for r in ours]),
                "python_samples_per_second": stats([r["train_samples_per_second"] for r in python]),
                "dltrain_rss_mib": stats([r["rss_mib"] for r in ours]),
                "python_rss_mib": stats([r["rss_mib"] for r in python]),
                "dltrain_first_step_seconds": stats([r["first_step_seconds"] for r in ours]),
                "python_first_step_seconds": stats([r["first_step_seconds"] for r in python]),
                "macs_per_sample": ours[0]["macs_per_sample"],
            }
            case["ratio"] = (case["dltrain_samples_per_second"]["median"] /
                             case["python_samples_per_second"]["median"])
            results["train"].append(case)
            print(f"train {model}/{augment}: ratio {case['ratio']:.2f}", flush=True)
            if model == "cnn" and augment == "none":
                results["eval_run_dir"] = ours[-1]["run_dir"]


def add_utilization(results):
    """Model FLOPs utilization of every training case against the run's matmul peak: the median of
    the peaks measured before the cases and between their rounds."""
    results["peak_gflops"] = statistics.median(results["peak_runs"])
    for case in results["train"]:
        # A training step is about 3 forward passes: forward, input gradients, weight gradients.
        flops = 6 * case["macs_per_sample"]
        case["dltrain_mfu"] = flops * case["dltrain_samples_per_second"]["median"] / (results["peak_gflops"] * 1e9)
        case["python_mfu"] = flops * case["python_samples_per_second"]["median"] / (results["peak_gflops"] * 1e9)


def is_compute_kernel(name):
    """Convolution and matrix-multiply operators: the work model FLOPs count (LibTorch's, and
    dltrain's own oneDNN convolution, forward and backward, and its oneDNN matrix products)."""
    if name in ("dltrain::onednn_conv2d", "dltrain::onednn_matmul") or "OneDnnConv2d" in name:
        return True
    return name.startswith("aten::") and ("conv" in name or name in ("aten::mm", "aten::addmm", "aten::bmm"))


def cnn_profile(args, workdir, results, steps=30):
    """Where the CNN step's time goes (train.profile_steps), and the utilization the convolution
    and matmul kernels alone would reach: the ceiling LibTorch's kernels put on the step's MFU."""
    batch = 128
    report = dltrain_train("cnn", "none", args, workdir, images=args.train_images, name="cnn-profile",
                           extra=["--set", f"data.batch_size={batch}", "--set", f"train.profile_steps={steps}"])
    profile = json.load(open(os.path.join(report["run_dir"], "profile.json")))
    kernel_ms = sum(op["self_ms"] for op in profile["operators"] if is_compute_kernel(op["name"]))
    step_flops = 6 * report["macs_per_sample"] * batch
    results["cnn_profile"] = {
        "steps": profile["steps"], "step_ms": profile["step_ms"], "kernel_ms": kernel_ms,
        "kernel_mfu": step_flops / (kernel_ms / 1000) / (results["peak_gflops"] * 1e9),
        "top": profile["operators"][:6]}
    print(f"cnn profile: kernels {kernel_ms:.2f} of {profile['step_ms']:.2f} ms", flush=True)


def eval_case(args, results):
    ours, theirs = [], {0: [], 1: []}
    for _ in range(args.rounds):
        out, _, _ = run([str(DLTRAIN), "eval", "--run", results["eval_run_dir"], "--quiet", "--json"])
        ours.append(json.loads(out)["samples_per_second"])
        for workers in (0, 1):
            theirs[workers].append(python_train("cnn", "none", args, workers, eval_only=True)["eval_samples_per_second"])
    best = max((0, 1), key=lambda w: statistics.median(theirs[w]))
    results["eval"] = {"dltrain": stats(ours), "python": stats(theirs[best]), "python_workers": best,
                       "ratio": statistics.median(ours) / statistics.median(theirs[best])}
    print(f"eval: ratio {results['eval']['ratio']:.2f}", flush=True)


def loader_case(args, results):
    bench = BUILD / "scripts/bench/bench_loader"
    if not bench.exists():
        results["loader"] = None
        print(f"loader: skipped ({bench} not built: cmake --build {BUILD} --target bench_loader)", flush=True)
        return
    ours, theirs = [], []
    for _ in range(args.rounds):
        common = ["--images", "20000", "--workers", "1", "--pipeline", "standard"]
        ours.append(json.loads(run([str(bench)] + common)[0])["images_per_second"])
        theirs.append(json.loads(run([PYTHON, str(ROOT / "scripts/bench/loader_torchvision.py")] + common)[0])
                      ["images_per_second"])
    results["loader"] = {"dltrain": stats(ours), "python": stats(theirs),
                         "ratio": statistics.median(ours) / statistics.median(theirs)}
    print(f"loader: ratio {results['loader']['ratio']:.1f}", flush=True)


def check_case(args, results):
    times = [run([str(DLTRAIN), "check", "configs/quickstart.yaml", "--quiet"])[1] for _ in range(max(args.rounds, 5))]
    results["check_seconds"] = stats(times)


def time_to_accuracy(args, workdir, results, target=0.90, max_epochs=6):
    """Wall time (process start to the end of the epoch's test evaluation) to `target`."""
    python = python_train("cnn", "none", args, results["best_python_workers_cnn"], epochs=max_epochs)
    python_time = next((e["wall_seconds"] for e in python["epochs"] if e["test_accuracy"] >= target), None)
    # dltrain tests once, at the end: the first run length whose test accuracy reaches the target.
    ours_time = None
    for epochs in range(1, max_epochs + 1):
        report = dltrain_train("cnn", "none", args, workdir, epochs=epochs)
        if report["test_accuracy"] >= target:
            ours_time = report["wall_seconds"]
            break
    results["time_to_accuracy"] = {"target": target, "dltrain_seconds": ours_time, "python_seconds": python_time,
                                   "ratio": ours_time / python_time if ours_time and python_time else None}


def markdown(results):
    lines = [f"# dltrain vs PyTorch Python ({results['date']})", "",
             f"{results['machine']}; {results['threads']} compute threads each; {results['rounds']} alternating "
             f"rounds; training on {results['train_images']} Fashion-MNIST images, 1 epoch; "
             f"matmul peak {results['peak_gflops']:.1f} GFLOP/s (float32 2048x2048, median of "
             f"{len(results['peak_runs'])} measurements in this run, before the cases and between their rounds: "
             f"{min(results['peak_runs']):.1f}-{max(results['peak_runs']):.1f}; at the start OpenBLAS "
             f"{results['openblas_selected']['kernels']} kernels as dltrain selects them: "
             f"{results['openblas_selected']['gflops']:.1f}, OpenBLAS's own choice "
             f"{results['openblas_default']['kernels']}: {results['openblas_default']['gflops']:.1f}).", "",
             "| model | augment | dltrain samples/s (min-max) | Python samples/s (min-max) | ratio | MFU dltrain / Python "
             "| peak RSS MiB dltrain / Python | first step s dltrain / Python |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for c in results["train"]:
        d, p = c["dltrain_samples_per_second"], c["python_samples_per_second"]
        lines.append(
            f"| {c['model']} | {c['augment']} | {d['median']:,.0f} ({d['min']:,.0f}-{d['max']:,.0f}) | "
            f"{p['median']:,.0f} ({p['min']:,.0f}-{p['max']:,.0f}), {c['python_workers']} worker(s) | "
            f"**{c['ratio']:.2f}** | {100 * c['dltrain_mfu']:.0f}% / {100 * c['python_mfu']:.0f}% | "
            f"{c['dltrain_rss_mib']['median']:.0f} / {c['python_rss_mib']['median']:.0f} | "
            f"{c['dltrain_first_step_seconds']['median']:.2f} / {c['python_first_step_seconds']['median']:.2f} |")
    e = results["eval"]
    lines += ["", "| measurement | dltrain | Python | ratio |", "| --- | --- | --- | --- |",
              f"| evaluation, test set, images/s | {e['dltrain']['median']:,.0f} | {e['python']['median']:,.0f} "
              f"({e['python_workers']} worker(s)) | **{e['ratio']:.2f}** |"]
    if results.get("loader"):
        l = results["loader"]
        lines.append(f"| loader only (crop + flip, 1 worker), images/s | {l['dltrain']['median']:,.0f} | "
                     f"{l['python']['median']:,.0f} | **{l['ratio']:.1f}** |")
    t = results.get("time_to_accuracy")
    if t:
        fmt = lambda v: f"{v:.1f}" if v else "not reached"
        ratio = f"**{t['ratio']:.2f}**" if t["ratio"] else "-"
        lines.append(f"| time to {100 * t['target']:.0f}% test accuracy, quickstart recipe, s | "
                     f"{fmt(t['dltrain_seconds'])} | {fmt(t['python_seconds'])} | {ratio} |")
    prof = results.get("cnn_profile")
    if prof:
        top = ", ".join(f"`{op['name']}` {op['self_ms']:.2f}" for op in prof["top"])
        lines += ["", f"CNN step profile (dltrain, `train.profile_steps: {prof['steps']}`, no augmentation): "
                  f"{prof['step_ms']:.2f} ms per step with the profiler on, of which convolution and matmul "
                  f"operators {prof['kernel_ms']:.2f} ms ({100 * prof['kernel_ms'] / prof['step_ms']:.0f}%). "
                  f"With every other operator free the step would run at {100 * prof['kernel_mfu']:.0f}% of the "
                  f"matmul peak: the ceiling these kernels put on the step's FLOPs utilization. Largest self "
                  f"times (ms per step): {top}."]
    lines += ["", f"`dltrain check configs/quickstart.yaml`: {results['check_seconds']['median']:.3f} s (median).",
              "", f"Command: `{results['command']}`", ""]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--train-images", type=int, default=12000)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--time-to-accuracy", action="store_true")
    parser.add_argument("--out", default=str(ROOT / "bench/results"))
    args = parser.parse_args()
    if not DLTRAIN.exists():
        raise SystemExit(f"compare.py: {DLTRAIN} not found; run ./scripts/setup.sh first")
    results = {"date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), "rounds": args.rounds,
               "threads": args.threads, "train_images": args.train_images,
               "machine": f"{os.cpu_count()} cores, {os.uname().machine}", "train": [],
               "command": "/usr/bin/python3 scripts/bench/compare.py " + " ".join(
                   a for a in os.sys.argv[1:])}
    # The reference for FLOPs utilization is the machine's real matmul peak: with the kernels
    # dltrain selects, which beat the ones OpenBLAS 0.3.21 picks itself on CPUs it does not know.
    default_rate, default_core = matmul_peak(args.threads)
    best_rate, best_core = matmul_peak(args.threads, best_openblas_kernels())
    results["openblas_default"] = {"kernels": default_core, "gflops": default_rate}
    results["openblas_selected"] = {"kernels": best_core, "gflops": best_rate}
    results["peak_runs"] = [max(default_rate, best_rate)]
    workdir = tempfile.mkdtemp(prefix="dltrain-bench-")
    try:
        train_cases(args, workdir, results)
        add_utilization(results)
        results["best_python_workers_cnn"] = next(c["python_workers"] for c in results["train"]
                                                  if c["model"] == "cnn" and c["augment"] == "none")
        cnn_profile(args, workdir, results)
        eval_case(args, results)
        loader_case(args, results)
        check_case(args, results)
        if args.time_to_accuracy:
            time_to_accuracy(args, workdir, results)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M")
    text = markdown(results)
    for name in (f"{stamp}", "latest"):
        (out / f"{name}.json").write_text(json.dumps(results, indent=2) + "\n")
        (out / f"{name}.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
