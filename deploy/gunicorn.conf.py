"""gunicorn settings for Leerling in beeld: used by ``make serve`` and by the web service
(deploy/leerling-in-beeld.service), behind the nginx site in deploy/nginx-leerling-in-beeld.conf.

Environment: ``WORKERS`` (processes; default 2 × CPU cores + 1) and ``BIND`` (default
``127.0.0.1:5000``, where the nginx site sends requests; ``make serve`` passes ``--bind``).
The app's own settings (``APP_ENV``, ``DATABASE_URL`` …) come from the same environment.
"""

import multiprocessing
import os

# Only the proxy on this machine may reach gunicorn: the app trusts the X-Forwarded-* headers
# of one hop (PROXY_FIX_HOPS), so whoever can connect directly could claim any client address.
bind = os.environ.get("BIND", "127.0.0.1:5000")

# Report pages are CPU and database work of well under a second; sync workers, 2 × cores + 1
# (gunicorn's advice). About 130 MB each on a board of a million results.
workers = int(os.environ.get("WORKERS") or multiprocessing.cpu_count() * 2 + 1)
worker_class = "sync"

# A request that takes longer than this is stuck (the slowest page at board scale takes well
# under a second; imports and roster syncs run as background jobs): the worker is replaced.
timeout = 30
# On SIGTERM (systemctl stop/restart) requests in flight may finish.
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so no slow growth of memory outlives a school day.
max_requests = 2000
max_requests_jitter = 200


def post_worker_init(worker):
    """Once the worker has loaded the app: move everything loaded so far (the app, its models,
    SQLAlchemy's mappers, the templates; ~200,000 objects) out of the garbage collector's
    reach. They live as long as the worker, yet a full collection walked them all, adding about
    150 ms to whichever request it fell in (measured in-process on the benchmark's board);
    afterwards such a collection walks only what requests left behind."""
    import gc

    gc.collect()
    gc.freeze()


# The scheme comes from nginx on this machine, in the one header nginx sets itself; the other
# scheme headers gunicorn would accept by default (X-Forwarded-Ssl, -Protocol) and its
# SCRIPT_NAME/PATH_INFO forwarding are off, so a client cannot slip them through the proxy.
forwarded_allow_ips = "127.0.0.1,::1"
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}
forwarder_headers = ""

# Access log on stdout (the journal under systemd). Path without the query string (%(U)s):
# query strings carry one-time registration codes, login hints with LMS user ids and report
# filters. No referer (an LMS page address with course ids) and no user agent.
accesslog = "-"
access_log_format = '%(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
errorlog = "-"

# gunicorn ≥ 27 opens a control socket in the user's home; the service user has none and
# nothing here uses `gunicornc`. (Older gunicorn ignores this name.)
control_socket_disable = True
