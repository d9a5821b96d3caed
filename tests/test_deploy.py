"""Production settings pass Django's deployment checklist with no finding."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _check_deploy(extra_env: dict[str, str]) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))
    }
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings", **extra_env})
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_check_deploy_production_settings_have_no_finding():
    result = _check_deploy(
        {
            "DJANGO_SECRET_KEY": "k9#Qz!v2Lr8@xW4^mT7&pB1*eY6(hN3)sD5_uF0+gJ-aC=oI[]",
            "DJANGO_ALLOWED_HOSTS": "aiplus.example.org",
        }
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_flags_the_development_secret_key():
    result = _check_deploy({"DJANGO_ALLOWED_HOSTS": "aiplus.example.org"})
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr
