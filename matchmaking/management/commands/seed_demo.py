from django.core.management.base import BaseCommand

from matchmaking.services.demo import demo_accounts, ensure_matches, extend_demo, seed_demo


class Command(BaseCommand):
    help = (
        "Load the demo programme into an empty database: organizations and people, the "
        "catalog (published and matched), and a planned season of docking events."
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
        self.stdout.write("\nSite:  http://127.0.0.1:8000/   Admin: http://127.0.0.1:8000/admin/\n")
