from django.core.management.base import BaseCommand

from matchmaking.services.demo import demo_accounts, ensure_matches, extend_demo, seed_demo


class Command(BaseCommand):
    help = (
        "Load the demo programme into an empty database: organizations and people, the "
        "catalog (published and matched), and a planned season of docking events."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--site",
            default="http://127.0.0.1:8000",
            help="where the site will be served, for the addresses printed at the end",
        )

    def handle(self, *args, **options) -> None:
        created = seed_demo()
        extended = []
        if created:
            ensure_matches()
            extended = [result for result in extend_demo() if result is not None]
        self.stdout.write(
            self.style.SUCCESS("Demo data loaded.") if created else "Demo data already present."
        )
        for result in extended:
            self.stdout.write(f"Demo event with a published schedule: {result}")
        self.stdout.write("\nDemo accounts (local demo only):")
        for account in demo_accounts():
            self.stdout.write(
                f"  {account.role:<11} {account.email:<26} {account.password:<20} {account.organization}"
            )
        site = options["site"].rstrip("/")
        self.stdout.write(f"\nSite:  {site}/   Admin: {site}/admin/\n")
