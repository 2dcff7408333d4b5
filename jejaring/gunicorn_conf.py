"""gunicorn's configuration for `jejaring serve` (and for `gunicorn -c` if an office prefers it).

Everything an office may need to change comes from the environment, as the settings do:

    JEJARING_BIND      the address to listen on (default 127.0.0.1:8000: behind a reverse
                       proxy on the same host; 0.0.0.0:8000 to answer the network directly)
    WEB_CONCURRENCY    the number of worker processes (default: from the core count, below)
    JEJARING_TIMEOUT   seconds a request may take before its worker is replaced (default 60)
    FORWARDED_ALLOW_IPS  the proxies whose X-Forwarded-* headers are trusted (default the
                       same host: 127.0.0.1,::1)

`jejaring serve --bind … --workers …` overrides the first two.
"""

import os
import re
from pathlib import Path

from gunicorn.glogging import Logger

DEFAULT_BIND = "127.0.0.1:8000"
# More workers than this only add memory (each holds Django, ~80–100 MB) and PostgreSQL
# connections (one each, kept for DATABASE_CONN_MAX_AGE) on an office's small server.
MAX_DEFAULT_WORKERS = 12


def cores() -> int:
    """The cores this process may run on (a container's or cgroup's share, not the host's)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def default_workers() -> int:
    """2 × cores + 1, at most MAX_DEFAULT_WORKERS.

    A sync worker handles one request at a time and is idle while PostgreSQL answers its
    queries, so two per core keep the cores busy; the extra one covers a request that
    waits on something slower (an upload, a large export) without leaving a core idle.
    This is gunicorn's own advice; more workers than that only queue on the same cores."""
    return min(2 * cores() + 1, MAX_DEFAULT_WORKERS)


def workers_from_environment() -> int:
    value = os.environ.get("WEB_CONCURRENCY", "").strip()
    return max(1, int(value)) if value else default_workers()


bind = [os.environ.get("JEJARING_BIND", DEFAULT_BIND)]
workers = workers_from_environment()
# Sync workers: the pages are CPU-bound Django on a database connection each; threads or
# an event loop would share one process's GIL and gain nothing here.
worker_class = "sync"

# A request that takes longer than this has its worker killed and replaced (the page gets
# a 502 from the proxy). The long work — imports, linkage — runs in `jejaring worker`, not
# in a request, so a minute is generous; an upload from a slow office link is the longest.
timeout = int(os.environ.get("JEJARING_TIMEOUT", "60"))
# On SIGTERM (a deploy, systemctl stop) requests in flight get this long to finish.
graceful_timeout = 30
# The sync worker closes each connection after its response (no keep-alive: an idle client
# cannot hold a worker); the setting matters only if worker_class is changed to gthread.
keepalive = 5

# A worker is replaced after 10,000 to 15,000 requests: bounds slow growth of memory
# (caches, fragmentation) over weeks of uptime — at an office's ten requests a second over
# five workers, each is replaced every three to four hours. A new worker's start (Django,
# the application, the warm-up: about a second of CPU) is taken from the workers serving:
# at 2,000 ± 200 a loaded server started a worker every few seconds, and since workers
# given the same load reach their count together, all five within three seconds (seen in
# benchmarks/load.py's server log: 14 starts in one minute, in bursts). A jitter of half
# the count spreads them over hours instead.
max_requests = 10000
max_requests_jitter = 5000

# The app is loaded in each worker, not in the arbiter before the fork: a database
# connection or thread opened at import time must not be shared across processes, and a
# worker replaced after max_requests (or a HUP after a deploy) then loads the new code.
preload_app = False

# The access log to stdout (journald or the container's log). Only the path (%(U)s), never
# the request line (%(r)s) or the query string (%(q)s): a search URL such as
# /registri/?q=<name> must not write a name into the log. Nor the Referer (%(f)s), which
# carries the previous page's query string.
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'
QUERY_STRING = re.compile(r"\?\S*")


class PathOnlyLogger(Logger):
    """gunicorn's logger, never writing a query string: its error log names the URI of a
    request that failed outside Django ("Error handling request /registri/?q=…"), and
    the access line of such a request has no PATH_INFO (it would read "GET None")."""

    def _log_without_query(self, log, msg, args, kwargs):
        args = tuple(QUERY_STRING.sub("", a) if isinstance(a, str) else a for a in args)
        log(QUERY_STRING.sub("", msg) if isinstance(msg, str) else msg, *args, **kwargs)

    def error(self, msg, *args, **kwargs):
        self._log_without_query(super().error, msg, args, kwargs)

    def warning(self, msg, *args, **kwargs):
        self._log_without_query(super().warning, msg, args, kwargs)

    def exception(self, msg, *args, **kwargs):
        self._log_without_query(super().exception, msg, args, kwargs)

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        if atoms.get("U") is None:
            atoms["U"] = getattr(req, "path", None) or "-"
        return atoms


logger_class = PathOnlyLogger

# X-Forwarded-Proto (BEHIND_HTTPS_PROXY in the settings) is trusted only from a reverse
# proxy on the same host.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# The workers' heartbeat files: in memory when the host has /dev/shm, so a slow or busy
# disk cannot make the arbiter believe a worker hung.
# (gunicorn creates its own unlinked files there, mode 0600: not a shared name to hijack.)
SHARED_MEMORY = "/dev/shm"  # noqa: S108
if Path(SHARED_MEMORY).is_dir():
    worker_tmp_dir = SHARED_MEMORY

proc_name = "jejaring"
# No `gunicornc` control socket: its default path is one per user, so a second server on
# the host (a test, a benchmark, a second office instance) would take the first one's.
control_socket_disable = True
