"""The benchmarks keep working: ``python -m benchmarks --quick`` runs every one at CI size.

This checks that each ran and wrote complete, sane figures. It never checks speed: targets are
printed by the benchmarks and belong to docs/benchmarks.md, not to a test on a shared machine.
What is checked is correctness that holds at any speed: nothing lost, nothing stored twice, the
dashboard's SQL totals equal to the naive ones.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.dashboard_pages import page_names

pytestmark = [pytest.mark.reliability, pytest.mark.postgres, pytest.mark.timeout(900)]

REPO = Path(__file__).resolve().parents[2]
NAMES = ("fanout", "many_bots", "replies", "shared_limit", "ingestion", "dashboard_scale", "memory", "import_file",
         "cli", "scheduler_idle")


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:  # type: ignore[type-arg]
    out = tmp_path_factory.mktemp("bench")
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--results", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=840,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    for name in NAMES:
        assert f"== {name} (quick) ==" in run.stdout, run.stdout[-3000:]
    return {name: json.loads((out / f"{name}.json").read_text()) for name in NAMES}


@pytest.mark.parametrize("name", NAMES)
def test_every_benchmark_writes_its_figures_and_targets(results: dict[str, dict], name: str) -> None:  # type: ignore[type-arg]
    r = results[name]
    assert r["name"] == name and r["quick"] is True
    assert r["sizes"] and r["figures"] and r["targets"]
    assert r["machine"]["cpus"] >= 1
    for target in r["targets"].values():
        assert set(target) == {"value", "limit", "at_least", "met"}


def test_fanout_reaches_everyone_once_under_the_limits(results: dict[str, dict]) -> None:  # type: ignore[type-arg]
    f = results["fanout"]["figures"]
    members = results["fanout"]["sizes"]["members_due_at_the_same_minute"]
    assert f["sent"] == members and f["lost"] == 0 and f["duplicated"] == 0
    assert f["outbox_by_status"] == {"sent": members}
    assert f["messages_per_second"] > 0
    # The server lets at most 30 sends through in any one second, so the k-th prompt cannot leave less
    # than k // 30 seconds after the first. The rate itself may read a little above 30/s on a short run
    # (a first burst of 30 and then the pace), which is why the span is checked, not the rate.
    assert f["seconds"] >= (members - 1) // 30 * 0.95


def test_many_bots_reach_everyone_once_through_their_production_s_bot(results: dict[str, dict]) -> None:  # type: ignore[type-arg]
    f, sizes = results["many_bots"]["figures"], results["many_bots"]["sizes"]
    members, bots = sizes["members_due_at_the_same_minute"], sizes["bots"]
    assert f["sent"] == members and f["lost"] == 0 and f["duplicated"] == 0 and f["crossed"] == 0
    assert f["outbox_by_status"] == {"sent": members}
    assert len(f["per_bot"]) == bots and all(b["sent"] > 0 for b in f["per_bot"].values())
    assert sum(b["sent"] for b in f["per_bot"].values()) == members
    # Each bot lets at most 30 sends through in any one second (the server refuses more).
    assert all(b["seconds"] >= (b["sent"] - 1) // 30 * 0.95 for b in f["per_bot"].values())


def test_ingestion_stores_every_answer_once_on_both_stores(results: dict[str, dict]) -> None:  # type: ignore[type-arg]
    r = results["ingestion"]
    f, sizes = r["figures"], r["sizes"]
    for backend in ("sqlite", "postgresql"):
        g = f[f"greenslate_{backend}"]
        assert g["stored"] == g["expected"]
        assert g["expected"]["burst"] == sizes["burst_answers"] and g["expected"]["steady"] == sizes["steady_answers"]
        assert g["steady_at_half_capacity"]["latency"]["count"] == g["expected"]["easy"] > 0
        assert g["stored_twice"] == 0 and f[f"{backend}_answers_not_stored"] == 0
        assert g["burst"]["confirmed"] == sizes["burst_answers"]
        assert g["steady"]["latency"]["count"] == sizes["steady_answers"]
        assert f[f"{backend}_over_echo_throughput_ratio"] > 0
    assert f["echo"]["burst"]["confirmed"] == sizes["burst_answers"]


def test_dashboard_sql_totals_equal_the_naive_totals(results: dict[str, dict]) -> None:  # type: ignore[type-arg]
    r = results["dashboard_scale"]
    assert r["figures"]["totals_agree_with_naive"] is True
    assert r["figures"]["kept_sums_equal_lines"] is True  # the sums kept on write, row for row
    assert r["sizes"]["reports"] == r["sizes"]["members"] * r["sizes"]["shooting_days"] * 3
    for page in ("overview", "plan", "reporting", "reports"):
        assert r["figures"][f"page_{page}"]["count"] == r["sizes"]["samples_per_page"]
    for page in page_names():  # every page as served, the set-up pages and the call sheet included
        served = r["figures"][f"served_{page}"]
        assert served["count"] == r["sizes"]["samples_per_page"] and served["largest_bytes"] > 0


def test_memory_is_read_from_a_process_that_did_the_work(results: dict[str, dict]) -> None:  # type: ignore[type-arg]
    f = results["memory"]["figures"]
    for backend in ("sqlite", "postgresql"):
        assert f[backend]["all_prompted"] and f[backend]["all_answered"]
        assert f[backend]["peak_rss_mib"] >= f[backend]["rss_at_start_mib"] > 0


def test_import_file_stores_each_row_once_on_both_stores(results: dict[str, dict]) -> None:  # type: ignore[type-arg]
    r = results["import_file"]
    for backend in ("sqlite", "postgresql"):
        figures = r["figures"][backend]
        assert all(figures[f"{way}_rows_per_s"] > 0 for way in ("check", "first", "again")), figures


def test_cli_timed_real_commands_that_did_their_work(results: dict[str, dict]) -> None:  # type: ignore[type-arg]
    r = results["cli"]
    f, runs = r["figures"], r["sizes"]["runs_per_command"]
    for command in ("libraries_floor", "help", "balance", "report_add"):
        assert f[command]["runs"] == runs
        assert 0 < f[command]["wall_min_s"] <= f[command]["wall_median_s"] <= f[command]["wall_max_s"]
        assert f[command]["cpu_median_s"] > 0
    assert f["report_add_stored"] == runs  # every timed `report add` stored a new figure
    assert f["balance_names_its_factor_set"] is True


def test_replies_confirm_every_answer_once_within_the_limits(results: dict[str, dict]) -> None:  # type: ignore[type-arg]
    r = results["replies"]
    f, members = r["figures"], r["sizes"]["members_due_at_the_same_minute"]
    assert f["answers"] == members == f["answers_stored"]
    assert f["answers_stored_twice"] == 0 and f["members_not_prompted"] == 0 and f["answers_unconfirmed"] == 0
    assert f["fanout"]["prompts_sent"] == members
    assert f["fanout"]["confirmation_latency"]["count"] == f["fanout"]["answers_during_fanout"] > 0
    assert f["wrap"]["confirmed"] == f["wrap"]["answers_at_once"] == members - f["fanout"]["answers_during_fanout"]
    for phase in ("fanout", "wrap"):
        assert f[phase]["most_messages_in_one_second"] <= 30  # the server's own count


def test_shared_limit_reaches_everyone_once_from_three_processes(results: dict[str, dict]) -> None:  # type: ignore[type-arg]
    r = results["shared_limit"]
    members = r["sizes"]["members_due_at_the_same_minute"]
    for way in ("shared", "each_on_its_own"):
        f = r["figures"][way]
        assert f["lost"] == 0 and f["doubled"] == 0 and f["outbox_by_status"] == {"sent": members}
        assert sum(f["prompts_sent_by"].values()) == members
    shared = r["figures"]["shared"]
    # Telegram's limits, from the server's own count: never 31 in a second, never a 429, whoever sent.
    assert shared["http_429"] == 0 and shared["most_messages_in_one_second"] <= 30
    assert shared["answers_unconfirmed"] == 0
    assert shared["confirmation_latency"]["count"] == shared["answers_during_fanout"] > 0
    assert all(n > 0 for n in shared["prompts_sent_by"].values())  # the three processes each sent
    alone = r["figures"]["limiter_alone"]
    assert alone["messages"] == members and alone["lost"] == alone["doubled"] == 0
    assert alone["errors_to_the_senders"] == [] and alone["refused_to_the_senders"] == 0
    assert alone["http_429"] == 0 and alone["most_messages_in_one_second"] <= 30
    assert alone["seconds"] >= (members - 1) // 30 * 0.95  # no faster than 30 a second, as the server counts


def test_scheduler_idle_ticks_did_nothing_both_ways(results: dict[str, dict]) -> None:  # type: ignore[type-arg]
    f = results["scheduler_idle"]["figures"]
    for way in ("every_tick_plans_every_production", "planned_at_the_next_change"):
        assert f[way]["ticks"] > 0 and f[way]["cpu_per_tick_mean_ms"] > 0
        assert f[way]["recorded"] == 0 and f[way]["sent"] == 0
    assert results["scheduler_idle"]["sizes"]["outbox_rows_before"] > 0
