#!/usr/bin/env python3
"""Concurrent HTTP client of the registration burst (scripts/bench/registration-burst.sh) and the
attendance spike (scripts/bench/attendance-spike.sh); stdlib only. A fixed number of requests is shared by CONCURRENCY threads, each with its own keep-alive
connection, each sending its next request as soon as the previous answer is read (closed loop).
The latency of a request runs from just before it is sent to the end of its answer's body.

  register: POST /gestion/sessions/{id}/inscriptions, the back-office form, once per attempt: a
            distinct person (name, e-mail address) and a distinct idempotency key each; the
            attempts go round the sessions (ATTEMPTS / SESSIONS each) in a shuffled order (fixed
            seed), so that several attempts on the same session are in flight at once. One attempt
            in SINGLE_DAY_EVERY (0: none) asks for one day only (the first or the last, in turn),
            the others for every day (jours=toutes). Writes one line per attempt to --attempts:
            key, session, day chosen ('' for all), HTTP status, the answer's ?ok= code, seconds
            from the start of the run to sending it, seconds it took.
  sign:     POST /inscription/{token}/emarger, the personal page's signing with the typed code,
            once per trainee of --signers (in a shuffled order, fixed seed): the half-day's code
            is read as staff (GET /formateur/emargement/{day}/{half} with the cookie, the
            `code-digits` paragraph) for every day just before the clock starts, and each trainee
            sends a drawn signature of their own (a few random strokes, compact JSON). Every
            answer must be a 303 to /inscription/{token}?ok=emargement. Writes one line per
            signature to --out: registration, session, day, HTTP status, the answer's ?ok= code,
            seconds from the start to sending it, seconds it took, the signature's JSON.
  get:      GET PATH COUNT times (the reference), with the cookie when one is given.

Prints one JSON object: requests, wall seconds, throughput, latency percentiles (ms), status codes
and errors (connection failures, timeouts, unexpected answers).
"""

import argparse
import http.client
import json
import random
import re
import sys
import threading
import time
import urllib.parse


def percentile(sorted_values, q):
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return None
    rank = max(1, -(-len(sorted_values) * q // 100))
    return sorted_values[int(rank) - 1]


CODE_DIGITS = re.compile(r'<p class="code-digits"[^>]*>\s*([0-9]{6})\s*</p>')


def read_codes(target, headers, days, half, timeout):
    """The code on each day's trainer screen, read as staff: {day: code}."""
    conn = http.client.HTTPConnection(target.hostname, target.port, timeout=timeout)
    codes = {}
    try:
        for day in days:
            conn.request("GET", f"/formateur/emargement/{day}/{half}", headers=headers)
            response = conn.getresponse()
            page = response.read().decode("utf-8", errors="replace")
            found = CODE_DIGITS.search(page)
            if response.status != 200 or not found:
                sys.exit(f"GET /formateur/emargement/{day}/{half} answered {response.status} without a code")
            codes[day] = found.group(1)
    finally:
        conn.close()
    return codes


def drawn_signature(rng, w=300, h=100):
    """A small signature as the pad sends it: 1 to 3 strokes of 4 to 12 points inside w x h."""
    strokes = []
    for _ in range(rng.randint(1, 3)):
        x, y = rng.randint(5, w // 3), rng.randint(10, h - 10)
        stroke = [[x, y]]
        for _ in range(rng.randint(3, 11)):
            x = min(w, max(0, x + rng.randint(-10, 40)))
            y = min(h, max(0, y + rng.randint(-30, 30)))
            stroke.append([x, y])
        strokes.append(stroke)
    return json.dumps({"w": w, "h": h, "strokes": strokes}, separators=(",", ":"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("mode", choices=("register", "sign", "get"))
    ap.add_argument("--url", required=True, help="http://127.0.0.1:PORT")
    ap.add_argument("--cookie", default="", help="forma_session value")
    ap.add_argument("--concurrency", type=int, default=50)
    ap.add_argument("--timeout", type=float, default=30, help="seconds per request")
    ap.add_argument("--count", type=int, help="get: requests to send")
    ap.add_argument("--path", default="/healthz", help="get: the path")
    ap.add_argument("--sessions", help="register: JSON file {\"ids\": [...], \"days\": {id: [day ids]}}")
    ap.add_argument("--attempts", type=int, help="register: attempts to send")
    ap.add_argument("--single-day-every", type=int, default=4)
    ap.add_argument("--signers", help="sign: JSON file {\"signers\": [{\"registration\", \"session\", \"day\", \"token\"}, ...]}")
    ap.add_argument("--half", default="matin", help="sign: the half-day (matin or apres-midi)")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--out", help="register, sign: where to write one line per attempt")
    a = ap.parse_args()

    target = urllib.parse.urlsplit(a.url)
    headers = {"Connection": "keep-alive"}
    if a.cookie:
        headers["Cookie"] = f"forma_session={a.cookie}"

    # The requests, built before the clock starts: (method, path, body, attempt record), and what
    # each answer must be: a 303 to the path given, with one of the ?ok= codes given.
    requests, expect = [], []
    codes_seconds = None
    if a.mode == "get":
        requests = [("GET", a.path, None, None)] * a.count
    elif a.mode == "sign":
        signers = json.load(open(a.signers))["signers"]
        random.Random(a.seed).shuffle(signers)
        began = time.perf_counter()
        codes = read_codes(target, headers, sorted({s["day"] for s in signers}), a.half, a.timeout)
        codes_seconds = time.perf_counter() - began
        headers["User-Agent"] = "forma-bench attendance-spike (Python http.client)"
        for k, signer in enumerate(signers):
            signature = drawn_signature(random.Random(a.seed * 100003 + k))
            body = urllib.parse.urlencode({"day": signer["day"], "half": a.half, "code": codes[signer["day"]], "signature": signature}).encode()
            requests.append(("POST", f"/inscription/{signer['token']}/emarger", body,
                             [signer["registration"], signer["session"], signer["day"], signature]))
            expect.append((f"/inscription/{signer['token']}", ("emargement",)))
    else:
        plan = json.load(open(a.sessions))
        ids, days = plan["ids"], {int(k): v for k, v in plan["days"].items()}
        order = [ids[k % len(ids)] for k in range(a.attempts)]
        random.Random(a.seed).shuffle(order)
        run = f"{random.Random().getrandbits(32):08x}"  # distinct keys and addresses across runs
        for k, session in enumerate(order):
            key = f"{run}{k:024x}"
            fields = {
                "first_name": f"Camille{k}",
                "last_name": f"Rafale{k}",
                "email": f"rafale-{run}-{k}@bench.forma.test",
                "employer": f"Employeur d'essai {k % 37 + 1}",
                "job_role": "Agent d'accueil",
                "bpf_type": "private_employee",
                "cle": key,
            }
            day = ""
            if a.single_day_every and k % a.single_day_every == a.single_day_every - 1:
                session_days = days[session]
                day = session_days[0] if (k // a.single_day_every) % 2 == 0 else session_days[-1]
                fields["jours"] = "choisis"
                fields["journees"] = str(day)
            else:
                fields["jours"] = "toutes"
            body = urllib.parse.urlencode(fields).encode()
            requests.append(("POST", f"/gestion/sessions/{session}/inscriptions", body, [key, session, day]))
            expect.append((f"/gestion/sessions/{session}/inscriptions", ("inscrit", "attente")))

    results = [None] * len(requests)
    next_index = [0]
    lock = threading.Lock()
    start = threading.Barrier(a.concurrency + 1)
    t0 = [0.0]

    def worker():
        conn = None
        start.wait()
        while True:
            with lock:
                i = next_index[0]
                next_index[0] += 1
            if i >= len(requests):
                break
            method, path, body, _ = requests[i]
            h = dict(headers)
            if body is not None:
                h["Content-Type"] = "application/x-www-form-urlencoded"
            began = time.perf_counter()
            sent = began - t0[0]
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(target.hostname, target.port, timeout=a.timeout)
                conn.request(method, path, body=body, headers=h)
                response = conn.getresponse()
                response.read()
                took = time.perf_counter() - began
                location = response.getheader("Location", "")
                results[i] = (response.status, location, took, None, sent)
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException) as e:
                results[i] = (None, "", time.perf_counter() - began, type(e).__name__, sent)
                if conn is not None:
                    conn.close()
                conn = None
        if conn is not None:
            conn.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(a.concurrency)]
    for t in threads:
        t.start()
    t0[0] = time.perf_counter()
    start.wait()
    began = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - began

    latencies = sorted(r[2] * 1000 for r in results)
    statuses, errors, outcomes = {}, {}, {}
    expected_status = 200 if a.mode == "get" else 303
    unexpected = 0
    for k, (status, location, _, error, _) in enumerate(results):
        if error:
            errors[error] = errors.get(error, 0) + 1
            continue
        statuses[str(status)] = statuses.get(str(status), 0) + 1
        if status != expected_status:
            unexpected += 1
        if expect:
            path, ok_codes = expect[k]
            answer = urllib.parse.urlsplit(location)
            code = urllib.parse.parse_qs(answer.query).get("ok", [""])[0]
            outcomes[code or "-"] = outcomes.get(code or "-", 0) + 1
            if status == 303 and (code not in ok_codes or answer.path != path):
                unexpected += 1
    if a.out and a.mode != "get":
        with open(a.out, "w", encoding="utf-8") as out:
            for (status, location, took, error, sent), (_, _, _, record) in zip(results, requests):
                code = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query).get("ok", [""])[0]
                fields = record[:3] + [status or error, code, f"{sent:.6f}", f"{took:.6f}"] + record[3:]
                out.write("\t".join(map(str, fields)) + "\n")

    print(json.dumps({
        "requests": len(requests),
        "concurrency": a.concurrency,
        "seconds": round(wall, 3),
        "rps": round(len(requests) / wall, 2),
        "p50": round(percentile(latencies, 50), 3),
        "p90": round(percentile(latencies, 90), 3),
        "p99": round(percentile(latencies, 99), 3),
        "max": round(latencies[-1], 3),
        "mean": round(sum(latencies) / len(latencies), 3),
        "statuses": statuses,
        "errors": sum(errors.values()),
        "error_kinds": errors,
        "unexpected": unexpected,
        "outcomes": outcomes,
        **({"codes_read_seconds": round(codes_seconds, 3), "codes_read": len(codes)} if a.mode == "sign" else {}),
    }))


if __name__ == "__main__":
    sys.exit(main())
