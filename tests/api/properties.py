"""Property tests of the JSON API against its own OpenAPI document.

Starts the real `tafelrunde serve` (SQLite in a temporary folder, a free
loopback port), creates the operator through the printed setup link, school
1111111 with its school admin and a teacher through the API (as
tests/e2e/lib/api.mjs does), then lets schemathesis send generated requests,
valid and invalid, to every route of /api/openapi.json: once anonymous and
once with each role's session. The property: no answer is a server error
(5xx), no request hangs, and the server neither dies nor panics.

Run through scripts/api-property-test.sh, which installs schemathesis.
Standard library only, besides the schemathesis command.

Environment:
  TAFELRUNDE_BIN          the server binary (default target/debug/tafelrunde)
  API_PROPERTY_SECONDS    time per role (default 40)
  API_PROPERTY_SEED       the generator's seed (default: a new one, printed)
  API_PROPERTY_ROLES      e.g. "anonymous teacher" (default: all four)
  SCHEMATHESIS            the schemathesis command (default: on PATH)
"""

import json
import os
import queue
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SCHOOL = "1111111"
OPERATOR = {"email": "betrieb@land.example", "password": "Betrieb-Passwort-2024"}
ADMIN = {"email": "leitung@schule-sh.de", "password": "Leitung-Passwort-2024"}
TEACHER = {"email": "mueller@schule-sh.de", "password": "Mueller-Passwort-2024"}
ROLES = ["anonymous", "teacher", "schoolAdmin", "operator"]

# Routes that end the very session a role's run is made with (logout, and
# DELETE /api/me, the only method of /api/me); the anonymous run has them.
ENDS_OWN_SESSION = r"^/api/(logout|logout-everywhere|me)$"


class Api:
    """The JSON API like a browser: keeps the session cookie, sends the CSRF token."""

    def __init__(self, base):
        self.base = base
        self.cookie = None
        self.csrf = None

    def call(self, method, path, body=None, content_type="application/json"):
        headers = {"accept": "application/json"}
        if self.cookie:
            headers["cookie"] = f"tafelrunde_session={self.cookie}"
        if self.csrf and method != "GET":
            headers["x-csrf-token"] = self.csrf
        data = None
        if body is not None:
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            headers["content-type"] = content_type
        request = urllib.request.Request(self.base + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=30) as r:
                status, text, cookie = r.status, r.read().decode(), r.headers.get("set-cookie")
        except urllib.error.HTTPError as e:
            status, text, cookie = e.code, e.read().decode(), e.headers.get("set-cookie")
        m = re.search(r"tafelrunde_session=([^;]*)", cookie or "")
        if m:
            self.cookie = m.group(1) or None
        answer = json.loads(text) if text else None
        if isinstance(answer, dict) and answer.get("csrf"):
            self.csrf = answer["csrf"]
        if status >= 400:
            raise RuntimeError(f"{method} {path}: {status} {text}")
        return answer


class Server:
    """`tafelrunde serve` on free loopback ports, with an empty database."""

    def __init__(self, binary, logs):
        self.data = tempfile.mkdtemp(prefix="tafelrunde-api-properties-")
        self.log_path = os.path.join(logs, "server.log")
        self.log = open(self.log_path, "w")
        args = [
            binary, "serve",
            "--http", "127.0.0.1:0",
            "--media-address", "127.0.0.1",
            "--media-udp-port", "0",
            "--media-tcp-port", "0",
            "--shards", "1",
            "--data-dir", self.data,
        ]
        # The kernel ends the server if this process dies without cleaning up.
        if os.path.exists("/usr/bin/setpriv"):
            args = ["/usr/bin/setpriv", "--pdeathsig", "SIGKILL", "--"] + args
        self.process = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self.log,
            env={**os.environ, "NO_COLOR": "1"},
            text=True,
        )
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.url = None
        self.setup_token = None
        deadline = time.monotonic() + 30
        while self.url is None or self.setup_token is None:
            left = deadline - time.monotonic()
            if left <= 0 or self.process.poll() is not None:
                self.stop()
                raise RuntimeError(f"the server did not start; see {self.log_path}")
            try:
                line = self.lines.get(timeout=min(left, 0.5))
            except queue.Empty:
                continue
            m = re.match(r"^tafelrunde: listening on (http://\S+)\s*$", line)
            if m:
                self.url = m.group(1)
            m = re.search(r"no operator yet; .*?: http\S+/setup#(\S+)", line)
            if m:
                self.setup_token = m.group(1)

    def _read(self):
        for line in self.process.stdout:
            self.log.write(line)
            self.log.flush()
            self.lines.put(line)

    def alive(self):
        return self.process.poll() is None

    def panics(self):
        with open(self.log_path, errors="replace") as f:
            return [line.rstrip() for line in f if "panicked at" in line]

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        shutil.rmtree(self.data, ignore_errors=True)


def accounts(server):
    """The operator, school 1111111, its school admin and a teacher (with a room)."""
    op = Api(server.url)
    op.call("POST", "/api/setup", {"token": server.setup_token, **OPERATOR})
    op.call(
        "POST",
        "/api/schools/import",
        "Dienststellennummer;Name;Schulart;Ort;itslearning beantragt\n"
        f"{SCHOOL};Schule am See;Grundschule;Kiel;nein\n",
        "text/csv",
    )

    def activate(creator, account, role):
        created = creator.call("POST", "/api/accounts", {"email": account["email"], "role": role, "school": SCHOOL})
        client = Api(server.url)
        token = created["activationLink"].split("#", 1)[1]
        client.call("POST", "/api/activate", {"token": token, "password": account["password"]})
        return client

    admin = activate(op, ADMIN, "schoolAdmin")
    teacher = activate(admin, TEACHER, "teacher")
    # Something for the routes with a room name to find.
    try:
        teacher.call("POST", "/api/rooms", {"group": "7b", "short": "MUE"})
    except RuntimeError as e:
        print(f"api properties: no room for the teacher ({e}); the run goes on without", file=sys.stderr)
    return {"operator": op, "schoolAdmin": admin, "teacher": teacher}


def still_logged_in(session):
    try:
        return (session.call("GET", "/api/session") or {}).get("account") is not None
    except RuntimeError:
        return False


def schemathesis(server, role, session, seconds, seed, logs):
    command = os.environ.get("SCHEMATHESIS", "schemathesis")
    args = [
        command, "run", f"{server.url}/api/openapi.json",
        "--url", server.url,
        "--checks", "not_a_server_error",
        "--max-time", str(seconds),
        "--seed", str(seed),
        # One at a time: with two, Python 3.11's `ast` (which Hypothesis
        # calls to describe its strategies) trips over itself in threads
        # ("AST constructor recursion depth mismatch"), an error of the tool.
        "--workers", "1",
        # A request that takes this long counts as a hang.
        "--request-timeout", "20",
        "--max-redirects", "0",
        "--report", "junit",
        "--report-dir", os.path.join(logs, role),
        "--suppress-health-check", "all",
        "--warnings", "off",
    ]
    if session is not None:
        args += ["-H", f"Cookie: tafelrunde_session={session.cookie}", "-H", f"X-CSRF-Token: {session.csrf}"]
        # Not the routes that end this very session (tested in the anonymous run).
        args += ["--exclude-path-regex", ENDS_OWN_SESSION]
    print(f"\napi properties: {role}: {seconds} s of generated requests (seed {seed})", flush=True)
    return subprocess.run(args, cwd=logs).returncode


def main():
    binary = os.environ.get("TAFELRUNDE_BIN") or os.path.join(ROOT, "target", "debug", "tafelrunde")
    if not os.path.isfile(binary):
        print(f"api properties: no server binary at {binary}: build it (cargo build -p tafelrunde) or set TAFELRUNDE_BIN", file=sys.stderr)
        return 1
    seconds = int(os.environ.get("API_PROPERTY_SECONDS", "40"))
    seed = int(os.environ.get("API_PROPERTY_SEED") or random.randrange(1 << 31))
    roles = (os.environ.get("API_PROPERTY_ROLES") or " ".join(ROLES)).split()
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")
    logs = os.path.join(os.path.abspath(target), "api-properties")
    shutil.rmtree(logs, ignore_errors=True)
    os.makedirs(logs)

    server = Server(binary, logs)
    failed = []
    try:
        sessions = accounts(server)
        for role in roles:
            code = schemathesis(server, role, sessions.get(role), seconds, seed, logs)
            if code != 0:
                failed.append(role)
            if role in sessions and not still_logged_in(sessions[role]):
                print(f"api properties: note: the {role}'s session ended during its run; the rest of it ran as anonymous")
            if not server.alive():
                failed.append("server died")
                break
        panics = server.panics()
        if panics:
            failed.append("server panicked")
            print("api properties: the server panicked:\n  " + "\n  ".join(panics[:10]), file=sys.stderr)
    finally:
        server.stop()

    if failed:
        print(
            f"\napi properties: FAILED ({', '.join(failed)}): a route answered with a server error, hung, "
            f"or the server died. The requests are above (curl commands) and in {logs}/<role>/; "
            f"the server log is {server.log_path}; run again with API_PROPERTY_SEED={seed}.",
            file=sys.stderr,
        )
        return 1
    print(f"\napi properties: no server error on any route ({', '.join(roles)}; seed {seed})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
