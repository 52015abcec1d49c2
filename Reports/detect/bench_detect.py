#!/usr/bin/env python3
"""Throughput and latency of `tune detect` beside torch_detect.py (Reports/detect/README.md).

usage: python bench_detect.py --flows FLOWS.csv --model lstm=A.safetensors [--model bilstm=B ...]
           [--threads 1,2] [--runs 3] [--rate 1000] [--latency-seconds 5] [--warmup 1]
           [--detectors tune,torch] [--out bench_detect.json]

For every model and thread count, both detectors are measured in the same invocation,
interleaved (tune then torch on even runs, torch then tune on odd runs), so their numbers come
from the same minutes:

(a) throughput: the flows file is piped into the detector's stdin as fast as the pipe takes it;
    the time runs from the first byte written to the moment the last output line was read, and
    flows/s is output lines / that time. The median of --runs runs is reported.
(b) latency at an offered rate: a writer thread writes one record every 1/--rate s to an
    absolute schedule for --latency-seconds, stamping each with time.monotonic() just before its
    write; a reader thread stamps every output line when it is read; lines are matched by the
    "source": "stdin line N" number; p50 and p99 of (read - write) are reported in ms. The
    detector's stdin pipe is made --pipe-size bytes (1 MiB, the Linux maximum for non-root
    users; the default 64 KiB holds only ~90 CICFlowMeter records, so a detector busy scoring
    would block the writer and delay the stamps). The JSON also has the latency from each
    record's slot in the schedule (p50/p99_from_schedule_ms) and the writer's largest lag.

Start-up (imports, model load) is kept out of both: the header and the first --warmup records
are written first and the clock starts once their lines are out (--warmup 0 starts it with the
header, start-up included). The start-up time is recorded separately.

Everything measured, with the command lines, the date, the CPU model, the load average before
each measurement and whether OPENBLAS_CORETYPE was set, goes to --out as JSON; a Markdown table
goes to stdout. Uses the standard library only (run it with any python3).
"""
import argparse
import fcntl
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SOURCE = re.compile(rb'"source":"[^"]* line (\d+)"')


def utc_now():
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def percentile(values, q):
    """Linear interpolation between closest ranks (NumPy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    position = q / 100 * (len(ordered) - 1)
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def read_flows(path):
    """The header line and the record lines of a CSV, as bytes with their line breaks."""
    with open(path, "rb") as f:
        lines = [line.rstrip(b"\r\n") + b"\n" for line in f if line.strip()]
    if len(lines) < 2:
        sys.exit(f"bench_detect: {path} needs a header and at least one record")
    return lines[0], lines[1:]


class Reader(threading.Thread):
    """Drains a detector's stdout, stamping each chunk read with time.monotonic(). With
    `sources`, records the read time of every line's source line number."""

    def __init__(self, fd, sources, warmup_lines):
        super().__init__(daemon=True)
        self.fd = fd
        self.sources = sources
        self.lines = 0
        self.first_time = None
        self.last_time = None
        self.read_times = {}  # source line number -> monotonic read time
        self.warmup_lines = warmup_lines
        self.warmed = threading.Event()
        if warmup_lines == 0:
            self.warmed.set()
        self.tail = b""

    def run(self):
        partial = b""
        while True:
            chunk = os.read(self.fd, 1 << 20)
            now = time.monotonic()
            if not chunk:
                break
            count = chunk.count(b"\n")
            if count:
                if self.first_time is None:
                    self.first_time = now
                self.last_time = now
                self.lines += count
                if self.sources:
                    data = partial + chunk
                    end = data.rfind(b"\n")
                    for number in SOURCE.findall(data[:end]):
                        self.read_times[int(number)] = now
                    partial = data[end + 1:]
                else:
                    self.tail = (self.tail + chunk)[-4096:]
                if self.lines >= self.warmup_lines:
                    self.warmed.set()
            elif self.sources:
                partial += chunk
        self.warmed.set()


def write_all(fd, data):
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


class Run:
    """One detector process with its stdout reader and its stderr in a temporary file."""

    def __init__(self, command, sources, warmup_lines, pipe_size=0):
        self.command = command
        self.stderr = tempfile.TemporaryFile()
        self.spawned = time.monotonic()
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr,
                                        bufsize=0, close_fds=True)
        self.stdin = self.process.stdin.fileno()
        if pipe_size:
            try:
                fcntl.fcntl(self.stdin, fcntl.F_SETPIPE_SZ, pipe_size)
            except OSError as error:
                print(f"bench_detect: cannot make the stdin pipe {pipe_size} bytes: {error}", file=sys.stderr)
        self.pipe_size = fcntl.fcntl(self.stdin, fcntl.F_GETPIPE_SZ)
        self.reader = Reader(self.process.stdout.fileno(), sources, warmup_lines)
        self.reader.start()

    def warm_up(self, header, records, timeout):
        write_all(self.stdin, header + b"".join(records))
        if not self.reader.warmed.wait(timeout):
            raise RuntimeError(f"no output for the {len(records)} warm-up records within {timeout} s")
        return (time.monotonic() - self.spawned) if records else None

    def finish(self, timeout):
        try:
            self.process.stdin.close()
        except BrokenPipeError:
            pass
        self.reader.join(timeout)
        if self.reader.is_alive():
            self.process.kill()
            self.reader.join(10)
            raise RuntimeError(f"the detector did not finish within {timeout} s")
        code = self.process.wait(timeout)
        self.stderr.seek(0)
        text = self.stderr.read().decode("utf-8", "replace")
        self.stderr.close()
        return code, text[-2000:]

    def abort(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def measure_throughput(command, header, records, warmup, timeout):
    run = Run(command, sources=False, warmup_lines=warmup)
    try:
        startup = run.warm_up(header if warmup else b"", records[:warmup], timeout)
        body = (b"" if warmup else header) + b"".join(records[warmup:])
        started = time.monotonic()
        write_all(run.stdin, body)
        written = time.monotonic()
        code, stderr = run.finish(timeout)
    except BaseException:
        run.abort()
        raise
    reader = run.reader
    lines = reader.lines - warmup
    seconds = (reader.last_time - started) if reader.last_time is not None else None
    return {
        "records_timed": len(records) - warmup, "lines_out": lines,
        "seconds": seconds, "flows_per_s": (lines / seconds) if seconds else None,
        "write_seconds": written - started, "stdin_pipe_bytes": run.pipe_size, "startup_s": startup, "exit_code": code, "stderr_tail": stderr,
    }


def measure_latency(command, header, records, warmup, rate, seconds, timeout, pipe_size):
    count = max(1, int(round(rate * seconds)))
    pool = records[warmup:] or records
    run = Run(command, sources=True, warmup_lines=warmup, pipe_size=pipe_size)
    write_times = {}
    scheduled = {}
    lag = []
    try:
        startup = run.warm_up(header, records[:warmup], timeout)
        first_line = 2 + warmup  # line 1 is the header

        def writer():
            start = time.monotonic() + 0.01
            for i in range(count):
                target = start + i / rate
                now = time.monotonic()
                if target > now:
                    time.sleep(target - now)
                now = time.monotonic()
                lag.append(now - target)
                write_times[first_line + i] = now
                scheduled[first_line + i] = target
                os.write(run.stdin, pool[i % len(pool)])
        thread = threading.Thread(target=writer, daemon=True)
        thread.start()
        thread.join()
        code, stderr = run.finish(timeout)
    except BaseException:
        run.abort()
        raise
    read_times = run.reader.read_times
    latencies = [(read_times[line] - written) * 1000 for line, written in write_times.items() if line in read_times]
    # From each record's slot in the schedule instead: counts the time a writer blocked on a full
    # pipe spent waiting (no coordinated omission).
    from_schedule = [(read_times[line] - when) * 1000 for line, when in scheduled.items() if line in read_times]
    stamps = sorted(write_times.values())
    offered = (len(stamps) - 1) / (stamps[-1] - stamps[0]) if len(stamps) > 1 and stamps[-1] > stamps[0] else None
    return {
        "records_written": count, "lines_matched": len(latencies), "lines_missing": count - len(latencies),
        "offered_rate": rate, "achieved_rate": offered, "writer_lag_max_ms": max(lag) * 1000 if lag else None,
        "p50_ms": percentile(latencies, 50), "p90_ms": percentile(latencies, 90), "p99_ms": percentile(latencies, 99),
        "max_ms": max(latencies) if latencies else None,
        "mean_ms": statistics.fmean(latencies) if latencies else None,
        "p50_from_schedule_ms": percentile(from_schedule, 50), "p99_from_schedule_ms": percentile(from_schedule, 99),
        "stdin_pipe_bytes": run.pipe_size,
        "latencies_ms": [round(v, 3) for v in latencies],
        "startup_s": startup, "exit_code": code, "stderr_tail": stderr,
    }


def torch_version(python):
    try:
        out = subprocess.run([python, "-c", "import torch, pandas; print(torch.__version__, pandas.__version__)"],
                             capture_output=True, text=True, timeout=120)
        return out.stdout.strip() or out.stderr.strip()[-300:]
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"unknown ({error})"


def git_state():
    try:
        head = subprocess.run(["git", "-C", REPO, "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", REPO, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip() != ""
        return {"commit": head, "dirty": dirty}
    except OSError:
        return None


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", action="append", required=True, metavar="VARIANT=PATH",
                   help="a checkpoint and the name it has in the table; repeat for each variant")
    p.add_argument("--flows", required=True, help="CICFlowMeter CSV to feed (make_flows.py)")
    p.add_argument("--threads", default="1", help="comma-separated thread counts (default 1)")
    p.add_argument("--runs", type=int, default=3, help="throughput runs per detector, the median is reported")
    p.add_argument("--rate", type=float, default=1000.0, help="offered flows/s of the latency test")
    p.add_argument("--latency-seconds", type=float, default=5.0, help="length of the latency test")
    p.add_argument("--warmup", type=int, default=1, help="records scored before the clock starts (0: time start-up too)")
    p.add_argument("--detectors", default="tune,torch", help="which detectors, comma-separated: tune, torch")
    p.add_argument("--tune", default=os.path.join(REPO, ".build", "release", "tune"), help="the tune binary")
    p.add_argument("--python", default="/tmp/torchenv/bin/python", help="the python with torch, pandas, safetensors")
    p.add_argument("--torch-detect", default=os.path.join(HERE, "torch_detect.py"))
    p.add_argument("--max-delay", type=float, help="passed to both detectors (their default: 50 ms)")
    p.add_argument("--max-batch", type=int, help="passed to both detectors (their default: 256)")
    p.add_argument("--pipe-size", type=int, default=1 << 20,
                   help="stdin pipe capacity in bytes for the latency test (F_SETPIPE_SZ; 0: the system's 64 KiB)")
    p.add_argument("--timeout", type=float, default=600.0, help="seconds one measurement may take")
    p.add_argument("--skip-latency", action="store_true")
    p.add_argument("--skip-throughput", action="store_true")
    p.add_argument("--out", default="bench_detect.json", help="raw numbers (JSON)")
    a = p.parse_args()

    models = []
    for entry in a.model:
        name, sep, path = entry.partition("=")
        if not sep or not name or not path:
            sys.exit(f"bench_detect: --model takes VARIANT=PATH, got {entry!r}")
        if not os.path.isfile(path):
            sys.exit(f"bench_detect: no checkpoint at {path}")
        models.append((name, os.path.abspath(path)))
    threads = [int(t) for t in a.threads.split(",") if t.strip()]
    detectors = [d.strip() for d in a.detectors.split(",") if d.strip()]
    for d in detectors:
        if d not in ("tune", "torch"):
            sys.exit(f"bench_detect: unknown detector {d!r} (tune, torch)")
    if a.runs < 1 or a.rate <= 0 or a.latency_seconds <= 0 or a.warmup < 0:
        sys.exit("bench_detect: --runs, --rate and --latency-seconds must be positive, --warmup not negative")
    header, records = read_flows(a.flows)
    if a.warmup >= len(records):
        sys.exit(f"bench_detect: --warmup {a.warmup} leaves none of the {len(records)} records to time")

    extra = []
    if a.max_delay is not None:
        extra += ["--max-delay", str(a.max_delay)]
    if a.max_batch is not None:
        extra += ["--max-batch", str(a.max_batch)]

    def command(detector, model, t):
        if detector == "tune":
            return [a.tune, "detect", "--model", model, "--stats-interval", "0", "--threads", str(t)] + extra
        return [a.python, a.torch_detect, "--model", model, "--threads", str(t)] + extra

    report = {
        "started": utc_now(), "host": {
            "cpu_model": cpu_model(), "cpus": os.cpu_count(), "kernel": platform.release(),
            "OPENBLAS_CORETYPE_set": "OPENBLAS_CORETYPE" in os.environ,
            "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
            "TUNE_GEMM": os.environ.get("TUNE_GEMM"),
            "load_average_at_start": os.getloadavg(),
        },
        "tune": {"binary": a.tune, "git": git_state(),
                 "binary_mtime": datetime.fromtimestamp(os.path.getmtime(a.tune), timezone.utc).isoformat()
                 if os.path.exists(a.tune) else None},
        "torch": {"python": a.python, "script": a.torch_detect,
                  "versions": torch_version(a.python) if "torch" in detectors else None},
        "settings": {"flows": os.path.abspath(a.flows), "records": len(records), "threads": threads, "runs": a.runs,
                     "rate": a.rate, "latency_seconds": a.latency_seconds, "warmup": a.warmup,
                     "max_delay_ms": a.max_delay, "max_batch": a.max_batch, "models": dict(models)},
        "driver_command": [sys.executable] + sys.argv,
        "measurements": [],
    }

    def record(kind, detector, variant, t, run_index, cmd, measure):
        entry = {"kind": kind, "detector": detector, "variant": variant, "threads": t, "run": run_index,
                 "command": cmd, "date": utc_now(), "load_average_before": os.getloadavg()}
        try:
            entry.update(measure())
        except Exception as error:  # keep going; the failure is in the JSON and on stderr
            entry["error"] = str(error)
            print(f"bench_detect: {detector} {variant} threads {t} {kind}: {error}", file=sys.stderr)
        report["measurements"].append(entry)
        shown = entry.get("flows_per_s") if kind == "throughput" else (entry.get("p50_ms"), entry.get("p99_ms"))
        print(f"bench_detect: {entry['date']} {kind} {detector} {variant} threads {t} run {run_index}: {shown} "
              f"(load {entry['load_average_before'][0]:.2f})", file=sys.stderr)
        with open(a.out, "w") as f:  # after every measurement, so an interrupted run keeps its numbers
            json.dump(report, f, indent=1)

    for variant, model in models:
        for t in threads:
            if not a.skip_throughput:
                for run_index in range(a.runs):
                    order = detectors if run_index % 2 == 0 else list(reversed(detectors))
                    for detector in order:
                        cmd = command(detector, model, t)
                        record("throughput", detector, variant, t, run_index, cmd,
                               lambda cmd=cmd: measure_throughput(cmd, header, records, a.warmup, a.timeout))
            if not a.skip_latency:
                for detector in detectors:
                    cmd = command(detector, model, t)
                    record("latency", detector, variant, t, 0, cmd,
                           lambda cmd=cmd: measure_latency(cmd, header, records, max(a.warmup, 1), a.rate,
                                                           a.latency_seconds, a.timeout, a.pipe_size))

    summary = []
    for variant, _ in models:
        for t in threads:
            for detector in detectors:
                mine = [m for m in report["measurements"]
                        if m["detector"] == detector and m["variant"] == variant and m["threads"] == t]
                rates = [m["flows_per_s"] for m in mine if m["kind"] == "throughput" and m.get("flows_per_s")]
                latency = next((m for m in mine if m["kind"] == "latency" and "error" not in m), {})
                summary.append({"detector": detector, "variant": variant, "threads": t,
                                "flows_per_s_median": statistics.median(rates) if rates else None,
                                "flows_per_s_runs": rates, "p50_ms": latency.get("p50_ms"),
                                "p99_ms": latency.get("p99_ms"), "latency_missing": latency.get("lines_missing"),
                                "writer_lag_max_ms": latency.get("writer_lag_max_ms")})
    report["summary"] = summary
    report["finished"] = utc_now()
    with open(a.out, "w") as f:
        json.dump(report, f, indent=1)

    def show(value, digits):
        return "-" if value is None else f"{value:.{digits}f}"
    print(f"| detector | variant | threads | flows/s | p50 ms | p99 ms |")
    print(f"|---|---|---:|---:|---:|---:|")
    for row in summary:
        print(f"| {row['detector']} | {row['variant']} | {row['threads']} | {show(row['flows_per_s_median'], 0)} "
              f"| {show(row['p50_ms'], 1)} | {show(row['p99_ms'], 1)} |")
    print(f"\n{len(records)} records from {a.flows}; throughput: median of {a.runs} runs; latency: "
          f"{a.rate:g} flows/s offered for {a.latency_seconds:g} s; raw numbers in {a.out}")


if __name__ == "__main__":
    main()
