"""Pure statistics for reports and validation: NumPy and SciPy only, never Django.

The reporting app fetches counts and calls these functions; nothing here reads a database or knows what
a screening is, so every function is tested with plain pytest against published worked examples.

- `proportions`: a share with a 95% interval (Wilson score, or exact Clopper-Pearson);
- `independence`: are two classifications related? (Pearson's chi-square, Fisher's exact test);
- `summaries`: medians and quantiles, also from {value: count} histograms;
- `suppression`: small-cell and complementary suppression of published tables.
"""

from sightline.stats.accuracy import (
    DiagnosticAccuracy,
    TwoByTwo,
    accuracy_from_counts,
    diagnostic_accuracy,
    two_by_two,
)
from sightline.stats.agreement import (
    ICC_FORMS,
    Icc,
    Kappa,
    cohen_kappa,
    cohen_kappa_table,
    fleiss_kappa,
    icc,
    icc_all,
)
from sightline.stats.dif import ItemDif, LogisticFit, dif, logistic_regression, nagelkerke_r2
from sightline.stats.estimates import Estimate
from sightline.stats.groups import GroupComparison, GroupShare, prevalence_by_group
from sightline.stats.independence import IndependenceTest, chi_square, compare_groups, fisher_exact
from sightline.stats.proportions import Proportion, clopper_pearson, proportion, wilson
from sightline.stats.reliability import ItemStatistics, Reliability, cronbach_alpha
from sightline.stats.roc import (
    AucComparison,
    Cutoff,
    RocCurve,
    RocResult,
    auc_delong,
    compare_auc,
    roc,
)
from sightline.stats.summaries import Median, median, quantile
from sightline.stats.suppression import SuppressedTable, suppress

__all__ = [
    "ICC_FORMS",
    "AucComparison",
    "Cutoff",
    "DiagnosticAccuracy",
    "Estimate",
    "GroupComparison",
    "GroupShare",
    "Icc",
    "IndependenceTest",
    "ItemDif",
    "ItemStatistics",
    "Kappa",
    "LogisticFit",
    "Median",
    "Proportion",
    "Reliability",
    "RocCurve",
    "RocResult",
    "SuppressedTable",
    "TwoByTwo",
    "accuracy_from_counts",
    "auc_delong",
    "chi_square",
    "clopper_pearson",
    "cohen_kappa",
    "cohen_kappa_table",
    "compare_auc",
    "compare_groups",
    "cronbach_alpha",
    "diagnostic_accuracy",
    "dif",
    "fisher_exact",
    "fleiss_kappa",
    "icc",
    "icc_all",
    "logistic_regression",
    "median",
    "nagelkerke_r2",
    "prevalence_by_group",
    "proportion",
    "quantile",
    "roc",
    "suppress",
    "two_by_two",
    "wilson",
]
