from django.core.management.base import BaseCommand

from matchmaking.services.weights import fit_weights


class Command(BaseCommand):
    help = (
        "Fit the weights of the score's components (text, industry, capabilities, "
        "deployment, budget, maturity) per industry domain from what came of past matches "
        "(introductions, meetings, NDA/pilot/contract, ratings, “not interested”). Each "
        "domain's fit is compared with the weights in use on held-out needs by nDCG@10 and "
        "adopted only when it does better; every fit is kept with its figures (admin: "
        "learned weight sets), and a full re-match is queued when weights changed."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--margin", type=float, default=0.02, help="nDCG@10 gain needed (default 0.02)"
        )
        parser.add_argument(
            "--min-queries",
            type=int,
            default=10,
            help="needs with a relevant outcome needed to fit a domain (default 10)",
        )

    def handle(self, *args, **options) -> None:
        results = fit_weights(margin=options["margin"], min_queries=options["min_queries"])
        if not results:
            self.stdout.write("No matched pairs yet: nothing to learn from.")
        for weight_set in results:
            figures = weight_set.evaluation
            verdict = "adopted" if weight_set.adopted else f"kept the current ({figures['reason']})"
            self.stdout.write(
                f"{weight_set.domain.code}: nDCG@10 on {figures['test_queries']} held-out needs "
                f"{figures['ndcg_at_10_current']:.4f} (current) → "
                f"{figures['ndcg_at_10_fitted']:.4f} (fitted); {verdict}"
            )
