"""Field accuracy of extraction on randomly drawn template variants (issue #10's "≥ 0.99 on variants").

Each variant draws every template choice of tests/sites/variants.py at random (wrappers, class and id names,
quoting and case, label forms, page-list shapes, image and caption markup, body containers, enpproperty styles,
encodings, line ends, …); the fixed sample issue is rendered through it and parsed by the platform's extractors,
and every field of every page and article (and the byline stage's fields) is compared with the data.

    .venv/bin/python bench/bench_variants.py [--variants 200] [--seed 1]

Prints, per family: variants, fields compared, fields wrong, field accuracy, variants with any error, and the
template choices most often involved in errors.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.sites.variants import (  # noqa: E402
    CHOICES,
    DERIVED_FIELDS,
    Variant,
    expected_article,
    expected_page,
    mismatches,
    sample_issue,
)


def fields_compared(variant: Variant) -> int:
    """How many fields mismatches() compares for a variant's sample issue."""
    issue = sample_issue(variant)
    total = 0
    for page in issue.pages:
        total += len(expected_page(variant, issue, page))
        for article in page.articles:
            total += len(expected_article(variant, issue, page, article)) + len(DERIVED_FIELDS)
    return total


def run(family: str, count: int, rng: random.Random) -> dict:
    """Draw `count` variants of a family and tally what the extractors got wrong."""
    compared = wrong = failed = 0
    blame: Counter[str] = Counter()
    for _ in range(count):
        variant = Variant(family, {name: rng.choice(values) for name, values in CHOICES[family].items()})
        errors = mismatches(variant, sample_issue(variant))
        compared += fields_compared(variant)
        wrong += len(errors)
        if errors:
            failed += 1
            blame.update(f"{k}={v}" for k, v in variant.choices.items() if v != CHOICES[family][k][0])
    return {"family": family, "variants": count, "fields": compared, "wrong": wrong,
            "accuracy": 1 - wrong / compared if compared else 1.0, "failed": failed, "blame": blame.most_common(3)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variants", type=int, default=200, help="variants per family (default 200)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    started = time.perf_counter()
    print(f"{'family':<16} {'variants':>8} {'fields':>8} {'wrong':>6} {'accuracy':>9} {'variants w/ errors':>19}")
    for family in CHOICES:
        r = run(family, args.variants, rng)
        print(f"{family:<16} {r['variants']:>8} {r['fields']:>8} {r['wrong']:>6} {r['accuracy']:>9.4f} "
              f"{r['failed']:>19}" + (f"   most involved: {r['blame']}" if r["failed"] else ""))
    print(f"({time.perf_counter() - started:.0f} s) reproduce: .venv/bin/python bench/bench_variants.py "
          f"--variants {args.variants} --seed {args.seed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
