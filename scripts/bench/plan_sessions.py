#!/usr/bin/env python3
"""Plans extra INTER sessions through the API (`POST /api/v1/sessions`, a `planning:write` token),
spread evenly over the working days of a period, for the planning benchmark
(scripts/bench/planning.sh). Each session has DAYS consecutive working days at a place typed in
words, without trainer or room: they never conflict, so every one is accepted, but each is
loaded and scanned by the calendars and by the conflict check of any session whose first and
last days frame it. The programs are the published INTER sheets, in turn.

Prints one JSON object: sessions and days created, seconds taken (sequential requests, each
checked for conflicts by the server before it is written), warnings returned, how many of the
days created fall between the first and last day of --window-session (read through the API), and
the new sessions' numbers. Also used by the registration burst (scripts/bench/registration-burst.sh)
with --capacity and --last-day-max, so that some days have a lower limit than their session, and
by the attendance spike (scripts/bench/attendance-spike.sh) with --every-day and --morning/--afternoon,
for one-day sessions today, whatever the weekday, signed at any hour.
"""

import argparse
import datetime as dt
import json
import sys
import time
import urllib.error
import urllib.request

OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def call(method, url, token=None, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Accept", "application/json")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with OPENER.open(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")


def working_days(first, last, every_day=False):
    day, out = first, []
    while day <= last:
        if every_day or day.weekday() < 5:
            out.append(day)
        day += dt.timedelta(days=1)
    return out


def half_day(text):
    """`HH:MM-HH:MM` -> the API's half-day object."""
    try:
        start, end = (dt.time.fromisoformat(t.strip()) for t in text.split("-"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected HH:MM-HH:MM, got {text!r}") from None
    return {"start": start.strftime("%H:%M:%S"), "end": end.strftime("%H:%M:%S")}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", required=True, help="the server, e.g. http://127.0.0.1:8080")
    ap.add_argument("--token", required=True, help="an API token with planning:write and planning:read")
    ap.add_argument("--count", type=int, required=True, help="sessions to plan")
    ap.add_argument("--days", type=int, default=2, help="working days per session")
    ap.add_argument("--every-day", action="store_true", help="count every calendar day as a working day (weekends too)")
    ap.add_argument("--first", type=dt.date.fromisoformat, required=True, help="first day of the period")
    ap.add_argument("--last", type=dt.date.fromisoformat, required=True, help="last day of the period")
    ap.add_argument("--window-session", type=int, help="count the days created between this session's first and last days")
    ap.add_argument("--capacity", type=int, default=12, help="places of each session")
    ap.add_argument("--last-day-max", type=int,
                    help="head-count 1 to N on the last day of every other session (the 2nd, 4th…): a day limit below the session's")
    ap.add_argument("--morning", type=half_day, help="HH:MM-HH:MM: the morning's hours (with neither option: the server's default day)")
    ap.add_argument("--afternoon", type=half_day, help="HH:MM-HH:MM: the afternoon's hours; with --morning alone, no afternoon")
    a = ap.parse_args()

    status, listing = call("GET", f"{a.url}/api/v1/programs?kind=INTER&per_page=100")
    if status != 200 or not listing.get("items"):
        sys.exit(f"no published INTER program from the API ({status}): {listing}")
    slugs = [p["slug"] for p in listing["items"]]

    days = working_days(a.first, a.last, a.every_day)
    if len(days) < a.days:
        sys.exit("the period holds fewer working days than one session needs")
    starts = len(days) - a.days + 1
    created_days, warnings, ids = [], 0, []
    began = time.monotonic()
    for k in range(a.count):
        i = k * starts // a.count if a.count else 0
        dates = days[i:i + a.days]
        body = {
            "program": slugs[k % len(slugs)],
            "kind": "INTER",
            "capacity": a.capacity,
            "days": [{"date": d.isoformat(), "title": f"Journée {j + 1}", "place": f"Salle d'essai {k % 17 + 1}, Moulins"}
                     for j, d in enumerate(dates)],
        }
        for day in body["days"]:
            for half in ("morning", "afternoon"):
                if getattr(a, half):
                    day[half] = getattr(a, half)
        if a.last_day_max and k % 2 == 1:
            body["days"][-1].update(headcount_min=1, headcount_max=a.last_day_max)
        status, answer = call("POST", f"{a.url}/api/v1/sessions", a.token, body)
        if status != 201:
            sys.exit(f"POST /api/v1/sessions answered {status} for session {k + 1}: {answer}")
        warnings += len(answer.get("warnings", []))
        ids.append(answer["id"])
        created_days.extend(dates)
    seconds = time.monotonic() - began

    in_window = None
    if a.window_session:
        status, seed = call("GET", f"{a.url}/api/v1/sessions/{a.window_session}", a.token)
        if status != 200:
            sys.exit(f"GET /api/v1/sessions/{a.window_session} answered {status}: {seed}")
        seed_dates = [dt.date.fromisoformat(d["date"]) for d in seed["days"]]
        lo, hi = min(seed_dates), max(seed_dates)
        in_window = sum(1 for d in created_days if lo <= d <= hi)

    print(json.dumps({
        "sessions": a.count,
        "days": len(created_days),
        "seconds": round(seconds, 3),
        "warnings": warnings,
        "programs": len(slugs),
        "first": min(created_days).isoformat() if created_days else None,
        "last": max(created_days).isoformat() if created_days else None,
        "in_window": in_window,
        "ids": ids,
    }))


if __name__ == "__main__":
    main()
