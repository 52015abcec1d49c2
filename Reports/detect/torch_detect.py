#!/usr/bin/env python3
"""The PyTorch + pandas counterpart of `tune detect`, for benchmarks (Reports/detect/README.md).

usage: python torch_detect.py --model best.safetensors [--input FILE|-] [--max-delay MS]
                              [--max-batch N] [--threads T] [--stats-interval S]

Reads CICFlowMeter (or any CSV flow format the checkpoint was trained on) records from stdin,
header line first, and scores them in micro-batches with the same policy as `tune detect`: a
batch is scored when it holds --max-batch records or --max-delay ms after its first record
arrived. Each batch is parsed with pandas, its rows with a non-number, NaN or infinity in any of
the pipeline's input numeric columns are skipped (no output line, a note on stderr), the rest
are scaled exactly as the Swift loader does (Scaler.pretransformed, then
Float32((t(x) - center) * (1 / scale)), in Double) into an (N, 1, F) float32 tensor, and go
through the reference CNN+LSTM (eval mode, torch.no_grad, softmax). One EVE-like JSON line per
scored flow goes to stdout (the same keys as tune's), flushed once per batch.

Only the features layout (C = 1, L = F) is supported; window-layout checkpoints are refused.
"""
import argparse
import csv
import io
import json
import math
import os
import selectors
import sys
import time
from datetime import datetime, timezone

import numpy as np
import pandas as pd
import torch
import torch.nn as nn
from safetensors.torch import load_file


# ---------------------------------------------------------------------------------------------
# The model: /work/shared/bench/torch_reference.py's CNNLSTM, generalised to the checkpoint's
# model_config (conv_channels, kernel_size, lstm_hidden, lstm_layers, variant, heads, head_dim)
# with the same state_dict names (conv.{4b}, conv.{4b+1}, lstm.*, mha.{q,k,v,o}, bn, fc).

class MHA(nn.Module):
    def __init__(self, dim, heads=4, head_dim=64):
        super().__init__()
        self.h, self.d = heads, head_dim
        self.q = nn.Linear(dim, heads * head_dim)
        self.k = nn.Linear(dim, heads * head_dim)
        self.v = nn.Linear(dim, heads * head_dim)
        self.o = nn.Linear(heads * head_dim, dim)

    def forward(self, x):
        b, t, _ = x.shape
        q = self.q(x).view(b, t, self.h, self.d).transpose(1, 2)
        k = self.k(x).view(b, t, self.h, self.d).transpose(1, 2)
        v = self.v(x).view(b, t, self.h, self.d).transpose(1, 2)
        a = torch.softmax(q @ k.transpose(-2, -1) / self.d ** 0.5, dim=-1)
        return self.o((a @ v).transpose(1, 2).reshape(b, t, self.h * self.d))


class CNNLSTM(nn.Module):
    def __init__(self, config):
        super().__init__()
        channels = config.get("conv_channels", [128, 256])
        kernel = config.get("kernel_size", 3)
        hidden = config.get("lstm_hidden", 128)
        layers = config.get("lstm_layers", 1)
        variant = config.get("variant", "lstm")
        if variant == "attn":
            variant = "attention"
        if variant not in ("lstm", "bilstm", "attention"):
            raise ValueError(f"unknown model variant {variant!r}")
        bidirectional = variant != "lstm"
        blocks = []
        previous = config["input_channels"]
        for out in channels:
            blocks += [nn.Conv1d(previous, out, kernel, padding=kernel // 2), nn.BatchNorm1d(out), nn.ReLU(),
                       nn.MaxPool1d(2)]
            previous = out
        blocks.append(nn.Dropout(config.get("dropout", 0.3)))
        self.conv = nn.Sequential(*blocks)
        self.lstm = nn.LSTM(previous, hidden, layers, batch_first=True, bidirectional=bidirectional)
        width = hidden * (2 if bidirectional else 1)
        self.attention = variant == "attention"
        if self.attention:
            self.mha = MHA(width, config.get("heads", 4), config.get("head_dim", 64))
            self.bn = nn.BatchNorm1d(width)
        self.fc = nn.Linear(width, config["classes"])

    def forward(self, x):
        x = self.conv(x).transpose(1, 2)
        y, _ = self.lstm(x)
        if self.attention:
            y = self.bn((y + self.mha(y)).transpose(1, 2)).mean(-1)
        else:
            y = y[:, -1]
        return self.fc(y)


def fail(message):
    sys.stderr.write(f"torch_detect: {message}\n")
    sys.exit(1)


def safetensors_metadata(path):
    with open(path, "rb") as f:
        size = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(size))
    return header.get("__metadata__", {})


def load_model(path):
    """The checkpoint's model (eval mode) and its feature pipeline (the FeaturePipeline JSON)."""
    metadata = safetensors_metadata(path)
    if "model_config" not in metadata or "data.pipeline" not in metadata:
        fail(f"{path}: not a tune checkpoint (no model_config / data.pipeline metadata)")
    config = json.loads(metadata["model_config"])
    pipeline = json.loads(metadata["data.pipeline"])
    if pipeline.get("layout") != "features":
        fail(f"{path}: the {pipeline.get('layout')!r} layout is not supported; torch_detect.py scores "
             "features-layout models only (C = 1, L = F), not windows of flows")
    if pipeline.get("encoder") is None:
        fail(f"{path}: a {pipeline.get('format')} pipeline has no feature encoder, so it cannot score flow records")
    model = CNNLSTM(config)
    state = load_file(path)
    missing, unexpected = model.load_state_dict(state, strict=False)
    if missing or unexpected:
        fail(f"{path}: tensors do not match the model (missing {missing}, unexpected {unexpected})")
    model.eval()
    return model, config, pipeline


# ---------------------------------------------------------------------------------------------
# The pipeline: FeaturePipeline / FeatureEncoder / Scaler / RowScaling of Sources/FlowData.

def column_key(name):
    """Sources/FlowData/DataFormat.swift columnKey: trimmed, case-insensitive."""
    return name.strip(" \t\r\n").lower()


def deduplicated(names):
    """FlowTableReader.deduplicated: repeated names get .1, .2 (as pandas does)."""
    seen = {}
    out = []
    for name in names:
        key = column_key(name)
        count = seen.get(key, 0)
        seen[key] = count + 1
        out.append(name if count == 0 else f"{name}.{count}")
    return out


# Sources/FlowData/DataFormat.swift IdentityColumn.common: the columns tune detect copies into
# each line, under EVE's keys; the first column present wins for each key.
IDENTITY = [
    ("Flow ID", "flow_id"), ("Src IP", "src_ip"), ("Source IP", "src_ip"), ("src_ip", "src_ip"),
    ("Src Port", "src_port"), ("Source Port", "src_port"), ("src_port", "src_port"),
    ("Dst IP", "dest_ip"), ("Destination IP", "dest_ip"), ("dst_ip", "dest_ip"),
    ("Dst Port", "dest_port"), ("Destination Port", "dest_port"), ("dst_port", "dest_port"),
    ("Protocol", "proto"), ("Timestamp", "flow_timestamp"),
]
NORMAL_LABELS = {"cicflowmeter": ["benign"], "unsw-nb15": [], "nsl-kdd": ["normal"]}


class Encoder:
    """Column positions of one header, and the scaling of the checkpoint's pipeline."""

    def __init__(self, pipeline, header_names):
        self.pipeline = pipeline
        names = deduplicated(header_names)
        self.field_count = len(names)
        index_of_key = {}
        for i, name in enumerate(names):
            index_of_key.setdefault(column_key(name), i)
        needed = pipeline["inputNumericColumns"] + pipeline["inputSymbolicColumns"]
        missing = [c for c in needed if column_key(c) not in index_of_key]
        if missing:
            fail(f"these records lack {len(missing)} of the {len(needed)} columns the model reads "
                 f"({', '.join(repr(c) for c in missing[:3])}{', ...' if len(missing) > 3 else ''})")
        self.numeric_fields = [index_of_key[column_key(c)] for c in pipeline["inputNumericColumns"]]
        self.numeric_names = [names[i] for i in self.numeric_fields]
        encoder = pipeline["encoder"]
        inputs = pipeline["inputNumericColumns"]
        # Kept numeric features: their positions among the input numeric columns.
        self.kept = np.array([inputs.index(c) for c in encoder["numericColumns"]], dtype=np.int64)
        self.symbolic = []  # (field, name, offset, {category: index}, count)
        offset = len(encoder["numericColumns"])
        for column in encoder["symbolicColumns"]:
            field = index_of_key[column_key(column["name"])]
            categories = column["categories"]
            self.symbolic.append((field, column["name"], offset, {c: i for i, c in enumerate(categories)}, len(categories)))
            offset += len(categories)
        self.feature_count = offset
        scaler = pipeline["scaler"]
        if len(scaler["center"]) != offset:
            fail(f"the scaler has {len(scaler['center'])} features, the encoder makes {offset}")
        self.log = bool(scaler["choice"]["logTransform"])
        self.center = np.array(scaler["center"], dtype=np.float64)
        self.inverse = 1.0 / np.array(scaler["scale"], dtype=np.float64)  # RowScaling.inverse
        self.zero = ((self.pretransformed(np.zeros(offset)) - self.center) * self.inverse).astype(np.float32)
        self.one = ((self.pretransformed(np.ones(offset)) - self.center) * self.inverse).astype(np.float32)
        label = pipeline.get("labelColumn") or "label"
        self.label_field = index_of_key.get(column_key(label))
        self.identity = []
        keys = set()
        for column, key in IDENTITY:
            if key not in keys and column_key(column) in index_of_key:
                self.identity.append((index_of_key[column_key(column)], key))
                keys.add(key)
        numeric_set = set(self.numeric_fields)
        # Fields read as text: identity, label and symbolic columns that are not numeric features.
        self.text_fields = sorted({f for f, _ in self.identity if f not in numeric_set}
                                  | ({self.label_field} if self.label_field is not None else set())
                                  | {s[0] for s in self.symbolic})
        self.use_fields = sorted(numeric_set | set(self.text_fields) | {f for f, _ in self.identity})
        self.class_names = pipeline["classNames"]
        self.normal_labels = NORMAL_LABELS.get(pipeline["format"], ["benign", "normal"])

    def pretransformed(self, values):
        """Scaler.pretransformed: sign(x) * log1p(|x|) when the scaler logs (0 stays 0)."""
        if not self.log:
            return values
        return np.where(values < 0, -np.log1p(np.abs(values)), np.log1p(np.abs(values)))

    def scale(self, numbers, categories):
        """(N, inputNumeric) Double and per-symbolic-column category indices -> (N, F) float32,
        EncodedTable.writeScaledRow's formula: Float((t(x) - center) * inverse)."""
        kept = self.pretransformed(numbers[:, self.kept])
        count = len(self.kept)
        out = np.empty((numbers.shape[0], self.feature_count), dtype=np.float32)
        out[:, :count] = ((kept - self.center[:count]) * self.inverse[:count]).astype(np.float32)
        for (_, _, offset, _, width), index in zip(self.symbolic, categories):
            out[:, offset:offset + width] = self.zero[offset:offset + width]
            rows = np.arange(numbers.shape[0])
            out[rows, offset + index] = self.one[offset + index]
        return out

    def label(self, text):
        """The record's class under the model's label mode, or None (RecordEncoder.label)."""
        if text is None or (isinstance(text, float) and math.isnan(text)):
            return None
        text = str(text).strip().replace("\u2013", "-").replace("\ufffd", "-").replace("\x96", "-")
        if not text:
            return None
        mode = self.pipeline.get("labelMode")
        if mode == "binary":
            normal = self.pipeline.get("normalLabel")
            is_normal = text.lower() == normal.lower() if normal else text.lower() in self.normal_labels
            mapped = "normal" if is_normal else "attack"
        elif mode == "names":
            mapped = text
        else:
            return None  # NSL-KDD families: not needed for benchmarks
        return mapped if mapped in self.class_names else None


# ---------------------------------------------------------------------------------------------
# Output: DetectionEvent.line() of Sources/Detection/DetectionEvent.swift.

def eve_timestamp(seconds):
    whole = math.floor(seconds)
    micros = int((seconds - whole) * 1_000_000)
    return datetime.fromtimestamp(whole, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S") + f".{micros:06d}+0000"


def quoted(text):
    return json.dumps(text, ensure_ascii=False)


class Detector:
    def __init__(self, model, pipeline, args, input_name):
        self.model = model
        self.pipeline = pipeline
        self.args = args
        self.input_name = input_name
        self.max_batch = args.max_batch
        self.max_delay = args.max_delay / 1000.0
        self.header_line = None
        self.encoder = None
        self.pending = []  # (line number, text, arrival)
        self.class_names = pipeline["classNames"]
        names = [c.lower() for c in self.class_names]
        candidates = ([pipeline["normalLabel"].lower()] if pipeline.get("normalLabel") else []) + ["normal", "benign"]
        self.normal_class = next((names.index(c) for c in candidates if c in names), None)
        self.flows = self.alerts = self.skipped = 0
        self.latencies = []
        self.out = sys.stdout.buffer
        self.closed = False

    # records ---------------------------------------------------------------------------------

    def accept_line(self, number, text, arrival):
        if not text.strip():
            return  # blank lines are skipped (CSVReader), but still counted
        if self.header_line is None:
            self.header_line = text
            self.encoder = Encoder(self.pipeline, next(csv.reader([text])))
            return
        self.pending.append((number, text, arrival))
        if len(self.pending) >= self.max_batch:
            self.flush()

    def skip(self, number, reason):
        self.skipped += 1
        if self.skipped <= 10 or self.skipped % 1000 == 0:
            sys.stderr.write(f"torch_detect: {self.input_name} line {number}: {reason}; record skipped\n")

    def parse(self, batch):
        """The batch as pandas rows: (records kept, (N, inputNumeric) Double, categories, text columns)."""
        enc = self.encoder
        lines = []
        kept = []
        for record in batch:
            text = record[1]
            fields = text.count(",") + 1 if '"' not in text else len(next(csv.reader([text])))
            if fields != enc.field_count:
                self.skip(record[0], f"expected {enc.field_count} fields, found {fields}")
                continue
            lines.append(text)
            kept.append(record)
        if not kept:
            return [], None, None, None
        frame = pd.read_csv(io.StringIO(self.header_line + "\n" + "\n".join(lines)), header=0,
                            usecols=enc.use_fields, dtype={f: str for f in enc.text_fields},
                            keep_default_na=False, na_values=["", "NaN", "nan", "NA"], skip_blank_lines=False,
                            skipinitialspace=True)
        position = {field: i for i, field in enumerate(enc.use_fields)}  # usecols keeps file order
        numeric = frame.iloc[:, [position[f] for f in enc.numeric_fields]]
        if any(dtype == object or str(dtype) in ("str", "string") for dtype in numeric.dtypes):
            numeric = numeric.apply(pd.to_numeric, errors="coerce")
        numbers = numeric.to_numpy(dtype=np.float64)
        finite = np.isfinite(numbers).all(axis=1)
        categories = []
        for field, name, _, index_of, _ in enc.symbolic:
            values = frame.iloc[:, position[field]].fillna("").str.strip()
            index = values.map(index_of)
            unknown = index.isna().to_numpy()
            for row in np.flatnonzero(unknown & finite):
                self.skip(kept[row][0], f"category '{values.iloc[row]}' of '{name}' was not seen in training")
            finite &= ~unknown
            categories.append(index.fillna(0).to_numpy(dtype=np.int64))
        if not finite.all():
            for row in np.flatnonzero(~finite):
                bad = [enc.numeric_names[c] for c in np.flatnonzero(~np.isfinite(numbers[row]))]
                if bad:
                    self.skip(kept[row][0], f"'{bad[0]}' is not a finite number")
            numbers = numbers[finite]
            categories = [c[finite] for c in categories]
            kept = [r for r, ok in zip(kept, finite) if ok]
            frame = frame[finite]
        return kept, numbers, categories, (frame, position)

    # scoring ---------------------------------------------------------------------------------

    def flush(self):
        batch = self.pending
        self.pending = []
        if not batch:
            return
        kept, numbers, categories, columns = self.parse(batch)
        if not kept:
            return
        started = time.monotonic()
        features = self.encoder.scale(numbers, categories)
        x = torch.from_numpy(features).unsqueeze(1)  # (N, C = 1, L = F)
        with torch.no_grad():
            probabilities = torch.softmax(self.model(x), dim=1).numpy()
        scored = time.monotonic()
        self.write(kept, probabilities, columns, started, scored)

    def write(self, kept, probabilities, columns, started, scored):
        enc = self.encoder
        frame, position = columns
        stamp = eve_timestamp(time.time())
        identity_columns = [(key, frame.iloc[:, position[field]].tolist()) for field, key in enc.identity]
        labels = frame.iloc[:, position[enc.label_field]].tolist() if enc.label_field is not None else None
        predicted = probabilities.argmax(axis=1)
        count = len(kept)
        model_ms = (scored - started) * 1000
        names = [quoted(n) for n in self.class_names]
        out = []
        for row, (number, _, arrival) in enumerate(kept):
            p = probabilities[row]
            k = int(predicted[row])
            attack = None if self.normal_class is None else 1.0 - float(p[self.normal_class])
            alert = self.normal_class is not None and k != self.normal_class
            latency = scored - arrival
            self.latencies.append(latency)
            text = f'{{"timestamp":"{stamp}","event_type":"{"alert" if alert else "flow"}"'
            for key, values in identity_columns:
                value = values[row]
                if value is None or (isinstance(value, float) and math.isnan(value)):
                    continue
                value = str(value).strip()
                if not value or value == "-":
                    continue
                if key in ("src_port", "dest_port") and value.lstrip("-").isdigit():
                    text += f',"{key}":{value}'
                else:
                    text += f',"{key}":{quoted(value)}'
            text += f',"tune":{{"source":{quoted(f"{self.input_name} line {number}")},"predicted":{names[k]}'
            if attack is not None:
                text += f',"attack_probability":{attack:.6f}'
            text += ',"probabilities":{' + ",".join(f"{n}:{float(v):.6f}" for n, v in zip(names, p)) + "}"
            label = enc.label(labels[row]) if labels is not None else None
            if label is not None:
                text += f',"label":{quoted(label)}'
            text += f',"latency_ms":{latency * 1000:.3f},"model_ms":{model_ms:.3f},"batch":{count}}}'
            if alert:
                a = 1.0 if attack is None else attack
                severity = 1 if a >= 0.9 else (2 if a >= 0.7 else 3)
                category = self.class_names[k]
                text += (f',"alert":{{"action":"allowed","signature":{quoted("tune: " + category)},'
                         f'"category":{quoted(category)},"severity":{severity}}}')
                self.alerts += 1
            out.append(text + "}\n")
        self.flows += count
        try:
            self.out.write("".join(out).encode())
            self.out.flush()
        except BrokenPipeError:
            self.closed = True

    def statistics(self):
        latencies = sorted(self.latencies[-100000:])

        def q(f):
            return latencies[min(len(latencies) - 1, int(f * len(latencies)))] * 1000 if latencies else 0.0
        return (f"scored {self.flows} flows, {self.alerts} alerts, {self.skipped} records skipped; "
                f"latency p50 {q(0.5):.1f} ms p99 {q(0.99):.1f} ms")

    # input -----------------------------------------------------------------------------------

    def run(self, fd):
        selector = selectors.DefaultSelector()
        regular = os.path.isfile(f"/proc/self/fd/{fd}") if os.path.exists(f"/proc/self/fd/{fd}") else False
        if not regular:
            selector.register(fd, selectors.EVENT_READ)
        partial = b""
        next_line = 1
        stats_every = self.args.stats_interval
        next_stats = time.monotonic() + stats_every if stats_every > 0 else math.inf
        ended = False
        while not ended and not self.closed:
            now = time.monotonic()
            timeout = 0.5
            if self.pending:
                timeout = min(timeout, self.pending[0][2] + self.max_delay - now)
            timeout = min(timeout, next_stats - now)
            ready = True if regular else bool(selector.select(max(0.0, timeout)))
            if ready:
                chunk = os.read(fd, 1 << 16)
                arrival = time.monotonic()
                if not chunk:
                    ended = True
                    if partial:  # a last line without a line break still counts
                        chunk, partial = partial + b"\n", b""
                data = partial + chunk
                end = data.rfind(b"\n")
                if end >= 0:
                    partial = data[end + 1:]
                    for line in data[:end].split(b"\n"):
                        self.accept_line(next_line, line.decode("utf-8", "replace").rstrip("\r"), arrival)
                        next_line += 1
                        if self.closed:
                            break
                else:
                    partial = data
            if self.pending and time.monotonic() >= self.pending[0][2] + self.max_delay:
                self.flush()
            if time.monotonic() >= next_stats:
                sys.stderr.write("torch_detect: " + self.statistics() + "\n")
                next_stats += stats_every
        self.flush()
        sys.stderr.write("torch_detect: " + self.statistics() + "\n")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True, help="a checkpoint written by `tune train` (best.safetensors)")
    p.add_argument("--input", default="-", help="the file to read, or - for stdin (default)")
    p.add_argument("--max-delay", type=float, default=50.0, help="ms after a batch's first record before it is scored")
    p.add_argument("--max-batch", type=int, default=256, help="records per batch at most")
    p.add_argument("--stats-interval", type=float, default=0.0, help="seconds between statistics lines on stderr (0: only at the end)")
    p.add_argument("--threads", type=int, default=1, help="torch.set_num_threads")
    args = p.parse_args()
    if args.max_batch < 1:
        fail("--max-batch must be at least 1")
    torch.set_num_threads(args.threads)
    model, _, pipeline = load_model(args.model)
    if args.input == "-":
        fd, name = sys.stdin.fileno(), "stdin"
    else:
        fd, name = os.open(args.input, os.O_RDONLY), args.input
    Detector(model, pipeline, args, name).run(fd)


if __name__ == "__main__":
    main()
