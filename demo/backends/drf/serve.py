"""
Runs the DRF demo on 127.0.0.1 and prints one line, `listening on http://127.0.0.1:PORT`,
once it accepts connections.

  python3 serve.py [--port 0] [--db PATH] [--template PATH]

--port 0 (the default) lets the OS pick a free port. The database is a fresh sqlite file in a
temporary directory unless --db names one. --template names a migrated database to copy
instead of migrating (the tests migrate once per run, then copy it for every server); it is
created when missing. Users: demo/demo and alice/wonderland.
"""

import argparse
import os
import shutil
import signal
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
USERS = {"demo": "demo", "alice": "wonderland"}


def prepare_database(db, template):
    from django.core.management import call_command

    if template is not None and os.path.exists(template):
        shutil.copyfile(template, db)
        return
    call_command("migrate", verbosity=0, interactive=False)
    if template is not None:
        # Publish in one rename: parallel servers see either no template or a complete one.
        partial = f"{template}.{os.getpid()}.partial"
        shutil.copyfile(db, partial)
        os.replace(partial, template)


def create_users():
    from django.contrib.auth.models import User

    for username, password in USERS.items():
        if not User.objects.filter(username=username).exists():
            User.objects.create_user(username=username, password=password)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--db")
    parser.add_argument("--template")
    args = parser.parse_args()

    workdir = None
    db = args.db
    if db is None:
        workdir = tempfile.mkdtemp(prefix="drf-demo-")
        db = os.path.join(workdir, "db.sqlite3")
    os.environ["DRF_DEMO_DB"] = db
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "drfdemo.settings")
    sys.path.insert(0, HERE)

    import django

    django.setup()
    prepare_database(db, args.template)
    create_users()

    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler, get_internal_wsgi_application

    # What `manage.py runserver --noreload` runs, bound to a port the OS picks.
    httpd = ThreadedWSGIServer(("127.0.0.1", args.port), WSGIRequestHandler)
    httpd.daemon_threads = True
    httpd.set_app(get_internal_wsgi_application())
    # The tests stop the server with SIGTERM: leave through `finally` so the temp dir goes too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"listening on http://127.0.0.1:{httpd.server_address[1]}", flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
