"""The simulated users of the load test (locust). Run through `loadtest/run.py`.

The mix (select the classes on the command line; weights set their shares):

* `Visitor` (anonymous): catalog lists, filtered lists, need and solution details;
* `Provider` (provider@example.com): the 匹配需求 page `/matches/needs/`, filtered
  and sorted, need details, the introductions inbox;
* `Enterprise` (the demo enterprises' owners, enterprise@example.com first): submit a
  need through the form at `/my/needs/new/`, accept a pending introduction at
  `/interests/<id>/`, their own needs, solution details;
* `HealthProbe`: one probe of `/healthz` every half second, like a monitor.

For the throughput comparison `TrivialView` (only `/healthz`) and `CatalogPage`
(only `/needs/`) run alone, without think time. `NeedSubmitter` is the burst: every
user signs in, waits until all have, then all submit one need at the same moment.

Every simulated user signs in once (in `on_start`), so neither the login lockout
(django-axes) nor password hashing is what the mix measures. Each submitted need
carries a unique marker in its title, so that the database can be asked afterwards
whether every submission was stored exactly once.

Input and output go through files named by the environment: LOADTEST_PLAN (written
by `loadtest.prepare plan`) and LOADTEST_RESULTS (written when locust quits: every
request's start, duration and outcome, the markers, the accepted introductions).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
from collections import defaultdict, deque
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import gevent
from gevent.event import Event
from locust import FastHttpUser, between, constant, constant_pacing, events, task

PLAN = json.loads(Path(os.environ["LOADTEST_PLAN"]).read_text(encoding="utf-8"))
RESULTS = os.environ.get("LOADTEST_RESULTS", "")
RUN = os.environ.get("LOADTEST_RUN", "run")
THINK = tuple(float(value) for value in os.environ.get("LOADTEST_THINK", "1,3").split(","))
USERS = int(os.environ.get("LOADTEST_USERS", "0"))
BURST_USERS = int(os.environ.get("LOADTEST_BURST_USERS", "0"))
BURST_WAIT = float(os.environ.get("LOADTEST_BURST_WAIT", "900"))

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
MY_NEED = re.compile(r"^(?:https?://[^/]+)?/my/needs/(\d+)/$")
DEADLINE = (datetime.now(UTC) + timedelta(days=180)).date().isoformat()
# Which page, filter or record a user picks next: load-test traffic, not secrets.
RANDOM = random.Random()  # noqa: S311


class State:
    """What the users of this locust process share (one process: no locks needed)."""

    samples: dict[str, list] = defaultdict(list)
    failures: list[dict] = []
    attempted_markers: list[str] = []
    submitted_markers: list[str] = []
    accepted_interests: list[int] = []
    marker_numbers = itertools.count(1)
    enterprise_numbers = itertools.count()
    introductions = {
        account["email"]: deque(account["interests"]) for account in PLAN["enterprises"]
    }
    users_ready = 0
    ready_at: float | None = None
    burst_arrived = 0
    burst_answered = 0
    burst_go = Event()
    burst_released_at: float | None = None
    burst_last_answer_at: float | None = None


@events.request.add_listener
def _record(
    request_type, name, response_time, response_length, response=None, exception=None, **kwargs
):
    status = getattr(response, "status_code", 0) or 0
    State.samples[name].append(
        [
            kwargs.get("start_time") or time.time(),
            round(response_time, 3),
            exception is None,
            status,
        ]
    )
    if exception is not None and len(State.failures) < 200:
        State.failures.append(
            {"name": name, "status": status, "error": str(exception)[:300], "at": time.time()}
        )


@events.quitting.add_listener
def _write_results(environment, **kwargs):
    if not RESULTS:
        return
    Path(RESULTS).write_text(
        json.dumps(
            {
                "samples": State.samples,
                "failures": State.failures,
                "attempted_markers": State.attempted_markers,
                "submitted_markers": State.submitted_markers,
                "accepted_interests": State.accepted_interests,
                "ready_at": State.ready_at,
                "quit_at": time.time(),
                "burst": {
                    "users": BURST_USERS,
                    "arrived": State.burst_arrived,
                    "answered": State.burst_answered,
                    "released_at": State.burst_released_at,
                    "last_answer_at": State.burst_last_answer_at,
                },
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )


def csrf_token(response) -> str:
    match = CSRF.search(response.text or "")
    return match.group(1) if match else ""


def next_marker(kind: str) -> str:
    """A title no other need has: the database is asked later how often it was stored."""
    marker = f"压测需求 {RUN} {kind}{next(State.marker_numbers):05d}"
    State.attempted_markers.append(marker)
    return marker


def need_form(title: str, token: str) -> str:
    """The fields of the need form, complete enough to submit for review."""
    capabilities = RANDOM.sample(PLAN["capability_ids"], 2)
    return urlencode(
        [
            ("csrfmiddlewaretoken", token),
            ("title", title),
            ("industry", RANDOM.choice(PLAN["industry_ids"])),
            *(("capabilities", pk) for pk in capabilities),
            ("summary", "产线外观缺陷自动检测，替代人工目检，需对接现有 MES。"),
            ("description", "两条产线，每班 8 小时；现有工业相机 6 台，历史缺陷图片约 2 万张。"),
            ("deployment", "on_premise"),
            ("data_readiness", "partial"),
            ("region", "上海市徐汇区"),
            ("confidentiality", "members"),
            ("budget_min", "30"),
            ("budget_max", "80"),
            ("deadline", DEADLINE),
            ("contact_name", "刘经理"),
            ("contact_phone", "138 0013 8000"),
            ("contact_email", "liu@example.com"),
            ("action", "submit"),
        ]
    )


class SiteUser(FastHttpUser):
    abstract = True
    wait_time = between(*THINK)

    def on_start(self) -> None:
        self.sign_in()
        State.users_ready += 1
        if USERS and State.users_ready == USERS:
            State.ready_at = time.time()

    def sign_in(self) -> None:
        """Anonymous by default; signed-in users log in once, through the real form."""

    def log_in(self, email: str) -> bool:
        token = csrf_token(self.client.get("/accounts/login/", name="/accounts/login/ (form)"))
        with self.client.post(
            "/accounts/login/",
            data=urlencode(
                {"username": email, "password": PLAN["password"], "csrfmiddlewaretoken": token}
            ),
            headers=FORM,
            name="/accounts/login/ (sign in)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login as {email} answered {response.status_code}")
                return False
            response.success()
        return True

    def submit_need(self, kind: str, token: str, name: str) -> str:
        """Post the form with action=submit; returns where it led (empty on failure)."""
        marker = next_marker(kind)
        with self.client.post(
            "/my/needs/new/",
            data=need_form(marker, token),
            headers=FORM,
            name=name,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            location = response.headers.get("Location", "") if response.headers else ""
            if response.status_code == 302 and MY_NEED.match(location):
                response.success()
                State.submitted_markers.append(marker)
            else:
                errors = re.findall(
                    r'class="[^"]*error[^"]*"[^>]*>([^<]{1,120})', response.text or ""
                )
                response.failure(f"{response.status_code} {location} {errors[:3]}")
                location = ""
        return location


class Visitor(SiteUser):
    """Anyone: browses and filters the public catalog."""

    weight = 6

    @task(3)
    def need_list(self) -> None:
        self.client.get("/needs/", name="/needs/")

    @task(2)
    def need_list_filtered(self) -> None:
        query = RANDOM.choice(
            [
                {"industry": RANDOM.choice(PLAN["industry_codes"]), "ordering": "-published"},
                {"capability": RANDOM.choice(PLAN["capability_codes"])},
                {"budget_from": 20, "deployment": "on_premise", "ordering": "-budget"},
                {"q": "质检", "page": 1},
            ]
        )
        self.client.get(f"/needs/?{urlencode(query)}", name="/needs/?filter")

    @task(4)
    def need_detail(self) -> None:
        self.client.get(f"/needs/{RANDOM.choice(PLAN['needs'])}/", name="/needs/<id>/")

    @task(2)
    def solution_list(self) -> None:
        self.client.get("/solutions/", name="/solutions/")

    @task(1)
    def solution_list_filtered(self) -> None:
        query = RANDOM.choice(
            [
                {"deployment": "on_premise", "ordering": "price"},
                {"industry": RANDOM.choice(PLAN["industry_codes"])},
                {"filed": "true", "capability": RANDOM.choice(PLAN["capability_codes"])},
            ]
        )
        self.client.get(f"/solutions/?{urlencode(query)}", name="/solutions/?filter")

    @task(3)
    def solution_detail(self) -> None:
        self.client.get(f"/solutions/{RANDOM.choice(PLAN['solutions'])}/", name="/solutions/<id>/")


class Provider(SiteUser):
    """The demo provider: reads the needs matched to its solutions."""

    weight = 2

    def sign_in(self) -> None:
        self.log_in(PLAN["provider"])

    @task(4)
    def matched_needs(self) -> None:
        self.client.get("/matches/needs/", name="/matches/needs/")

    @task(2)
    def matched_needs_filtered(self) -> None:
        query = RANDOM.choice(
            [
                {"min_score": 30, "ordering": "-score"},
                {"industry": RANDOM.choice(PLAN["industry_codes"])},
                {"ordering": "-budget", "budget_from": 10},
            ]
        )
        self.client.get(f"/matches/needs/?{urlencode(query)}", name="/matches/needs/?filter")

    @task(2)
    def need_detail(self) -> None:
        self.client.get(f"/needs/{RANDOM.choice(PLAN['needs'])}/", name="/needs/<id>/ (member)")

    @task(1)
    def inbox(self) -> None:
        self.client.get("/interests/", name="/interests/")


class Enterprise(SiteUser):
    """A demo enterprise: posts needs and accepts providers' introductions."""

    weight = 2

    def sign_in(self) -> None:
        accounts = PLAN["enterprises"]
        self.account = accounts[next(State.enterprise_numbers) % len(accounts)]["email"]
        self.log_in(self.account)

    @task(1)
    def submit_a_need(self) -> None:
        form = self.client.get("/my/needs/new/", name="/my/needs/new/ (form)")
        location = self.submit_need("m", csrf_token(form), "/my/needs/new/ (submit)")
        if location:
            self.client.get(location, name="/my/needs/<id>/")

    @task(1)
    def accept_an_introduction(self) -> None:
        inbox = self.client.get("/interests/", name="/interests/")
        waiting = State.introductions[self.account]
        if not waiting:
            return
        pk = waiting.popleft()
        with self.client.post(
            f"/interests/{pk}/",
            data=urlencode({"csrfmiddlewaretoken": csrf_token(inbox), "action": "accept"}),
            headers=FORM,
            name="/interests/<id>/ (accept)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 302:
                response.success()
                State.accepted_interests.append(pk)
            else:
                response.failure(f"accept answered {response.status_code}")

    @task(1)
    def my_needs(self) -> None:
        self.client.get("/my/needs/", name="/my/needs/")

    @task(2)
    def solution_detail(self) -> None:
        self.client.get(f"/solutions/{RANDOM.choice(PLAN['solutions'])}/", name="/solutions/<id>/")

    @task(1)
    def solution_list(self) -> None:
        self.client.get("/solutions/", name="/solutions/")


class HealthProbe(SiteUser):
    """A monitor probing liveness twice a second during the mix."""

    fixed_count = 1
    wait_time = constant_pacing(0.5)

    @task
    def probe(self) -> None:
        self.client.get("/healthz", name="/healthz (probe)")


class TrivialView(SiteUser):
    """Only `/healthz`, as fast as answers come: the server's floor."""

    wait_time = constant(0)

    @task
    def healthz(self) -> None:
        self.client.get("/healthz", name="/healthz")


class CatalogPage(SiteUser):
    """Only the public need list, as fast as answers come."""

    wait_time = constant(0)

    @task
    def need_list(self) -> None:
        self.client.get("/needs/", name="/needs/")


class SearchPage(SiteUser):
    """Only catalog searches (`/needs/?q=`), cycling through the plan's queries, as fast
    as answers come (bench/search.py)."""

    wait_time = constant(0)
    queries = itertools.cycle(PLAN.get("search_queries") or ["质检"])

    @task
    def search(self) -> None:
        self.client.get(f"/needs/?{urlencode({'q': next(self.queries)})}", name="/needs/?q=")


class NeedSubmitter(SiteUser):
    """One need per user, all submitted at the same moment once every user signed in."""

    wait_time = constant(1)
    # A submission waits behind hundreds of others: the answer may take a while.
    network_timeout = 600.0
    connection_timeout = 600.0

    def sign_in(self) -> None:
        accounts = PLAN["enterprises"]
        account = accounts[next(State.enterprise_numbers) % len(accounts)]["email"]
        self.token = ""
        if self.log_in(account):
            # The burst starts minutes later, long after the server has closed this idle
            # keep-alive connection (gunicorn keepalive = 5 s). A browser would open a new
            # connection then; without "close" the client would send the POST down the
            # dead socket and fail before the server ever saw it.
            form = self.client.get(
                "/my/needs/new/", name="/my/needs/new/ (form)", headers={"Connection": "close"}
            )
            self.token = csrf_token(form)
        self.submitted = False
        State.burst_arrived += 1
        if State.burst_arrived >= BURST_USERS:
            State.burst_released_at = time.time()
            State.burst_go.set()
        State.burst_go.wait(timeout=BURST_WAIT)

    @task
    def submit_once(self) -> None:
        if self.submitted:
            return
        self.submitted = True
        self.submit_need("b", self.token, "/my/needs/new/ (burst submit)")
        State.burst_answered += 1
        State.burst_last_answer_at = time.time()
        if State.burst_answered >= BURST_USERS:
            gevent.spawn_later(0.5, self.environment.runner.quit)
