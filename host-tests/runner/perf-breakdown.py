#!/usr/bin/env python3
"""Where a benchmarked call's time goes: folds `perf script` output of `connector bench profile`
into cost groups, in CPU µs per round of the calling thread (issue 17).

    RUSTFLAGS=-Cforce-frame-pointers=yes cargo build --profile profiling \
        -p connector-runner --bin connector --target-dir target/profiling
    CONNECTOR_PERFMAP=1 CONNECTOR_BENCH_ROUNDS=3000 CONNECTOR_BENCH_SIDE=session \
        perf record -e cpu-clock -F 4000 -g -o perf.data -- \
        target/profiling/profiling/connector --component dist/intercom.wasm bench profile
    perf script -i perf.data -F tid,ip,sym,dso | \
        python3 host-tests/runner/perf-breakdown.py --rounds 3001 --hz 4000

Only the thread that made the most samples counts (the bench's calling thread: the canned
upstream's threads are the server's cost, not the client's), and of it only the samples taken
inside the measured loop (a stack through `bench::profile`'s call closure): loading the
component, the fake Intercom's run and the warm-up calls are setup, not the call's cost. A sample goes to the first group
whose test its stack passes, in the order below; `--imports` also splits the host calls by the
wasm import they went through.
"""
import argparse
import collections
import sys


def samples(lines):
    """(tid, [frame, ...] leaf first) per sample of `perf script -F tid,ip,sym,dso`."""
    tid, frames = None, []
    for line in lines:
        line = line.rstrip("\n")
        if not line.strip():
            if tid is not None:
                yield tid, frames
            tid, frames = None, []
        elif tid is None:
            tid = int(line.split()[0])
        else:
            parts = line.strip().split(" ", 1)
            if len(parts) == 2:
                frames.append(parts[1])
    if tid is not None:
        yield tid, frames


# The measured loop's closure in `bench::profile`; samples outside it are setup.
LOOP = "bench::profile::{{closure}}"

SYSCALLS = ("writev", "__libc_recv", "__libc_send", "__GI___write", "__GI___read",
            "epoll_wait", "futex", "__poll", "sendto", "recvfrom")


def group(frames):
    stack = " ; ".join(frames)
    leaf = frames[0] if frames else ""
    in_guest_call = "wasmtime_fiber_start" in stack
    if "instantiate" in stack:
        return "instantiation (store, instance, pooling slot)"
    if in_guest_call:
        if leaf.startswith("wasm[0]::function"):
            return "guest code (the component's own wasm)"
        if "component-trampolines" in stack:
            return "host calls from wasm (wasi:http and wasi:io bridge)"
        return "guest entry and exit (fiber, lifting, lowering)"
    if "page_fault" in stack:
        return "page faults"
    if any(s in stack for s in SYSCALLS):
        return "syscalls: sockets, epoll, wake-ups"
    if "[kernel" in leaf:
        return "kernel, other"
    if "serde_json" in stack:
        return "JSON (native serde_json)"
    if "ureq" in stack:
        return "HTTP client (ureq)"
    if "hyper" in stack:
        return "HTTP client (hyper, hyper-util)"
    if "libc.so" in leaf:
        return "libc (malloc, memcpy)"
    if "tokio::" in stack:
        return "tokio scheduler"
    return "other"


def import_of(frames):
    """Which import a host call went through: the first WASI method named between the host
    function's entry and the leaf (most are inlined, so often none), else the trampoline."""
    names = [f.split(" (")[0] for f in frames]
    tramps = [i for i, f in enumerate(names) if "component-trampolines" in f]
    if not tramps:
        return None
    inner = names[: tramps[-1]]
    for f in reversed(inner):
        if " for " in f and ">::" in f and "wasi" in f and "closure" not in f:
            return f.rsplit(" for ", 1)[0].split("::")[-1] + ">::" + f.rsplit(">::", 1)[1]
    return names[tramps[-1]]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, required=True, help="calls the bench made")
    ap.add_argument("--hz", type=float, required=True, help="perf record -F")
    ap.add_argument("--imports", action="store_true", help="split host calls by import")
    args = ap.parse_args()
    all_samples = list(samples(sys.stdin))
    if not all_samples:
        sys.exit("no samples on standard input (pipe `perf script -F tid,ip,sym,dso` in)")
    main_tid = collections.Counter(t for t, _ in all_samples).most_common(1)[0][0]
    groups, imports = collections.Counter(), collections.Counter()
    total = setup = 0
    for tid, frames in all_samples:
        if tid != main_tid:
            continue
        if not any(LOOP in f for f in frames):
            setup += 1
            continue
        total += 1
        g = group(frames)
        groups[g] += 1
        if args.imports and g.startswith("host calls"):
            imports[import_of(frames)] += 1
    per_round = 1e6 / args.hz / args.rounds
    print(f"{'µs/round':>9} {'share':>6}  group (thread {main_tid}: {total} samples in the loop, "
          f"{setup} in setup left out)")
    for g, n in groups.most_common():
        print(f"{n * per_round:9.1f} {100 * n / total:5.1f}%  {g}")
    print(f"{total * per_round:9.1f} 100.0%  total CPU of the calling thread")
    for name, n in imports.most_common(20):
        print(f"{n * per_round:9.1f} {100 * n / total:5.1f}%    {name}")


if __name__ == "__main__":
    main()
