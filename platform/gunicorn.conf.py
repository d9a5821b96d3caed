"""gunicorn settings for the web container (see docker-compose.yml)."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn's control socket defaults to one path per OS user; several servers on one
# host (or a test next to production) would share it. The platform does not use it.
control_socket_disable = True
# Request limits (gunicorn's defaults, stated so they are deliberate): the request line,
# the number of headers and the size of one. Bodies are limited by the proxy in front
# (platform/nginx.conf) and by the app before it reads them (REQUEST_BODY_LIMITS).
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190


def post_worker_init(worker) -> None:
    """Load the search indexes before the worker takes a request (from the file the
    machine's first worker built: matchmaking/search/snapshots.py), so no visitor
    waits for an index."""
    from django.db import connections  # noqa: PLC0415 -- Django is set up by now
    from django.template.loader import get_template  # noqa: PLC0415

    from matchmaking.search.index import warm  # noqa: PLC0415

    warm()
    connections.close_all()  # the request threads open their own
    # The catalog's templates, compiled once per worker (the cached loader keeps them).
    for name in ("catalog/list.html", "catalog/list_body.html", "includes/need_card.html"):
        get_template(name)
