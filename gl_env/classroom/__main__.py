"""``python -m gl_env.classroom``: start the classroom's web server.

It prints the teacher's link (with the teacher key) and the students' join link with its QR code,
then serves until Ctrl+C. Everything is kept in the SQLite file ``--db``: start the server again
with the same file and every session, round and move is still there.

By default the server listens on this computer only (``--host 127.0.0.1``). For a class on the
same network, listen on every interface (``--host 0.0.0.0``): the join link then uses this
computer's address on the network, or ``--public-url`` if you give one.
"""

from __future__ import annotations

import argparse
import io
import socket
import sys
from collections.abc import Sequence
from pathlib import Path

# Every interface: the join link needs an address the students can reach instead.
_ANY_ADDRESS = ("0.0.0.0", "::", "")


def _network_address() -> str:
    """This computer's address on its network (a UDP socket's local end: no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))
            return str(probe.getsockname()[0])
        except OSError:
            return socket.gethostname()


def join_url(host: str, port: int, public_url: str | None) -> str:
    """The address students open: ``public_url``, or this server's, reachable from the network."""
    if public_url:
        return public_url.rstrip("/")
    shown = _network_address() if host in _ANY_ADDRESS else host
    if ":" in shown:  # an IPv6 address
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


def terminal_qr(url: str) -> str:
    """``url`` as a QR code drawn in the terminal (segno)."""
    import segno

    out = io.StringIO()
    segno.make(url, error="m").terminal(out=out, compact=True)
    return out.getvalue()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m gl_env.classroom",
        description="Serve the gl_env classroom: students play the cadre in their browsers, the teacher "
        "changes the institution between rounds, the class's results are charted live.",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this computer only; "
        "0.0.0.0: every interface, for a class on the same network)",
    )  # fmt: skip
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    parser.add_argument(
        "--db", type=Path, default=Path("classroom.sqlite3"), help="SQLite file of the sessions and moves "
        "(default ./classroom.sqlite3; created if new, continued if it exists)",
    )  # fmt: skip
    parser.add_argument("--public-url", help="the address students use, if not this server's (e.g. behind a proxy)")
    args = parser.parse_args(argv)
    if not 1 <= args.port <= 65535:
        parser.error(f"--port={args.port} is out of range; allowed 1 to 65535")
    try:
        import uvicorn

        from gl_env.classroom.app import create_app
    except ImportError as error:
        sys.exit(f"error: the classroom needs its extra ({error}); install it with pip install 'gl_env[classroom]'")
    url = join_url(args.host, args.port, args.public_url)
    app = create_app(args.db, public_url=url)
    local = f"http://{'127.0.0.1' if args.host in _ANY_ADDRESS else args.host}:{args.port}"
    print(
        f"gl_env classroom, database {args.db.resolve()}\n"
        f"Teacher (keep this link to yourself): {local}/teacher?key={app.state.store.teacher_key}\n"
        f"Students join at: {url}/\n{terminal_qr(url + '/')}"
        "Ctrl+C stops the server; start it again with the same --db to continue.",
        flush=True,
    )
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
