"""Where the CPU and memory go, from /proc only (Linux): for bench_stream.py.

- CPU time of a process: utime + stime of /proc/<pid>/stat (all its threads, not its children),
  in clock ticks (SC_CLK_TCK); the machine's busy time from the `cpu` line of /proc/stat.
- Memory: VmRSS (now) and VmHWM (peak) of /proc/<pid>/status.
- A worker's children: processes whose parent chain leads to its pid. Both pebble pools spawn
  the same `python -c "from multiprocessing.spawn import spawn_main …"`, so the command line
  cannot tell them apart; `ProcessRunner` creates the clean pool's processes first, then the
  NLP pool's (pebble starts a pool's processes synchronously on its first `schedule`), so the
  first `clean_processes` of them by start time are the clean ones. A process replaced after
  a timeout starts later and would be counted as NLP: the labels say `(by start order)`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

PROC = Path("/proc")
CLK_TCK = os.sysconf("SC_CLK_TCK")
CORES = os.cpu_count() or 1


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name: [0] is field 3 (state)."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of `pid` (its threads, not its children); None if gone."""
    fields = _stat_fields(pid)
    if fields is None:
        return None
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def parent_pid(pid: int) -> int | None:
    fields = _stat_fields(pid)
    return int(fields[1]) if fields else None


def start_ticks(pid: int) -> int:
    """When `pid` started, in clock ticks since boot (field 22); 0 if gone."""
    fields = _stat_fields(pid)
    return int(fields[19]) if fields else 0


def cmdline(pid: int) -> str:
    try:
        raw = (PROC / str(pid) / "cmdline").read_bytes()
    except OSError:
        return ""
    return raw.replace(b"\0", b" ").decode(errors="replace").strip()


def all_pids() -> list[int]:
    return [int(entry.name) for entry in PROC.iterdir() if entry.name.isdigit()]


def descendants(root: int) -> list[int]:
    """Every process whose parent chain leads to `root` (not `root` itself)."""
    children: dict[int, list[int]] = {}
    for pid in all_pids():
        parent = parent_pid(pid)
        if parent is not None:
            children.setdefault(parent, []).append(pid)
    found: list[int] = []
    todo = list(children.get(root, []))
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def memory_mb(pid: int) -> dict[str, float | None]:
    """Resident memory now (VmRSS) and at its peak (VmHWM), in MB."""
    values: dict[str, float | None] = {"rss_mb": None, "peak_rss_mb": None}
    try:
        lines = (PROC / str(pid) / "status").read_text().splitlines()
    except OSError:
        return values
    for line in lines:
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            name = "rss_mb" if key == "VmRSS" else "peak_rss_mb"
            values[name] = round(int(rest.split()[0]) / 1024, 1)
    return values


def machine_busy_seconds() -> float:
    """CPU seconds the machine spent busy (all cores): /proc/stat `cpu` minus idle and iowait.
    guest time is already counted in user time."""
    first = (PROC / "stat").read_text().splitlines()[0].split()
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in first[1:9])
    return (user + nice + system + irq + softirq + steal) / CLK_TCK


def kafka_jvms() -> list[int]:
    """Every running JVM whose command line runs kafka.Kafka."""
    return [pid for pid in all_pids() if "java" in (c := cmdline(pid)) and "kafka.Kafka" in c]


def others_running(words: Iterable[str] = ("pytest", "chaos.py")) -> list[str]:
    """Command lines of processes (not this one) that would disturb a measurement."""
    me = os.getpid()
    found = []
    for pid in all_pids():
        line = cmdline(pid)
        if pid != me and any(word in line for word in words) and "bench_stream" not in line:
            found.append(f"{pid} {line[:100]}")
    return found


def worker_children(worker_pid: int, clean_processes: int) -> dict[int, str]:
    """A worker's child processes, labelled `clean-<i>`, `nlp-<i>` (by start order, see the
    module docstring) or `resource-tracker`/`child` for anything else."""
    labels: dict[int, str] = {}
    spawned = []
    for pid in descendants(worker_pid):
        line = cmdline(pid)
        if "resource_tracker" in line:
            labels[pid] = "resource-tracker"
        elif "spawn_main" in line:
            spawned.append(pid)
        else:
            labels[pid] = "child"
    spawned.sort(key=lambda pid: (start_ticks(pid), pid))
    for index, pid in enumerate(spawned):
        if index < clean_processes:
            labels[pid] = f"clean-{index + 1}"
        else:
            labels[pid] = f"nlp-{index - clean_processes + 1}"
    return labels


@dataclass
class CpuSnapshot:
    """CPU seconds of the labelled processes and of the whole machine at one instant."""

    at: float
    machine_busy: float
    processes: dict[int, tuple[str, float]] = field(default_factory=dict)
    unlabelled: dict[int, float] = field(default_factory=dict)


def snapshot(labels: dict[int, str], at: float) -> CpuSnapshot:
    """The labelled processes' CPU seconds, and every other process's (to name `other`)."""
    taken = CpuSnapshot(at=at, machine_busy=machine_busy_seconds())
    for pid in all_pids():
        seconds = cpu_seconds(pid)
        if seconds is None:
            continue
        if pid in labels:
            taken.processes[pid] = (labels[pid], seconds)
        else:
            taken.unlabelled[pid] = seconds
    return taken


def top_others(before: CpuSnapshot, after: CpuSnapshot, count: int = 5) -> list[dict]:
    """The unlabelled processes that used the most CPU between the snapshots (one that
    started in between counted from zero): what `other` is made of."""
    used = {
        pid: end - before.unlabelled.get(pid, 0.0)
        for pid, end in after.unlabelled.items()
        if pid not in before.processes
    }
    top = sorted(used.items(), key=lambda item: -item[1])[:count]
    return [
        {"pid": pid, "core_s": round(seconds, 2), "command": cmdline(pid)[:120]}
        for pid, seconds in top
        if seconds >= 0.05
    ]


def group_of(label: str) -> str:
    """`w1.nlp-2` → `nlp`, `w1.loop` → `worker loop`, `broker` → `broker` …"""
    name = label.split(".", 1)[-1]
    if name == "loop":
        return "worker loop"
    return name.split("-", 1)[0] if name.startswith(("clean-", "nlp-")) else name


def cpu_account(before: CpuSnapshot, after: CpuSnapshot, cores: int = CORES) -> dict:
    """Core-seconds and share of (wall × cores) for each process, grouped, plus `other`
    (machine busy time not in any labelled process) and `idle`. A process present only at
    the end is counted from zero (it started during the phase); one gone at the end is lost
    (its time lands in `other`)."""
    wall = after.at - before.at
    capacity = wall * cores
    rows: dict[str, float] = {}
    for pid, (label, end) in after.processes.items():
        start = before.processes.get(pid, (label, 0.0))[1]
        rows[label] = rows.get(label, 0.0) + end - start
    busy = after.machine_busy - before.machine_busy
    groups: dict[str, float] = {}
    for label, seconds in rows.items():
        groups[group_of(label)] = groups.get(group_of(label), 0.0) + seconds
    groups["other"] = busy - sum(rows.values())
    groups["idle"] = capacity - busy

    def cell(seconds: float) -> dict[str, float]:
        return {"core_s": round(seconds, 2), "share": round(seconds / capacity, 3)}

    return {
        "wall_s": round(wall, 2),
        "cores": cores,
        "capacity_core_s": round(capacity, 2),
        "machine_busy_core_s": round(busy, 2),
        "groups": {name: cell(seconds) for name, seconds in groups.items()},
        "processes": {label: cell(seconds) for label, seconds in sorted(rows.items())},
        "other_top_processes": top_others(before, after),
    }
