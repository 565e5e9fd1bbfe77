#!/usr/bin/env python3
"""Where a benchmarked call's time goes: folds `perf script` output of `connector bench profile`
into cost groups, in CPU µs per round of the calling thread (issue 17).

    RUSTFLAGS=-Cforce-frame-pointers=yes cargo build --profile profiling \
        -p connector-runner --bin connector --target-dir target/profiling
    CONNECTOR_PERFMAP=1 CONNECTOR_BENCH_ROUNDS=3000 CONNECTOR_BENCH_SIDE=session \
        perf record -e cpu-clock -F 4000 -g -o perf.data -- \
        target/profiling/profiling/connector --component dist/intercom.wasm bench profile
    # the same with CONNECTOR_BENCH_ROUNDS=0 -o setup.data, then
    perf script -i setup.data -F pid,tid,ip,sym,dso > setup.txt
    perf script -i perf.data -F pid,tid,ip,sym,dso | \
        python3 host-tests/runner/perf-breakdown.py --rounds 3000 --hz 4000 --setup setup.txt

Only the process's main thread counts (the bench's calling thread: the canned upstream's
threads are the server's cost, not the client's). Setup (loading the component, the fake
Intercom's run, the warm-up calls) is taken out by difference: `--setup FILE` is the `perf
script` output of the same command with CONNECTOR_BENCH_ROUNDS=0, and its samples are
subtracted group by group. (Filtering by the loop's frame does not work: samples taken on the
guest's fiber stack do not unwind to the caller.) A sample goes to the first group whose test
its stack passes, in the order below; `--imports` also splits the host calls by the wasm import
they went through.
"""
import argparse
import collections
import sys


def samples(lines):
    """((pid, tid), [frame, ...] leaf first) per sample of `perf script -F pid,tid,ip,sym,dso`."""
    tid, frames = None, []
    for line in lines:
        line = line.rstrip("\n")
        if not line.strip():
            if tid is not None:
                yield tid, frames
            tid, frames = None, []
        elif tid is None:
            pid, _, thread = line.split()[0].partition("/")
            tid = (int(pid), int(thread))
        else:
            parts = line.strip().split(" ", 1)
            if len(parts) == 2:
                frames.append(parts[1])
    if tid is not None:
        yield tid, frames


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


def count(lines, by_import):
    """Samples per group (and per import) of the main thread, and their total."""
    groups, imports = collections.Counter(), collections.Counter()
    total = 0
    for (pid, tid), frames in samples(lines):
        if tid != pid:
            continue
        total += 1
        g = group(frames)
        groups[g] += 1
        if by_import and g.startswith("host calls"):
            imports[import_of(frames)] += 1
    return groups, imports, total


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, required=True, help="calls the bench made")
    ap.add_argument("--hz", type=float, required=True, help="perf record -F")
    ap.add_argument("--imports", action="store_true", help="split host calls by import")
    ap.add_argument("--setup", help="perf script output of the same run with 0 rounds")
    args = ap.parse_args()
    groups, imports, total = count(sys.stdin, args.imports)
    if not total:
        sys.exit("no samples on standard input (pipe `perf script -F pid,tid,ip,sym,dso` in)")
    setup_total = 0
    if args.setup:
        with open(args.setup) as f:
            setup_groups, setup_imports, setup_total = count(f, args.imports)
        groups.subtract(setup_groups)
        imports.subtract(setup_imports)
        total -= setup_total
    per_round = 1e6 / args.hz / args.rounds
    print(f"{'µs/round':>9} {'share':>6}  group (calling thread; {total} samples after "
          f"subtracting {setup_total} of setup)")
    for g, n in groups.most_common():
        print(f"{n * per_round:9.1f} {100 * n / total:5.1f}%  {g}")
    print(f"{total * per_round:9.1f} 100.0%  total CPU of the calling thread")
    for name, n in imports.most_common(20):
        print(f"{n * per_round:9.1f} {100 * n / total:5.1f}%    {name}")


if __name__ == "__main__":
    main()
