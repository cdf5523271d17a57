#!/usr/bin/env python3
"""Throughput of backlog sweeps: 1 and 2 local workers, and a 2-worker dask LocalCluster.

    python bench/bench_batch.py                    # 200 generated cases of 20-60 pages (~8,000 pages)
    python bench/bench_batch.py --cases 40 --json bench/out/batch.json

Each configuration sweeps the same generated backlog into a fresh store, with its workers started and
their pipeline loaded before the clock starts (start-up is reported apart). Figures:

- pages per second: pages reviewed / sweep wall time, the single writer's commits included;
- pages per CPU-second: over the worker processes and this process (the single writer and, for the
  LocalCluster, its scheduler, nannies and client). It is the cost of each way of running, and other
  jobs on a shared machine distort it far less than wall time;
- the peak RSS of each worker process.

Machines are noisy: compare the ratios of one run, and say how loaded the machine was (the load
average before each sweep is printed).
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_backlog import make_backlog  # noqa: E402

from reviewer.batch import DaskBackend, LocalBackend, pipeline_version, sweep  # noqa: E402
from reviewer.store import Store  # noqa: E402


def run(name: str, backend_factory, backlog: Path, work: Path) -> dict:
    t0 = time.perf_counter()
    with backend_factory() as backend:
        # warm up: every worker started and its pipeline loaded before the clock starts
        n = backend.capacity
        for f in [backend.executor.submit(pipeline_version) for _ in range(4 * n)]:
            f.result()
        startup = time.perf_counter() - t0
        store = Store(work / f"{name}.db")
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
        pids = worker_pids(backend)
        cpu0, me0 = cpu_seconds(pids), time.process_time()
        s = sweep(backlog, store, backend)
        cpu1, me1 = cpu_seconds(pids), time.process_time()
        store.close()
    assert not s.failed, s.failed
    worker_cpu = sum(cpu1[p] - cpu0[p] for p in pids if p in cpu0 and p in cpu1)
    return {"config": name, "backend": s.backend, "cases": len(s.reviewed), "pages": s.pages,
            "seconds": round(s.seconds, 2), "pages_per_second": round(s.pages_per_second, 2),
            "startup_seconds": round(startup, 2), "load_before": load,
            "worker_cpu_seconds": round(worker_cpu, 1), "parent_cpu_seconds": round(me1 - me0, 1),
            "pages_per_cpu_second": round(s.pages / (worker_cpu + me1 - me0), 2) if worker_cpu else None,
            "worker_peak_rss_mb": sorted(round(v, 1) for v in s.workers.values())}


def worker_pids(backend) -> list[int]:
    """The processes doing the work: the pool's children, or the Dask workers and their nannies."""
    import psutil

    client = getattr(backend, "client", None)
    if client is not None:
        pids = list(client.run(os.getpid).values())
        # a LocalCluster's nannies (and scheduler) live in this process, counted once as the parent
        return sorted(set(pids + [psutil.Process(p).ppid() for p in pids]) - {os.getpid()})
    return list(backend.executor._processes)


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """CPU seconds used so far by each process (user + system). Load-independent, unlike wall time."""
    import psutil

    out = {}
    for p in pids:
        try:
            t = psutil.Process(p).cpu_times()
            out[p] = t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--backlog", type=Path, help="Reuse this generated backlog instead of making one.")
    ap.add_argument("--only", nargs="*", default=["local1", "local2", "cluster2"])
    ap.add_argument("--json", type=Path, help="Also write the figures here (bench/out/ is git-ignored).")
    a = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        work = Path(tmp)
        backlog = a.backlog
        if backlog is None:
            backlog = work / "backlog"
            info = make_backlog(backlog, a.cases, a.seed)
            print(f"backlog: {info['cases']} cases ({info['folders']} folders), {info['pages']} pages", flush=True)

        @contextlib.contextmanager
        def cluster():
            from distributed import Client, LocalCluster

            with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as lc, \
                    Client(lc, set_as_default=False) as client, DaskBackend(client=client, ship="paths") as backend:
                yield backend

        configs = {"local1": lambda: LocalBackend(1), "local2": lambda: LocalBackend(2), "cluster2": cluster}
        results = []
        for name in a.only:
            r = run(name, configs[name], backlog, work)
            results.append(r)
            print(f"{name:9} {r['pages']:6d} pages {r['seconds']:8.1f} s {r['pages_per_second']:7.1f} pages/s  "
                  f"{r['pages_per_cpu_second']} pages/CPU-s  start-up {r['startup_seconds']:.1f} s  "
                  f"load {r['load_before']:.1f}  worker RSS MB {r['worker_peak_rss_mb']}",
                  flush=True)
    by = {r["config"]: r for r in results}
    ratios = {}
    if "local1" in by and "local2" in by:
        ratios["local2_over_local1"] = round(by["local2"]["pages_per_second"] / by["local1"]["pages_per_second"], 3)
    if "local2" in by and "cluster2" in by:
        ratios["cluster2_cost_vs_local2"] = round(1 - by["cluster2"]["pages_per_second"] / by["local2"]["pages_per_second"], 3)
    if "local2" in by and "cluster2" in by and by["cluster2"]["pages_per_cpu_second"]:
        ratios["cluster2_cpu_cost_vs_local2"] = round(
            1 - by["cluster2"]["pages_per_cpu_second"] / by["local2"]["pages_per_cpu_second"], 3)
    if "local1" in by and "local2" in by and by["local2"]["pages_per_cpu_second"]:
        ratios["local2_cpu_cost_vs_local1"] = round(
            1 - by["local2"]["pages_per_cpu_second"] / by["local1"]["pages_per_cpu_second"], 3)
    print(json.dumps(ratios))
    if a.json:
        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(json.dumps({"results": results, "ratios": ratios, "cpu_count": os.cpu_count()}, indent=2))


if __name__ == "__main__":
    main()
