from django.core.management.base import BaseCommand

from matchmaking.services.demo import demo_accounts, seed_demo


class Command(BaseCommand):
    help = "Load the demo programme (organizations, people, catalog) into an empty database."

    def handle(self, *args, **options) -> None:
        created = seed_demo()
        self.stdout.write(
            self.style.SUCCESS("Demo data loaded.") if created else "Demo data already present."
        )
        self.stdout.write("\nDemo accounts (local demo only):")
        for account in demo_accounts():
            self.stdout.write(
                f"  {account.role:<11} {account.email:<26} {account.password:<20} {account.organization}"
            )
        self.stdout.write("\nSite:  http://127.0.0.1:8000/   Admin: http://127.0.0.1:8000/admin/\n")
