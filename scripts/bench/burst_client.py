#!/usr/bin/env python3
"""Concurrent HTTP client of the registration burst (scripts/bench/registration-burst.sh); stdlib
only. A fixed number of requests is shared by CONCURRENCY threads, each with its own keep-alive
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
  get:      GET PATH COUNT times (the reference), with the cookie when one is given.

Prints one JSON object: requests, wall seconds, throughput, latency percentiles (ms), status codes
and errors (connection failures, timeouts, unexpected answers).
"""

import argparse
import http.client
import json
import random
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


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("mode", choices=("register", "get"))
    ap.add_argument("--url", required=True, help="http://127.0.0.1:PORT")
    ap.add_argument("--cookie", default="", help="forma_session value")
    ap.add_argument("--concurrency", type=int, default=50)
    ap.add_argument("--timeout", type=float, default=30, help="seconds per request")
    ap.add_argument("--count", type=int, help="get: requests to send")
    ap.add_argument("--path", default="/healthz", help="get: the path")
    ap.add_argument("--sessions", help="register: JSON file {\"ids\": [...], \"days\": {id: [day ids]}}")
    ap.add_argument("--attempts", type=int, help="register: attempts to send")
    ap.add_argument("--single-day-every", type=int, default=4)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--out", help="register: where to write one line per attempt")
    a = ap.parse_args()

    target = urllib.parse.urlsplit(a.url)
    headers = {"Connection": "keep-alive"}
    if a.cookie:
        headers["Cookie"] = f"forma_session={a.cookie}"

    # The requests, built before the clock starts: (method, path, body, attempt record).
    requests = []
    if a.mode == "get":
        requests = [("GET", a.path, None, None)] * a.count
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
    expected_status = 303 if a.mode == "register" else 200
    unexpected = 0
    for (status, location, _, error, _), (_, _, _, record) in zip(results, requests):
        if error:
            errors[error] = errors.get(error, 0) + 1
            continue
        statuses[str(status)] = statuses.get(str(status), 0) + 1
        if status != expected_status:
            unexpected += 1
        if record is not None:
            code = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query).get("ok", [""])[0]
            outcomes[code or "-"] = outcomes.get(code or "-", 0) + 1
            if status == 303 and (code not in ("inscrit", "attente")
                                  or not location.startswith(f"/gestion/sessions/{record[1]}/inscriptions")):
                unexpected += 1
    if a.mode == "register" and a.out:
        with open(a.out, "w", encoding="utf-8") as out:
            for (status, location, took, error, sent), (_, _, _, record) in zip(results, requests):
                code = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query).get("ok", [""])[0]
                out.write("\t".join(map(str, record + [status or error, code, f"{sent:.6f}", f"{took:.6f}"])) + "\n")

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
    }))


if __name__ == "__main__":
    sys.exit(main())
