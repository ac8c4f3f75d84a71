"""Markdown tables for bench_stream.py: the scaling table and where the CPU went."""

from __future__ import annotations

GROUPS = (
    "broker",
    "worker loop",
    "clean",
    "nlp",
    "resource-tracker",
    "bench",
    "other kafka",
    "other",
    "idle",
)


def _pct(cpu: dict, group: str) -> str:
    cell = cpu["groups"].get(group)
    return "–" if cell is None else f"{100 * cell['share']:.0f} %"


def cpu_table(cpu: dict) -> str:
    """One row per process group and per process: core-seconds and share of wall × cores."""
    head = (
        f"CPU over {cpu['wall_s']} s × {cpu['cores']} cores = {cpu['capacity_core_s']} "
        f"core-s (machine busy {cpu['machine_busy_core_s']} core-s)\n\n"
        "| where | core-s | share of wall × cores |\n|---|---:|---:|\n"
    )
    rows = [
        f"| **{name}** | {cell['core_s']} | {100 * cell['share']:.1f} % |"
        for name, cell in sorted(cpu["groups"].items(), key=lambda kv: _order(kv[0]))
    ]
    rows += [
        f"| {name} | {cell['core_s']} | {100 * cell['share']:.1f} % |"
        for name, cell in cpu["processes"].items()
    ]
    others = [
        f"- other: {o['core_s']} core-s, pid {o['pid']} `{o['command'][:80]}`"
        for o in cpu.get("other_top_processes", [])
    ]
    return head + "\n".join(rows) + "\n" + ("\n" + "\n".join(others) + "\n" if others else "")


def _order(group: str) -> int:
    return GROUPS.index(group) if group in GROUPS else len(GROUPS) - 2


def scaling_table(result: dict) -> str:
    """The README table: throughput of each configuration against bare nlp.pipe in as many
    processes, where the CPU went, start-up and memory."""
    bare = result["bare_nlp_pipe_articles_per_s"]
    lines = [
        f"{result['articles']} articles (mean {result['mean_words']} words), "
        f"{result['cores']} cores; bare `nlp.pipe` (mean of before/after): "
        + ", ".join(
            f"{k} process{'es' if k != '1' else ''} {v['mean']}/s" for k, v in bare.items()
        ),
        "",
        "| workers × NLP processes | articles/s | bare nlp.pipe, same processes | ratio "
        "| broker | worker loops | clean | NLP | bench | other | idle "
        "| start → ready (s) | RSS total (MB) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for config in result["configs"]:
        cpu = config["cpu_during_throughput"]
        ready = max(w["start_to_ready_200_s"] or 0 for w in config["workers_detail"])
        rss = sum(w["rss_total_mb"] for w in config["workers_detail"])
        cells = [
            f"{config['workers']} × {config['nlp_processes']}",
            str(config["end_to_end"]["articles_per_s"]),
            str(config["bare_same_processes_mean"]),
            f"{config['end_to_end_over_bare']:.2f}",
            *(_pct(cpu, g) for g in ("broker", "worker loop", "clean", "nlp", "bench")),
            _pct(cpu, "other"),
            _pct(cpu, "idle"),
            f"{ready:.1f}",
            f"{rss:.0f}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        "CPU columns: share of wall time × cores during the all-at-once phase (from /proc); "
        "'other' is machine busy time outside the listed processes; 'ratio' is articles/s "
        "over bare nlp.pipe with workers × NLP processes processes.",
    ]
    return "\n".join(lines) + "\n"
