"""A finished study's result JSON as sections of tables and charts, for the report page and the PDF.

Everything here reads the stored result only (never the database), so the page, the PDF and the JSON
download show the same figures, and none of them can show what the result does not hold. Every figure
is written with its interval and n; a group under the result's `small_group` youth is marked "*" and
shown, never hidden; a figure the data do not define is a dash, never 0.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from matplotlib.figure import Figure

from sightline.reporting import charts

MISSING = "\u2013"  # an en dash
DASH = "\u2013"
DIF_P = 0.01
DIF_EFFECT = 0.035  # Jodoin & Gierl 2001: negligible below
DIMENSIONS = {
    "gender_group": "gender",
    "race_ethnicity": "race / ethnicity",
    "age_band": "age band",
    "agency_type": "agency type",
}
ACCURACY_FIGURES = (
    ("sensitivity", "Sensitivity"),
    ("specificity", "Specificity"),
    ("ppv", "Positive predictive value"),
    ("npv", "Negative predictive value"),
    ("lr_positive", "Likelihood ratio +"),
    ("lr_negative", "Likelihood ratio \u2212"),
    ("prevalence", "Criterion prevalence"),
    ("accuracy", "Accuracy"),
)


def number(value: float | None, digits: int = 3) -> str:
    return MISSING if value is None else f"{value:.{digits}f}"


def interval(figure: dict[str, Any] | None) -> str:
    if not figure or figure.get("low") is None or figure.get("high") is None:
        return MISSING
    return f"{figure['low']:.3f}{DASH}{figure['high']:.3f}"


@dataclass(frozen=True)
class Section:
    """One table (with an optional chart beside it): its columns, rows and which rows are small."""

    key: str
    title: str
    note: str
    columns: tuple[str, ...]
    rows: Sequence[tuple[str, ...]]
    small: list[bool] = field(default_factory=list)
    chart: Callable[[], Figure] | None = None
    chart_alt: str = ""


def _figure_row(label: str, figure: dict[str, Any] | None, small_n: int) -> tuple[str, ...]:
    n = int(figure["n"]) if figure else 0
    mark = " *" if n < small_n else ""
    estimate = figure["estimate"] if figure else None
    return (label + mark, number(estimate), interval(figure), f"{n:,}")


def _level_labels(result: dict[str, Any]) -> dict[str, str]:
    return {level["code"]: level["label"] for level in result["levels"]}


def _indicator(result: dict[str, Any], index: int) -> str:
    code = result["study"]["indicators"][index]
    return str(result.get("indicator_titles", {}).get(code, code))


def _reliability(result: dict[str, Any]) -> list[Section]:
    reliability = result["study"]["reliability"]
    if reliability is None:
        return [
            Section(
                "reliability",
                "Reliability",
                "Fewer than two youth answered every indicator.",
                (),
                [],
            )
        ]
    alpha = reliability["alpha"]
    rows = [
        (
            _indicator(result, item["index"]),
            number(item["item_total"]),
            number(item["alpha_if_deleted"]),
        )
        for item in reliability["items"]
    ]
    return [
        Section(
            "reliability",
            "Reliability: Cronbach's alpha",
            f"Alpha {number(alpha['estimate'])} (95% interval {interval(alpha)}, Feldt), "
            f"n = {alpha['n']:,} youth who answered every indicator (NEI and unanswered are missing, "
            "listwise).",
            ("Indicator", "Corrected item\u2013total correlation", "Alpha if deleted"),
            rows,
        )
    ]


def _cutoffs(result: dict[str, Any]) -> list[Section]:
    labels = _level_labels(result)
    small_n = int(result["small_group"])
    sections = []
    for cut in result["study"]["cutoffs"]:
        accuracy = cut["accuracy"]
        counts = accuracy["counts"]
        rows = [_figure_row(title, accuracy[name], small_n) for name, title in ACCURACY_FIGURES]
        sections.append(
            Section(
                f"cutoff-{cut['level']}",
                f"Accuracy at “{labels.get(cut['level'], cut['level'])}” and above",
                f"Screen positive at this level or higher. 2\u00d72: {counts['true_positive']:,} true "
                f"positive, {counts['false_positive']:,} false positive, "
                f"{counts['false_negative']:,} false negative, {counts['true_negative']:,} true "
                "negative. Proportions with exact (Clopper-Pearson) intervals, likelihood ratios with "
                "the log method.",
                ("Figure", "Estimate", "95% interval", "n"),
                rows,
                [row[0].endswith("*") for row in rows],
            )
        )
    return sections


def _roc(result: dict[str, Any]) -> list[Section]:
    roc = result["study"]["roc"]
    if roc is None:
        return [
            Section("roc", "ROC of the total", "The criterion has only one value here.", (), [])
        ]
    auc, best = roc["auc"], roc["youden"]
    curve = roc["curve"]
    rows = [
        ("AUC (DeLong)", number(auc["estimate"]), interval(auc), f"{auc['n']:,}"),
        ("Criterion positive", "", "", f"{roc['n_positive']:,}"),
        ("Criterion negative", "", "", f"{roc['n_negative']:,}"),
        (
            f"Youden cut-off: total ≥ {best['threshold']:g}",
            f"sens {best['sensitivity']:.3f} / spec {best['specificity']:.3f}",
            "",
            f"{auc['n']:,}",
        ),
    ]

    def chart() -> Figure:
        return charts.roc_curve(
            curve["fpr"],
            curve["tpr"],
            label=f"Total score, AUC {number(auc['estimate'])}",
            marked=(
                1 - best["specificity"],
                best["sensitivity"],
                f"total ≥ {best['threshold']:g}",
            ),
        )

    return [
        Section(
            "roc",
            "Across all cut-offs: ROC of the total score",
            "Each point is one cut-off of the total (positive when total ≥ cut-off).",
            ("Figure", "Estimate", "95% interval", "n"),
            rows,
            chart=chart,
            chart_alt=(
                f"ROC curve of the total score against the criterion; AUC {number(auc['estimate'])} "
                f"({interval(auc)}); the Youden-optimal cut-off is total ≥ {best['threshold']:g}."
            ),
        )
    ]


def _agreement(result: dict[str, Any]) -> list[Section]:
    rows, small = [], []
    for pair in result["study"]["agreement"]:
        kappa = pair["kappa"]["kappa"] if pair["kappa"] else None
        icc = pair["icc"]["icc"] if pair["icc"] else None
        rows.append(
            (
                pair["roles"].replace("_", " ") + (" *" if pair["small"] else ""),
                f"{pair['n']:,}",
                number(kappa and kappa["estimate"]),
                interval(kappa),
                number(icc and icc["estimate"]),
                interval(icc),
            )
        )
        small.append(bool(pair["small"]))
    return [
        Section(
            "agreement",
            "Agreement between screeners of the same youth, by role pair",
            f"{result['pairs']:,} pairs: a youth's first screening in the period and the next one by "
            f"another screener within {result['parameters']['agreement_window_days']} days. "
            "Linearly weighted kappa of the levels; ICC(1) of the totals.",
            ("Roles", "Pairs (n)", "Kappa", "95% interval", "ICC(1)", "95% interval"),
            rows,
            small,
        )
    ]


def _fairness(result: dict[str, Any]) -> list[Section]:
    small_n = int(result["small_group"])
    first = result["levels"][1]["label"] if len(result["levels"]) > 1 else ""
    sections = []
    for fairness in result["study"]["fairness"]:
        name = DIMENSIONS.get(fairness["dimension"], fairness["dimension"])
        prevalence = {g["group"]: g["share"] for g in fairness["prevalence"]["groups"]}
        rows, small = [], []
        for row in fairness["accuracy"]:
            acc = row["accuracy"]
            se, sp = acc["sensitivity"], acc["specificity"]
            share = prevalence.get(row["group"])
            rows.append(
                (
                    str(row["group"]).replace("_", " ") + (" *" if row["small"] else ""),
                    f"{se['n'] + sp['n']:,}",
                    f"{number(se['estimate'])} ({interval(se)}) n={se['n']:,}",
                    f"{number(sp['estimate'])} ({interval(sp)}) n={sp['n']:,}",
                    f"{number(share and share['estimate'])} ({interval(share)})",
                )
            )
            small.append(bool(row["small"]))
        test = fairness["prevalence"]["test"]
        test_text = (
            f" Criterion prevalence differs between groups: {test['method'].replace('_', ' ')}, "
            f"p = {test['p_value']:.3g}."
            if test
            else ""
        )

        def chart(fairness: dict[str, Any] = fairness, name: str = name) -> Figure:
            points = []
            for row in fairness["accuracy"]:
                for key, short in (("sensitivity", "sens"), ("specificity", "spec")):
                    p = row["accuracy"][key]
                    points.append(
                        (
                            f"{str(row['group']).replace('_', ' ')} · {short}",
                            p["estimate"],
                            p["low"],
                            p["high"],
                            int(p["n"]),
                            int(p["n"]) < small_n,
                        )
                    )
            return charts.interval_bars(
                points, xlabel=f"Sensitivity and specificity by {name}, with 95% interval"
            )

        sections.append(
            Section(
                f"fairness-{fairness['dimension']}",
                f"Fairness by {name}",
                f"Accuracy at “{first}” and above in each group." + test_text,
                ("Group", "Youth (n)", "Sensitivity", "Specificity", "Criterion prevalence"),
                rows,
                small,
                chart=chart,
                chart_alt=f"Sensitivity and specificity by {name}, each with its 95% interval; "
                "hollow points rest on fewer than "
                f"{small_n} youth.",
            )
        )
    return sections


def _dif(result: dict[str, Any]) -> list[Section]:
    sections = []
    for by in result["study"].get("dif_by_dimension", []):
        name = DIMENSIONS.get(by["dimension"], by["dimension"])
        rows, flagged = [], []
        for item in by["items"]:
            effect = item["effect"]["estimate"]
            flag = item["total"]["p_value"] < DIF_P and effect is not None and effect >= DIF_EFFECT
            rows.append(
                (
                    _indicator(result, item["item"]) + (" ⚑" if flag else ""),
                    f"{item['total']['statistic']:.2f} ({item['total']['df']})",
                    f"{item['total']['p_value']:.3g}",
                    number(effect),
                    "yes" if item["converged"] else "no (separation)",
                    f"{item['n']:,}",
                )
            )
            flagged.append(flag)
        shown = [r[0] for r, f in zip(rows, flagged, strict=True) if f]
        sections.append(
            Section(
                f"dif-{by['dimension']}",
                f"Differential item functioning by {name}",
                "Logistic-regression DIF (uniform and non-uniform, 2(g\u22121) df), Nagelkerke ΔR² as "
                f"effect size; ⚑ = p < {DIF_P} and ΔR² ≥ {DIF_EFFECT}: "
                + (", ".join(s.rstrip(" ⚑") for s in shown) if shown else "none")
                + ".",
                ("Indicator", "χ² (df)", "p", "ΔR²", "Converged", "n"),
                rows,
                flagged,
            )
        )
    return sections


def sections(result: dict[str, Any]) -> list[Section]:
    """Every section of a finished study's report, in reading order."""
    return [
        *_reliability(result),
        *_cutoffs(result),
        *_roc(result),
        *_agreement(result),
        *_fairness(result),
        *_dif(result),
    ]


def _kind_label(kind: str) -> str:
    from sightline.validation.choices import CriterionKind

    return str(dict(CriterionKind.choices).get(kind, kind)).lower()


def headline(result: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) pairs for the top of the report."""
    p = result["parameters"]
    study = result["study"]
    return [
        ("Instrument", f"{p['instrument_id']} version {p['instrument_version']}"),
        ("Period (screening dates)", f"{p['period_start']} to {p['period_end']}"),
        (
            "Criterion",
            f"{p['criterion_source']}"
            + (f" ({_kind_label(p['criterion_kind'])})" if p.get("criterion_kind") else "")
            + f", within {p['window_days']} days of the screening",
        ),
        ("Youth studied (index screenings with a criterion)", f"{study['n']:,}"),
        (
            "De-identified rows read",
            f"{result['snapshot']['screenings']:,} screenings, "
            f"{result['snapshot']['criterion_records']:,} criterion records",
        ),
        ("Data snapshot (SHA-256)", result["snapshot"]["sha256"]),
    ]
