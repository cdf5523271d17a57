"""Triage of reviewed cases: where a scrutiny panel or backlog sweep should look first, and timeliness.

:func:`rank` orders reports by points that a panel can check by eye, each with its reason:

- a suspect-focused line of enquiry still open (a ``suspect`` group item, or ``suspect_account_tested``):
  ``missing`` (never pursued, so it could still be) 2 points, ``outstanding`` 1 point;
- a speculative third-party request 3 points, one that needs justification 1 point;
- a misconception in the police reasoning (myth or stereotype, sexual history, complainant focus) 2 points;
- time since report: 1 point for every full 90 days, at most 4.

Ties go to the case reported earliest. :func:`rank_store` reads the store (effective statuses, so a
reviewer's decision counts) and returns plain dicts for the CLI, JSON and a web page.
:func:`timeliness_stats` and :func:`timeliness_chart` give the report-to-submission distribution beside
the CPS South East pilot's 32-day average.
"""
from __future__ import annotations

import io
import statistics
from datetime import date
from typing import Iterable

SUSPECT_ITEMS_EXTRA = {"suspect_account_tested"}
POINTS = {"missing": 2, "outstanding": 1, "speculative": 3, "needs_justification": 1, "concern": 2,
          "per_90_days": 1, "max_time": 4}
BENCHMARK_DAYS = 32  # CPS South East pilot: average days from report of rape to police file submission
BENCHMARK_LABEL = "CPS South East pilot average (32 days)"
_CONCERN_WORDS = {"myth_or_stereotype": "myth or stereotype", "sexual_history": "sexual history",
                  "complainant_focus": "complainant-focused reasoning"}


def _as_date(value) -> date | None:
    if not value:
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def score_report(report: dict, as_of: date) -> dict:
    """Points and reasons for one report (the ``casefile-review/1`` dict)."""
    reasons: list[dict] = []
    parts = {"suspect_lines": 0, "tpm": 0, "concerns": 0, "time": 0}
    open_missing, open_outstanding = [], []
    for item in report.get("checklist", []):
        if item.get("group") == "suspect" or item["item"] in SUSPECT_ITEMS_EXTRA:
            if item["status"] == "missing":
                open_missing.append(item)
            elif item["status"] == "outstanding":
                open_outstanding.append(item)
    for item in open_missing:
        p = POINTS["missing"]
        parts["suspect_lines"] += p
        reasons.append({"points": p, "kind": "suspect_line", "item": item["item"], "status": "missing",
                        "why": f"{item['item']} not pursued: could still be" + (f" ({item['action']})" if item.get("action") else ""),
                        "pages": sorted({e.get("page") for e in item.get("evidence", []) if e.get("page")})})
    for item in open_outstanding:
        p = POINTS["outstanding"]
        parts["suspect_lines"] += p
        reasons.append({"points": p, "kind": "suspect_line", "item": item["item"], "status": "outstanding",
                        "why": f"{item['item']} outstanding: chase it",
                        "pages": sorted({e.get("page") for e in item.get("evidence", []) if e.get("page")})})
    for r in report.get("tpm_requests", []):
        a = r.get("assessment")
        if a in ("speculative", "needs_justification"):
            p = POINTS[a]
            parts["tpm"] += p
            lacking = [w for k, w in (("reason_stated", "no reason"), ("scope_limited", "no limit"),
                                      ("victim_notified", "no written notice")) if not r.get(k)]
            reasons.append({"points": p, "kind": "tpm", "category": r.get("category"), "assessment": a,
                            "why": f"{a.replace('_', ' ')} {r.get('category')} request"
                                   + (f" ({', '.join(lacking)})" if lacking else ""),
                            "pages": [r["page"]] if r.get("page") else []})
    for c in report.get("concerns", []):
        p = POINTS["concern"]
        parts["concerns"] += p
        reasons.append({"points": p, "kind": "concern", "concern": c.get("kind"),
                        "why": f"{_CONCERN_WORDS.get(c.get('kind'), c.get('kind'))} in the police reasoning",
                        "pages": [c["page"]] if c.get("page") else []})
    tl = report.get("timeline") or {}
    reported = _as_date(tl.get("reported"))
    days = (as_of - reported).days if reported else None
    if days is not None and days >= 0:
        p = min(POINTS["max_time"], days // 90 * POINTS["per_90_days"])
        parts["time"] = p
        reasons.append({"points": p, "kind": "time", "why": f"{days} days since report ({reported.isoformat()})",
                        "pages": []})
    else:
        reasons.append({"points": 0, "kind": "time", "why": "report date not stated", "pages": []})
    reasons.sort(key=lambda r: -r["points"])
    return {"score": sum(parts.values()), "parts": parts, "days_since_report": days,
            "reported": reported.isoformat() if reported else None, "reasons": reasons}


def rank(cases: Iterable[tuple[dict, dict]], as_of: date | str | None = None, top: int | None = None) -> list[dict]:
    """Rank (case row, report) pairs; each result says why it ranks where it does."""
    as_of = _as_date(as_of) or date.today()
    out = []
    for row, report in cases:
        s = score_report(report, as_of)
        out.append({"case": row.get("id") or report["case"]["id"], "reference": row.get("reference") or report["case"]["id"],
                    "area": row.get("area") or "", "pages": report["case"].get("pages"), **s})
    out.sort(key=lambda r: (-r["score"], -(r["days_since_report"] or -1), r["reference"]))
    for i, r in enumerate(out, 1):
        r["rank"] = i
    return out[:top] if top else out


def rank_store(store, area: str | None = None, top: int | None = None, as_of: date | str | None = None) -> list[dict]:
    """The ranking of the store's reviewed cases (one area's, or all) as plain dicts (CLI, JSON, web page)."""
    from .batch import iter_reports

    if as_of is not None and _as_date(as_of) is None:
        raise ValueError(f"--as-of {as_of!r} is not a date (YYYY-MM-DD)")
    return rank(iter_reports(store, area), as_of=as_of, top=top)


def format_ranking(ranking: list[dict]) -> str:
    if not ranking:
        return "no reviewed case in the store"
    lines = []
    for r in ranking:
        p = r["parts"]
        lines.append(f"{r['rank']:>3}. {r['reference']}  [{r['case']}]{'  ' + r['area'] if r['area'] else ''}  "
                     f"score {r['score']} (suspect lines {p['suspect_lines']}, TPM {p['tpm']}, "
                     f"concerns {p['concerns']}, time {p['time']})")
        for why in r["reasons"]:
            if why["points"] or why["kind"] == "time":
                pages = f" p.{','.join(map(str, why['pages']))}" if why["pages"] else ""
                lines.append(f"       +{why['points']} {why['why']}{pages}")
    return "\n".join(lines)


# ---------------------------------------------------------------- timeliness
def timeliness_stats(store, area: str | None = None) -> dict:
    """Report-to-submission days across the store's reviewed cases: median, quartiles and the values."""
    from .batch import iter_reports

    days, missing, inconsistent = [], 0, []
    for row, report in iter_reports(store, area):
        d = (report.get("timeline") or {}).get("days_report_to_submission")
        if not isinstance(d, (int, float)):
            missing += 1
        elif d < 0:  # submitted before it was reported: a date was misread, so it is left out
            inconsistent.append(row.get("reference") or report["case"]["id"])
        else:
            days.append(int(d))
    return summarise_days(days, missing, inconsistent)


def summarise_days(days: list[int], without_dates: int = 0, inconsistent: list[str] | None = None) -> dict:
    """Median and quartiles (inclusive method) of DAYS; negative values belong in INCONSISTENT."""
    days = sorted(days)
    out = {"n": len(days), "days": days, "without_dates": without_dates, "inconsistent": inconsistent or [],
           "benchmark_days": BENCHMARK_DAYS,
           "median": None, "q1": None, "q3": None, "min": None, "max": None, "over_benchmark": None}
    if days:
        q = statistics.quantiles(days, n=4, method="inclusive") if len(days) > 1 else [days[0]] * 3
        out.update(median=statistics.median(days), q1=q[0], q3=q[2], min=days[0], max=days[-1],
                   over_benchmark=sum(d > BENCHMARK_DAYS for d in days))
    return out


def timeliness_chart(stats: dict, fmt: str = "svg") -> bytes:
    """A histogram of report-to-submission days with median, quartiles and the 32-day benchmark."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 4.2), dpi=100)
    ax = fig.add_subplot()
    days = stats["days"]
    if days:
        bins = min(30, max(5, len(set(days))))
        ax.hist(days, bins=bins, color="#5b7fa6", edgecolor="white")
        ax.axvspan(stats["q1"], stats["q3"], color="#5b7fa6", alpha=0.15,
                   label=f"quartiles {stats['q1']:g}-{stats['q3']:g} days")
        ax.axvline(stats["median"], color="#1f3b57", linewidth=2, label=f"median {stats['median']:g} days")
    else:
        ax.text(0.5, 0.5, "no case states both dates", ha="center", va="center", transform=ax.transAxes)
    ax.axvline(BENCHMARK_DAYS, color="#c0392b", linestyle="--", linewidth=2, label=BENCHMARK_LABEL)
    ax.set_xlabel("days from report to submission to the CPS")
    ax.set_ylabel("cases")
    ax.set_title(f"Report to submission: {stats['n']} case(s)"
                 + (f", {stats['without_dates']} without both dates" if stats["without_dates"] else "")
                 + (f", {len(stats['inconsistent'])} with submission before report (left out)"
                    if stats["inconsistent"] else ""))
    ax.set_xlim(left=0)
    from matplotlib.ticker import MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    buf = io.BytesIO()
    meta = {"Date": None} if fmt == "svg" else {"Software": None}
    with matplotlib.rc_context({"svg.hashsalt": "casefile-reviewer"}):
        fig.savefig(buf, format=fmt, metadata=meta)
    return buf.getvalue()
