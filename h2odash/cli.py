"""The h2odash command: ``h2odash serve`` starts the embedded engine's REST server, ``h2odash app``
the dashboard as a web app."""

import argparse
import ipaddress
import logging
import os
import sys

DEFAULT_PORT = 54321


def main(argv=None):
    parser = argparse.ArgumentParser(prog="h2odash", description="Machine learning dashboards over H2O's REST API.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="Start the embedded engine's REST server (H2O-3's API).")
    serve.add_argument("--host", default="127.0.0.1",
                       help="Interface to listen on (default 127.0.0.1: this machine only; others need --auth).")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"Port (default {DEFAULT_PORT}).")
    serve.add_argument("--name", default="h2odash", help="Cloud name reported by /3/Cloud.")
    serve.add_argument("--auth", default=os.environ.get("H2ODASH_AUTH"),
                       help="Require credentials on every request: token:<secret> or basic:<user>:<password> "
                            "(or set H2ODASH_AUTH, which keeps the secret out of the process list).")
    serve.add_argument("--data-root", action="append", default=[], metavar="DIR",
                       help="Only import files inside this folder (repeatable); symlinks and '..' that lead "
                            "outside are refused.")
    serve.add_argument("--max-upload-mb", type=float, default=8192, help="Largest accepted upload (default 8192 MB).")
    serve.add_argument("--workspace", metavar="DIR",
                       help="Keep frames, models and AutoML runs in this folder, so a restart has them back "
                            "(default: nothing is kept; everything lives in memory).")
    serve.add_argument("--workspace-limit-gb", type=float, metavar="GB",
                       help="Refuse new frames and models once the workspace would pass this size.")
    serve.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    add_app_command(commands)
    args = parser.parse_args(argv)
    if args.command == "app":
        from h2odash.app import run
        workspace = None if args.no_workspace else (args.workspace or default_workspace())
        return run(port=args.port, host=args.host, h2o=args.h2o, h2o_auth=args.h2o_auth, auth=args.auth,
                   pool_size=args.pool_size, cull_idle_secs=args.cull_idle_secs, workspace=workspace)
    if args.command == "serve":
        try:
            settings = server_settings(args)
        except ValueError as exc:
            parser.error(str(exc))
        return serve_forever(args.host, args.port, settings, args.name, args.data_root, args.log_level,
                             args.workspace, args.workspace_limit_gb)
    return 2


def add_app_command(commands):
    """``h2odash app``: the dashboard as a Voilà web app (see h2odash/app.py)."""
    app = commands.add_parser("app", help="Serve the dashboard as a web app (Voilà), with the embedded engine.")
    app.add_argument("--port", type=int, default=8866, help="Port of the web app (default 8866).")
    app.add_argument("--host", default="127.0.0.1",
                     help="Interface to listen on (default 127.0.0.1: this machine only; others need --auth).")
    app.add_argument("--auth", default=os.environ.get("H2ODASH_AUTH"),
                     help="token:<secret> the browser must present (/?token=<secret>); or set H2ODASH_AUTH.")
    app.add_argument("--h2o", metavar="URL", help="Use this H2O-3 (or h2odash) server instead of starting the "
                                                  "embedded engine.")
    app.add_argument("--h2o-auth", default=os.environ.get("H2ODASH_H2O_AUTH"),
                     help="Credentials for --h2o: token:<secret> or basic:<user>:<password> (or H2ODASH_H2O_AUTH).")
    app.add_argument("--pool-size", type=int, default=1, help="Kernels preheated ahead of page loads (default 1).")
    app.add_argument("--cull-idle-secs", type=int, default=600,
                     help="Shut down the kernel of a closed tab after this many idle seconds (default 600).")
    app.add_argument("--workspace", metavar="DIR",
                     help=f"Where the embedded engine keeps frames and models across restarts (default "
                          f"{default_workspace()}).")
    app.add_argument("--no-workspace", action="store_true",
                     help="Keep nothing on disk: the embedded engine's work ends with the app.")


def default_workspace():
    """The per-user workspace of ``h2odash app``: $XDG_DATA_HOME/h2odash/workspace."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return os.path.join(base, "h2odash", "workspace")


def server_settings(args):
    """Server settings from the command line; refuses an open server on a public interface."""
    from h2odash.server.app import Settings
    from h2odash.server.security import Credentials

    credentials = Credentials.parse(args.auth) if args.auth else None
    if credentials is None and not is_loopback(args.host):
        raise ValueError(f"--host {args.host} would let other machines in: set --auth as well.")
    return Settings(max_upload_bytes=int(args.max_upload_mb * 2**20), credentials=credentials)


def is_loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve_forever(host, port, settings, name="h2odash", data_roots=(), log_level="info", workspace=None,
                  workspace_limit_gb=None):
    """Run the server in this process until interrupted; logs one line per request."""
    import uvicorn

    from h2odash.engine import Engine
    from h2odash.server.app import create_app

    # Training threads run Python code too; a shorter GIL switch interval lets request threads
    # in sooner, which keeps polling latency low while models train.
    sys.setswitchinterval(0.001)
    logging.basicConfig(level=getattr(logging, log_level.upper()),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    missing = [d for d in data_roots if not os.path.isdir(d)]
    if missing:
        logging.error("--data-root %s is not a folder", missing[0])
        return 2
    keeper = None
    if workspace:
        from h2odash.engine.workspace import Workspace, WorkspaceInUse

        try:
            keeper = Workspace(workspace, None if workspace_limit_gb is None else int(workspace_limit_gb * 2**30))
        except WorkspaceInUse as exc:
            logging.error("%s", exc)
            return 2
    app = create_app(Engine(cloud_name=name, data_roots=data_roots, workspace=keeper), settings)
    config = uvicorn.Config(app, host=host, port=port, log_level=log_level, access_log=True, timeout_keep_alive=30)
    server = uvicorn.Server(config)
    server.run()
    return 0 if server.started else 1


if __name__ == "__main__":
    sys.exit(main())
