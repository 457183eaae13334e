"""A study as JSON-ready data and as a short text summary (for `sightline validate`)."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from sightline.validation.study import SMALL_GROUP, Study


def as_data(value: Any) -> Any:
    """Dataclasses, NumPy arrays and scalars as plain JSON values; inf and NaN become None."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: as_data(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): as_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [as_data(v) for v in value]
    if isinstance(value, np.ndarray):
        return [as_data(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        return as_data(value.item())
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    return value


def _figure(estimate: float | None, low: float | None, high: float | None, n: int) -> str:
    """ "estimate (low-high) n=..", with '*' when the figure rests on fewer than SMALL_GROUP youth."""
    mark = " *" if n < SMALL_GROUP else ""
    if estimate is None:
        return f"-  (n={n:,}){mark}"
    if low is None or high is None:
        return f"{estimate:.3f}  (n={n:,}){mark}"
    return f"{estimate:.3f} ({low:.3f}-{high:.3f})  n={n:,}{mark}"


def summary(study: Study) -> str:
    """Every headline figure with its interval and n, small groups marked with '*'."""
    lines = [f"Validation study of {study.instrument} against {study.reference}: {study.n:,} youth"]
    if study.reliability is not None:
        a = study.reliability.alpha
        lines.append(f"  Cronbach's alpha (listwise)  {_figure(a.estimate, a.low, a.high, a.n)}")
    for cut in study.cutoffs:
        acc = cut.accuracy
        lines.append(f"  At {cut.level} and above:")
        for name in ("sensitivity", "specificity", "ppv", "npv"):
            p = getattr(acc, name)
            lines.append(f"    {name:<12} {_figure(p.estimate, p.low, p.high, p.n)}")
        for name in ("lr_positive", "lr_negative"):
            e = getattr(acc, name)
            lines.append(f"    {name:<12} {_figure(e.estimate, e.low, e.high, e.n)}")
    if study.roc is not None:
        auc, best = study.roc.auc, study.roc.youden
        lines.append(f"  ROC AUC (DeLong)  {_figure(auc.estimate, auc.low, auc.high, auc.n)}")
        lines.append(
            f"  Youden cut-off: total >= {best.threshold:g} "
            f"(sensitivity {best.sensitivity:.3f}, specificity {best.specificity:.3f})"
        )
    if study.agreement:
        lines.append(
            "  Agreement of double screens by role pair (weighted kappa of levels; ICC1 of totals):"
        )
        for pair in study.agreement:
            k = pair.kappa.kappa if pair.kappa is not None else None
            mark = " *" if pair.small else ""
            kappa = _figure(k.estimate, k.low, k.high, k.n) if k is not None else "-"
            icc = pair.icc.icc if pair.icc is not None else None
            icc_text = _figure(icc.estimate, icc.low, icc.high, icc.n) if icc is not None else "-"
            lines.append(f"    {pair.roles}{mark}: kappa {kappa}; ICC {icc_text}")
    for fairness in study.fairness:
        lines.append(
            f"  Sensitivity / specificity at the first concern level by {fairness.dimension}:"
        )
        for row in fairness.accuracy:
            mark = " *" if row.small else ""
            se, sp = row.accuracy.sensitivity, row.accuracy.specificity
            lines.append(
                f"    {row.group}{mark}: sens {_figure(se.estimate, se.low, se.high, se.n)}; "
                f"spec {_figure(sp.estimate, sp.low, sp.high, sp.n)}"
            )
    flagged = [
        f"{study.indicators[d.item]} (ΔR² {d.effect.estimate:.3f}, p {d.total.p_value:.2g})"
        for d in study.dif
        if d.total.p_value < 0.01 and d.effect.estimate is not None and d.effect.estimate >= 0.035
    ]
    if study.dif:
        lines.append(
            "  DIF by gender group (p < 0.01 and Nagelkerke ΔR² >= 0.035): "
            + (", ".join(flagged) if flagged else "none")
        )
    lines.append(f"  * fewer than {SMALL_GROUP} youth: shown, but interpret with care")
    return "\n".join(lines)
