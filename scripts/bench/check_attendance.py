#!/usr/bin/env python3
"""The attendance spike's database side (scripts/bench/attendance-spike.sh): SQLite through
python3's sqlite3 module, PostgreSQL through psql, as scripts/bench/check_registrations.py (whose
`query` and `execute` it uses).

  links --ids 1,2,… --date D   gives every confirmed registration of those sessions a personal
        link, as a convocation would: a token of 32 random hex characters, `link_hash` = the
        lowercase hex SHA-256 of the token's text (crates/web/src/auth/token.rs, `hash_token`),
        `link_expires_at` = now + --valid-days. Prints {"signers": [{registration, session,
        day, token}]}, `day` being the session's day dated D.
  check --ids 1,2,… --signers FILE --attempts FILE   checks the outcome of the spike and prints
        one JSON object:
        - one `sign` event per signer, on its session, day and half-day (--half), and no other
          signature in those sessions: `sign_rows` = signers, `missing` = `duplicates` =
          `wrong_slot` = `unexpected` = 0;
        - every signature stored as it was sent (the client's file holds the JSON it sent, which
          is already in the server's canonical form) and hashed: `signatures_differ` =
          `sha_mismatch` = 0; recorded with method `code`;
        - each session's chain numbered 1..n without a gap or a repeat (`seq_gaps` = 0);
        - every 303 answer has its row (`answered_without_row` = 0);
        - and the time from the first signature recorded to the last (`recorded_span`).
"""

import argparse
import datetime as dt
import hashlib
import json
import re
import secrets
import sys
from collections import Counter, defaultdict

sys.dont_write_bytecode = True  # no __pycache__ left in the repository by the import below
from check_registrations import execute, query  # noqa: E402  (same folder)


def timestamp(text):
    """A recorded_at as either backend returns it, to a datetime."""
    text = text.strip().replace(" ", "T")
    text = re.sub(r"(\.\d{6})\d+", r"\1", text)      # nanoseconds (SQLite, chrono's text form)
    text = re.sub(r"([+-]\d\d)$", r"\1:00", text)     # +00 (psql)
    return dt.datetime.fromisoformat(text)


def links(a, ids):
    in_ids = ",".join(map(str, ids))
    days = {int(s): int(d) for d, s in query(a.db, f"SELECT id, session_id FROM session_days WHERE session_id IN ({in_ids}) "
                                                    f"AND day_date = '{a.date.isoformat()}'")}
    missing = [i for i in ids if i not in days]
    if missing:
        sys.exit(f"sessions without a day on {a.date}: {missing}")
    regs = [(int(r), int(s)) for r, s in query(a.db, "SELECT id, session_id FROM registrations "
                                                     f"WHERE session_id IN ({in_ids}) AND status = 'confirmed' ORDER BY id")]
    if a.db.startswith("sqlite://"):
        # chrono's RFC 3339 text, as the server writes it: the server compares it as text.
        expires = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=a.valid_days)).strftime("'%Y-%m-%dT%H:%M:%S.%f+00:00'")
    else:
        expires = f"now() + interval '{a.valid_days} days'"
    signers, statements = [], []
    for registration, session in regs:
        token = secrets.token_hex(16)
        digest = hashlib.sha256(token.encode()).hexdigest()
        statements.append(f"UPDATE registrations SET link_hash = '{digest}', link_expires_at = {expires} WHERE id = {registration}")
        signers.append({"registration": registration, "session": session, "day": days[session], "token": token})
    execute(a.db, statements)
    print(json.dumps({"signers": signers}))


def check(a, ids):
    in_ids = ",".join(map(str, ids))
    signers = {s["registration"]: s for s in json.load(open(a.signers))["signers"]}
    sent, answered = {}, set()
    for line in open(a.attempts, encoding="utf-8"):
        registration, _, _, status, code, _, _, signature = line.rstrip("\n").split("\t")
        sent[int(registration)] = signature
        if status == "303" and code == "emargement":
            answered.add(int(registration))

    events = query(a.db, "SELECT session_id, seq, kind, day_id, half_day, registration_id, signature, signature_sha256, method, "
                         f"recorded_at FROM attendance_events WHERE session_id IN ({in_ids}) ORDER BY session_id, seq")
    seqs = defaultdict(list)
    kinds = Counter()
    signs = defaultdict(list)
    for session, seq, kind, day, half, registration, signature, sha, method, recorded in events:
        seqs[int(session)].append(int(seq))
        kinds[kind] += 1
        if kind == "sign":
            signs[int(registration) if registration else None].append(
                (int(session), int(day), half, signature, sha, method, timestamp(recorded)))

    problems = []
    gaps = [s for s, ns in seqs.items() if ns != list(range(1, len(ns) + 1))]
    if gaps:
        problems.append(f"chain positions not 1..n in {len(gaps)} session(s), e.g. {gaps[:5]}")
    missing = [r for r in signers if r not in signs]
    duplicates = [r for r, rows in signs.items() if len(rows) > 1]
    unexpected = [r for r in signs if r not in signers]
    wrong_slot = differ = sha_mismatch = without = not_code = 0
    for registration, rows in signs.items():
        signer = signers.get(registration)
        for session, day, half, signature, sha, method, _ in rows:
            if signer and (session, day, half) != (signer["session"], signer["day"], a.half):
                wrong_slot += 1
            if not signature:
                without += 1
                continue
            if signature != sent.get(registration):
                differ += 1
            if hashlib.sha256(signature.encode()).hexdigest() != sha:
                sha_mismatch += 1
            if method != "code":
                not_code += 1
    without_row = [r for r in answered if r not in signs]
    for count, what in ((len(missing), "signer(s) without a signature row"), (len(duplicates), "registration(s) signed more than once"),
                        (len(unexpected), "signature row(s) of registrations that did not sign"),
                        (wrong_slot, "signature row(s) on another session, day or half-day"),
                        (without, "signature row(s) without the drawing"), (differ, "drawing(s) stored unlike what was sent"),
                        (sha_mismatch, "drawing(s) whose SHA-256 does not match"), (not_code, "signature row(s) not recorded as by code"),
                        (len(without_row), "303 answer(s) without their row")):
        if count:
            problems.append(f"{count} {what}")
    recorded = sorted(row[6] for rows in signs.values() for row in rows)
    print(json.dumps({
        "sessions": len(ids),
        "signers": len(signers),
        "events": len(events),
        "kinds": dict(kinds),
        "sign_rows": kinds["sign"],
        "signed_registrations": len([r for r in signs if r is not None]),
        "missing": len(missing),
        "duplicates": len(duplicates),
        "unexpected": len(unexpected),
        "wrong_slot": wrong_slot,
        "without_signature": without,
        "signatures_differ": differ,
        "sha_mismatch": sha_mismatch,
        "not_code": not_code,
        "seq_gaps": len(gaps),
        "longest_chain": max((len(ns) for ns in seqs.values()), default=0),
        "answered_without_row": len(without_row),
        "recorded_span": round((recorded[-1] - recorded[0]).total_seconds(), 3) if recorded else None,
        "problems": problems,
    }))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("mode", choices=("links", "check"))
    ap.add_argument("--db", required=True)
    ap.add_argument("--ids", required=True, help="the sessions, comma-separated")
    ap.add_argument("--date", type=dt.date.fromisoformat, help="links: the day to sign (the sessions' day of that date)")
    ap.add_argument("--valid-days", type=int, default=30, help="links: how long the links stay valid")
    ap.add_argument("--signers", help="check: the links' file")
    ap.add_argument("--attempts", help="check: the client's file, one line per signature")
    ap.add_argument("--half", default="morning", choices=("morning", "afternoon"), help="check: the half-day signed")
    a = ap.parse_args()
    ids = [int(i) for i in a.ids.split(",")]
    if a.mode == "links":
        if not a.date:
            sys.exit("links needs --date")
        links(a, ids)
    else:
        if not (a.signers and a.attempts):
            sys.exit("check needs --signers and --attempts")
        check(a, ids)


if __name__ == "__main__":
    main()
