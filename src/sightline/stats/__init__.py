"""Pure statistics for reports and validation: NumPy and SciPy only, never Django.

The reporting app fetches counts and calls these functions; nothing here reads a database or knows what
a screening is, so every function is tested with plain pytest against published worked examples.

- `proportions`: a share with a 95% interval (Wilson score, or exact Clopper-Pearson);
- `independence`: are two classifications related? (Pearson's chi-square, Fisher's exact test);
- `summaries`: medians and quantiles, also from {value: count} histograms;
- `suppression`: small-cell and complementary suppression of published tables.
"""

from sightline.stats.independence import IndependenceTest, chi_square, compare_groups, fisher_exact
from sightline.stats.proportions import Proportion, clopper_pearson, proportion, wilson
from sightline.stats.summaries import Median, median, quantile
from sightline.stats.suppression import SuppressedTable, suppress

__all__ = [
    "IndependenceTest",
    "Median",
    "Proportion",
    "SuppressedTable",
    "chi_square",
    "clopper_pearson",
    "compare_groups",
    "fisher_exact",
    "median",
    "proportion",
    "quantile",
    "suppress",
    "wilson",
]
