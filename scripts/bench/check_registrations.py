#!/usr/bin/env python3
"""Reads the registration burst's sessions straight from the database (SQLite through python3's
sqlite3 module, PostgreSQL through psql), for scripts/bench/registration-burst.sh.

  days  --ids 1,2,…                 prints {"ids": [...], "days": {session: [day ids by date]}}
  check --ids 1,2,… --attempts FILE checks the outcome of the burst and prints one JSON object:
        - every day's limit, computed here as min(session places, day head-count max, room
          capacity), against the seats held on it (confirmed + offered registrations choosing
          that day or all days): `overbooked` = days over their limit, must be 0;
        - registrations in the base = attempts (one per idempotency key), confirmed + waitlisted
          = attempts, and each attempt's answer (?ok=inscrit / attente) matches its row;
        - each session's waiting-list positions are 1..n without a gap or a repeat;
        - nobody waits needlessly: each waitlisted registration has a chosen day at its limit
          (no seat is freed during the burst, so a day full then is full now);
        - the waiting lists' order against the order the attempts were sent: pairs of one
          session's waitlisted registrations ranked against the order they were sent in
          (`out_of_order`: legitimate when both were in flight at once, the server then orders
          them as they take the lock) and, among those, pairs where the one ranked later had its
          answer before the other was even sent (`impossible_order`, must be 0).

`query` and `execute` are also the database access of scripts/bench/check_attendance.py.
"""

import argparse
import json
import subprocess
import sys
from collections import defaultdict


def query(db, sql):
    if db.startswith("sqlite://"):
        import sqlite3
        conn = sqlite3.connect(f"file:{db[len('sqlite://'):]}?mode=ro", uri=True)
        try:
            return [tuple("" if v is None else str(v) for v in row) for row in conn.execute(sql)]
        finally:
            conn.close()
    out = subprocess.run(["psql", db, "-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", sql],
                         check=True, capture_output=True, text=True, timeout=120).stdout
    return [tuple(line.split("\t")) for line in out.splitlines() if line]


def execute(db, statements):
    """Runs STATEMENTS (SQL without results, values written in) in one transaction."""
    if db.startswith("sqlite://"):
        import sqlite3
        conn = sqlite3.connect(db[len("sqlite://"):], timeout=60)
        try:
            with conn:
                for sql in statements:
                    conn.execute(sql)
        finally:
            conn.close()
        return
    subprocess.run(["psql", db, "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", "-f", "-"],
                   input="".join(f"{sql};\n" for sql in statements), check=True, capture_output=True, text=True, timeout=300)


def opt_int(v):
    return int(v) if v not in ("", None) else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("mode", choices=("days", "check"))
    ap.add_argument("--db", required=True)
    ap.add_argument("--ids", required=True, help="the sessions, comma-separated")
    ap.add_argument("--attempts", help="check: the client's file, one line per attempt")
    a = ap.parse_args()
    ids = [int(i) for i in a.ids.split(",")]
    in_ids = ",".join(map(str, ids))

    days = query(a.db, "SELECT d.id, d.session_id, d.headcount_max, rm.capacity, s.capacity FROM session_days d "
                       "JOIN sessions s ON s.id = d.session_id LEFT JOIN rooms rm ON rm.id = d.room_id "
                       f"WHERE d.session_id IN ({in_ids}) ORDER BY d.session_id, d.day_date, d.id")
    by_session = defaultdict(list)
    limit, below = {}, 0
    for day_id, session, headcount_max, room, places in days:
        by_session[int(session)].append(int(day_id))
        caps = [c for c in (opt_int(places), opt_int(headcount_max), opt_int(room)) if c is not None]
        limit[int(day_id)] = min(caps) if caps else None
        below += opt_int(places) is not None and caps and min(caps) < opt_int(places)
    if a.mode == "days":
        missing = [i for i in ids if not by_session[i]]
        if missing:
            sys.exit(f"sessions without days: {missing}")
        print(json.dumps({"ids": ids, "days": {str(i): by_session[i] for i in ids}}))
        return

    regs = query(a.db, "SELECT r.id, r.session_id, r.status, CASE WHEN r.all_days THEN 1 ELSE 0 END, r.waitlist_position, "
                       f"r.idempotency_key FROM registrations r WHERE r.session_id IN ({in_ids}) ORDER BY r.id")
    chosen = defaultdict(list)
    for reg, day in query(a.db, "SELECT rd.registration_id, rd.day_id FROM registration_days rd "
                                f"JOIN registrations r ON r.id = rd.registration_id WHERE r.session_id IN ({in_ids})"):
        chosen[int(reg)].append(int(day))

    problems = []
    status_count = defaultdict(int)
    held = defaultdict(int)
    positions = defaultdict(list)
    by_key = {}
    waiting = []
    positions_by_reg = {}
    for reg, session, status, all_days, position, key in regs:
        reg, session = int(reg), int(session)
        status_count[status] += 1
        picked = by_session[session] if all_days == "1" else chosen[reg]
        if not picked:
            problems.append(f"registration {reg} holds no day")
        if status in ("confirmed", "offered"):
            for d in picked:
                held[d] += 1
        if status in ("waitlisted", "offered"):
            positions[session].append(opt_int(position))
            positions_by_reg[reg] = opt_int(position)
        if status == "waitlisted":
            waiting.append((reg, picked))
        by_key[key] = (reg, session, status)

    overbooked = [(d, held[d], limit[d]) for d in limit if limit[d] is not None and held[d] > limit[d]]
    for d, n, lim in overbooked[:10]:
        problems.append(f"day {d}: {n} seats held for a limit of {lim}")
    full_days = sum(1 for d in limit if limit[d] is not None and held[d] >= limit[d])
    needless = [reg for reg, picked in waiting if all(limit[d] is None or held[d] < limit[d] for d in picked)]
    if needless:
        problems.append(f"{len(needless)} waitlisted registration(s) whose chosen days all have room, e.g. {needless[:5]}")
    gaps = []
    for session, ps in positions.items():
        if sorted(p if p is not None else 0 for p in ps) != list(range(1, len(ps) + 1)):
            gaps.append(session)
    if gaps:
        problems.append(f"waiting-list positions not 1..n in {len(gaps)} session(s), e.g. {gaps[:5]}")

    attempts = []
    if a.attempts:
        for line in open(a.attempts, encoding="utf-8"):
            key, session, day, status, code, sent, took = line.rstrip("\n").split("\t")
            attempts.append((key, int(session), day, status, code, float(sent), float(took)))
    mismatched = 0
    expect = {"inscrit": "confirmed", "attente": "waitlisted"}
    for key, session, _, _, code, _, _ in attempts:
        row = by_key.get(key)
        if row is None or row[1] != session or expect.get(code) != row[2]:
            mismatched += 1
    if mismatched:
        problems.append(f"{mismatched} attempt(s) whose answer does not match their row (or with no row)")
    # Waiting-list order against sending order, per session.
    timing = {key: (sent, sent + took) for key, _, _, _, _, sent, took in attempts}
    ranked = defaultdict(list)
    for key, (reg, session, status) in by_key.items():
        if status == "waitlisted" and key in timing:
            ranked[session].append((positions_by_reg[reg], timing[key]))
    out_of_order = impossible = pairs = 0
    for rows in ranked.values():
        rows.sort()
        for x in range(len(rows)):
            for y in range(x + 1, len(rows)):
                pairs += 1
                (_, (sent_x, done_x)), (_, (sent_y, done_y)) = rows[x], rows[y]
                if sent_y < sent_x:  # y ranked after x, yet sent first
                    out_of_order += 1
                    if done_y < sent_x:
                        impossible += 1
    if impossible:
        problems.append(f"{impossible} waitlisted pair(s) ranked after a registration sent once their answer was back")
    if len(regs) != len(attempts):
        problems.append(f"{len(regs)} registrations in the base for {len(attempts)} attempts")
    others = {s: n for s, n in status_count.items() if s not in ("confirmed", "waitlisted")}
    if others:
        problems.append(f"unexpected statuses: {others}")
    confirmed, waitlisted = status_count["confirmed"], status_count["waitlisted"]
    if confirmed + waitlisted != len(attempts):
        problems.append(f"confirmed {confirmed} + waitlisted {waitlisted} != {len(attempts)} attempts")

    places = sum(lim for lim in limit.values() if lim is not None)
    print(json.dumps({
        "sessions": len(ids),
        "days": len(limit),
        "day_places": places,
        "days_below_session": int(below),
        "seats_held": sum(held.values()),
        "full_days": full_days,
        "registrations": len(regs),
        "confirmed": confirmed,
        "waitlisted": waitlisted,
        "single_day": sum(1 for a_ in attempts if a_[2]),
        "out_of_order": out_of_order,
        "order_pairs": pairs,
        "impossible_order": impossible,
        "overbooked": len(overbooked),
        "needless_waits": len(needless),
        "position_gaps": len(gaps),
        "mismatched": mismatched,
        "problems": problems,
    }))


if __name__ == "__main__":
    main()
