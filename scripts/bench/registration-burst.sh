#!/usr/bin/env bash
# Registration burst: many people registering for the same sessions at the same moment, through
# the back-office form, and a check that no day ends up over its limit. For each backend (SQLite,
# then PostgreSQL when one answers on 127.0.0.1:5432):
#   - a fresh base with the demo (`forma demo`), an API token, `forma serve` on loopback, signed in
#     as the demo administrator;
#   - BENCH_SESSIONS INTER sessions planned through the API (scripts/bench/plan_sessions.py): each
#     BENCH_SESSION_DAYS days and BENCH_CAPACITY places, no trainer or room (nothing conflicts);
#     every other session's last day has a head-count maximum of BENCH_LAST_DAY_MAX, below its
#     places, so that a day's limit is not always its session's. One more session is planned to
#     check the form before measuring (registration, then the same form again: no second one);
#   - BENCH_ATTEMPTS registration attempts, BENCH_CONCURRENCY in flight at once, spread over the
#     sessions in a shuffled order (scripts/bench/burst_client.py): POST
#     /gestion/sessions/{id}/inscriptions, each a distinct person with a distinct idempotency key,
#     one in BENCH_SINGLE_DAY_EVERY for one day only (its first or last), the others for every day;
#     every answer must be a 303 to ?ok=inscrit or ?ok=attente;
#   - then, read straight from the database (scripts/bench/check_registrations.py): the seats held
#     on each day against its limit, min(session places, day head-count max, room capacity) —
#     overbooked days must be 0 —, one registration per attempt, confirmed + waitlisted = attempts,
#     each answer matching its row, waiting-list positions 1..n per session, nobody waitlisted
#     while their days have room;
#   - a reference in the same run: GET /healthz by the same client at the same concurrency; and
#     BENCH_SEQUENTIAL_ATTEMPTS registrations one at a time to the extra session (no waiting).
# Reports attempts/s, p50/p90/p99/max latency, the ratio to the reference, the counts, and records
# a dated section in BENCHMARKS.md. No timed assertion: figures are reported.
#
#   bash scripts/bench/registration-burst.sh      # from the repository root, no argument
#
# Environment (all optional):
#   FORMA_BIN=path          use this binary instead of `cargo build --release -p forma`
#   BENCH_SESSIONS=100 BENCH_SESSION_DAYS=2 BENCH_CAPACITY=10 BENCH_LAST_DAY_MAX=8 (0: none)
#   BENCH_ATTEMPTS=2000 BENCH_CONCURRENCY=50 BENCH_SINGLE_DAY_EVERY=4 (0: every attempt for all days)
#   BENCH_PERIOD_FIRST=2027-01-04 BENCH_PERIOD_LAST=2027-06-30: where the sessions go
#   BENCH_REFERENCE_REQUESTS=10000   GET /healthz requests of the reference run
#   BENCH_SEQUENTIAL_ATTEMPTS=200    attempts sent one at a time to the extra session before the
#                           burst (the time of one registration that waits for no other)
#   BENCH_REQUEST_TIMEOUT=30 (seconds): the client's limit per request (a timeout counts as an error)
#   BENCH_POSTGRES=auto     auto: PostgreSQL too when BENCH_PG_URL answers; 1: required; 0: SQLite only
#   BENCH_PG_URL=postgres://postgres@127.0.0.1:5432   server where a database forma_bench_<pid> is
#                           created for the run and dropped at the end
#   BENCH_MD=BENCHMARKS.md  where to record the results ("" to skip)
#   BENCH_STRICT=1          exit with status 2 when a run saw errors, unexpected answers or a failed check
#
# Everything stays on 127.0.0.1, every step is bounded by a timeout, and the server, the temporary
# directory and the PostgreSQL database are removed on exit, failure or interruption included.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

SESSIONS=${BENCH_SESSIONS:-100}
SESSION_DAYS=${BENCH_SESSION_DAYS:-2}
CAPACITY=${BENCH_CAPACITY:-10}
LAST_DAY_MAX=${BENCH_LAST_DAY_MAX:-8}
ATTEMPTS=${BENCH_ATTEMPTS:-2000}
CONCURRENCY=${BENCH_CONCURRENCY:-50}
SINGLE_DAY_EVERY=${BENCH_SINGLE_DAY_EVERY:-4}
PERIOD_FIRST=${BENCH_PERIOD_FIRST:-2027-01-04}
PERIOD_LAST=${BENCH_PERIOD_LAST:-2027-06-30}
REFERENCE_REQUESTS=${BENCH_REFERENCE_REQUESTS:-10000}
SEQUENTIAL_ATTEMPTS=${BENCH_SEQUENTIAL_ATTEMPTS:-200}
REQUEST_TIMEOUT=${BENCH_REQUEST_TIMEOUT:-30}
POSTGRES=${BENCH_POSTGRES:-auto}
PG_URL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}
BENCH_MD=${BENCH_MD-$ROOT/BENCHMARKS.md}
BENCH_STRICT=${BENCH_STRICT:-0}
BUILD_TIMEOUT=${BUILD_TIMEOUT:-3600}
PLAN_PY=$ROOT/scripts/bench/plan_sessions.py
CLIENT_PY=$ROOT/scripts/bench/burst_client.py
CHECK_PY=$ROOT/scripts/bench/check_registrations.py
FETCH_MAX_TIME=30
SHEETS=0                        # put_context reports it; no generated sheets here
WRK_CONNECTIONS=$CONCURRENCY    # idem: the load's concurrency (the client is not wrk)

# ---------------------------------------------------------------------------------------------
# 1. Tools, settings and binary
# ---------------------------------------------------------------------------------------------
missing=()
want curl python3
install_packages "${missing[@]}"
for f in "$PLAN_PY" "$CLIENT_PY" "$CHECK_PY"; do [[ -r $f ]] || die "missing $f"; done
for v in SESSIONS SESSION_DAYS CAPACITY ATTEMPTS CONCURRENCY REFERENCE_REQUESTS SEQUENTIAL_ATTEMPTS REQUEST_TIMEOUT; do
    [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "BENCH_$v must be a whole number above 0"
done
[[ $LAST_DAY_MAX =~ ^[0-9]+$ && $SINGLE_DAY_EVERY =~ ^[0-9]+$ ]] || die "BENCH_LAST_DAY_MAX and BENCH_SINGLE_DAY_EVERY must be whole numbers"
pick_backends

build_forma

make_tmp forma-bench-burst.XXXXXX
unset FORMA_SMTP_URL FORMA_MAIL_FROM

# ---------------------------------------------------------------------------------------------
# 2. One backend, from an empty base to the checked burst
# ---------------------------------------------------------------------------------------------
run_backend() {
    B=$1
    local dir=$TMP/$B
    mkdir -p "$dir"
    new_base "$dir"
    log "[$B] forma demo into a fresh base"
    demo_with_login "$dir"
    api_token "$dir" "bench burst" planning:write planning:read
    local token=$API_TOKEN

    log "[$B] starting forma serve on 127.0.0.1:0"
    start_server
    log "[$B] listening on $URL"

    # Signing in as the demo administrator; the session cookie is kept.
    sign_in "$dir"
    local session=$SESSION
    log "[$B] signed in as $ADMIN_EMAIL"

    # The sessions: SESSIONS for the burst and one more for the checks below.
    log "[$B] planning $((SESSIONS + 1)) sessions of $SESSION_DAYS days, $CAPACITY places (POST /api/v1/sessions)"
    local max_args=()
    (( LAST_DAY_MAX > 0 )) && max_args=(--last-day-max "$LAST_DAY_MAX")
    bounded 1800 python3 "$PLAN_PY" --url "$URL" --token "$token" --count "$((SESSIONS + 1))" --days "$SESSION_DAYS" \
        --first "$PERIOD_FIRST" --last "$PERIOD_LAST" --capacity "$CAPACITY" "${max_args[@]}" >"$dir/plan.json" \
        || die "planning the sessions failed"
    local ids probe
    ids=$(python3 -c 'import json, sys; print(",".join(map(str, json.load(open(sys.argv[1]))["ids"][:-1])))' "$dir/plan.json")
    probe=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["ids"][-1])' "$dir/plan.json")
    python3 -c 'import json, sys; p = json.load(open(sys.argv[1])); print(*(p[k] for k in ("first", "last", "seconds", "warnings")))' \
        "$dir/plan.json" >"$dir/plan.txt"
    read -r plan_first plan_last plan_seconds plan_warnings <"$dir/plan.txt"
    putb plan_period "$plan_first – $plan_last"; putb plan_seconds "$plan_seconds"; putb plan_warnings "$plan_warnings"
    bounded 120 python3 "$CHECK_PY" days --db "$DB_URL" --ids "$ids" >"$dir/sessions.json" || die "could not read the sessions' days"

    # Checks before measuring, on the extra session: the form's page, one registration, the same
    # form again (the idempotency key: answered « déjà », no second registration).
    local code location key body
    code=$(fetch -H "Cookie: forma_session=$session" -o "$dir/form.html" -w '%{http_code}' "$URL/gestion/sessions/$probe/inscriptions")
    [[ $code == 200 ]] || die "GET /gestion/sessions/$probe/inscriptions answered $code"
    grep -aq 'name="cle"' "$dir/form.html" || die "the registration page has no idempotency key field (cle)"
    key=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
    body="first_name=Sonde&last_name=Essai&email=sonde%40bench.forma.test&employer=Essai&job_role=Essai&bpf_type=private_employee&jours=toutes&cle=$key"
    for expected in inscrit deja; do
        location=$(fetch -H "Cookie: forma_session=$session" -o /dev/null -w '%{http_code} %{redirect_url}' --data "$body" \
            "$URL/gestion/sessions/$probe/inscriptions")
        [[ $location == "303 $URL/gestion/sessions/$probe/inscriptions?ok=$expected" ]] \
            || die "registration check: answered « $location », expected a 303 to ?ok=$expected"
    done
    location=$(fetch -o /dev/null -w '%{http_code} %{redirect_url}' --data "${body%cle=*}cle=${key//?/0}" \
        "$URL/gestion/sessions/$probe/inscriptions")
    [[ $location != *ok=* ]] || die "the registration form registers without a session cookie (answered « $location »)"
    log "[$B] checks passed: the form registers once per key, and only when signed in"

    # Warm-up of the reference path (connections, caches), then the reference.
    bounded 120 python3 "$CLIENT_PY" get --url "$URL" --count 1000 --concurrency "$CONCURRENCY" >/dev/null
    log "[$B] reference: $REFERENCE_REQUESTS × GET /healthz, $CONCURRENCY in flight"
    bounded 600 python3 "$CLIENT_PY" get --url "$URL" --count "$REFERENCE_REQUESTS" --concurrency "$CONCURRENCY" \
        --timeout "$REQUEST_TIMEOUT" >"$dir/reference.json" || die "the reference run failed"
    put_json "$dir/reference.json" ref_
    log "[$B]   $(cat "$dir/reference.json")"

    # One at a time on the extra session: the time of a registration that waits for no other.
    bounded 120 python3 "$CHECK_PY" days --db "$DB_URL" --ids "$probe" >"$dir/probe.json" || die "could not read the extra session's days"
    log "[$B] $SEQUENTIAL_ATTEMPTS attempts one at a time on the extra session"
    bounded 600 python3 "$CLIENT_PY" register --url "$URL" --cookie "$session" --sessions "$dir/probe.json" \
        --attempts "$SEQUENTIAL_ATTEMPTS" --concurrency 1 --single-day-every "$SINGLE_DAY_EVERY" \
        --timeout "$REQUEST_TIMEOUT" >"$dir/sequential.json" || die "the sequential run failed"
    put_json "$dir/sequential.json" seq_
    log "[$B]   $(cat "$dir/sequential.json")"

    memory "${B}_before"
    loadavg "${B}_before"
    local cpu_before machine_before
    cpu_before=$(server_cpu); machine_before=$(machine_cpu)
    log "[$B] burst: $ATTEMPTS registration attempts over $SESSIONS sessions, $CONCURRENCY in flight"
    bounded 1800 python3 "$CLIENT_PY" register --url "$URL" --cookie "$session" --sessions "$dir/sessions.json" \
        --attempts "$ATTEMPTS" --concurrency "$CONCURRENCY" --single-day-every "$SINGLE_DAY_EVERY" \
        --timeout "$REQUEST_TIMEOUT" --out "$dir/attempts.tsv" >"$dir/burst.json" || die "the burst failed"
    putb cpu_server "$(cpu_seconds "$cpu_before" "$(server_cpu)")"
    putb cpu_machine "$(busy_percent "$machine_before" "$(machine_cpu)")"
    loadavg "${B}_after"
    memory "${B}_after"
    put_json "$dir/burst.json" burst_
    log "[$B]   $(cat "$dir/burst.json")"

    kill -0 "$SERVER_PID" 2>/dev/null || die "forma serve died during the burst"
    stop_pid "$SERVER_PID" INT
    SERVER_PID=""

    log "[$B] checking the registrations in the base"
    bounded 300 python3 "$CHECK_PY" check --db "$DB_URL" --ids "$ids" --attempts "$dir/attempts.tsv" >"$dir/check.json" \
        || die "the check of the registrations failed"
    put_json "$dir/check.json" check_
    log "[$B]   $(cat "$dir/check.json")"
    putb finished 1
}

put commit_measured "$COMMIT"
for backend in "${BACKENDS[@]}"; do run_backend "$backend"; done
put backends "${BACKENDS[*]}"
put attempts "$ATTEMPTS"; put concurrency "$CONCURRENCY"; put sessions "$SESSIONS"; put session_days "$SESSION_DAYS"
put capacity "$CAPACITY"; put last_day_max "$LAST_DAY_MAX"; put single_day_every "$SINGLE_DAY_EVERY"
put reference_requests "$REFERENCE_REQUESTS"; put sequential_attempts "$SEQUENTIAL_ATTEMPTS"; put request_timeout "$REQUEST_TIMEOUT"
# record() names the first and last load averages.
put loadavg_before "$(awk -F'\t' '$1 == "loadavg_sqlite_before" { print $2 }' "$RESULTS")"
put loadavg_after "$(awk -F'\t' -v k="loadavg_${BACKENDS[-1]}_after" '$1 == k { print $2 }' "$RESULTS")"
put python "$(python3 --version 2>&1)"
put loadavg_what "the bursts"

# ---------------------------------------------------------------------------------------------
# 3. Report
# ---------------------------------------------------------------------------------------------
put_context

report "done: no error, no overbooking" "errors, unexpected answers or failed checks: see the table" <<'PY'
import json
i = lambda k: int(float(r[k]))
backends = r["backends"].split()
names = {"sqlite": "SQLite (WAL)", "postgres": f"PostgreSQL {r.get('postgres_server', '')}".strip()}

def ms(v):
    v = float(v)
    return f"{v / 1000:.2f} s" if v >= 1000 else f"{v:.1f} ms"

def rate(v):
    v = float(v)
    return f"{v:,.0f}" if v >= 100 else f"{v:,.1f}"

def problems(b):
    return json.loads(r[f"{b}_check_problems"])

def bad(b):
    return (i(f"{b}_burst_errors") + i(f"{b}_burst_unexpected") + i(f"{b}_ref_errors") + i(f"{b}_ref_unexpected")
            + i(f"{b}_seq_errors") + i(f"{b}_seq_unexpected") + i(f"{b}_check_overbooked") + len(problems(b)))

def statuses(b, kind):
    s = json.loads(r[f"{b}_{kind}_statuses"])
    return ", ".join(f"{n:,} × {c}" for c, n in sorted(s.items())) or "none"

ratio = lambda b: f(f"{b}_burst_rps") / f(f"{b}_ref_rps")
single = (f"one in {r['single_day_every']} for one day only (the first or the last day, in turn), the others for every day"
          if int(r["single_day_every"]) else "each for every day")
lower = (f"; every other session's last day has a head-count maximum of {r['last_day_max']}, so its limit is "
         f"{min(int(r['last_day_max']), int(r['capacity']))}" if int(r["last_day_max"]) else "")
b0 = backends[0]
data = (f"the demo (`forma demo`) + {r['sessions']} INTER sessions of {r['session_days']} days and {r['capacity']} places each, "
        f"planned through `POST /api/v1/sessions` (`scripts/bench/plan_sessions.py`, {r[b0 + '_plan_period']}, no trainer "
        f"or room){lower}: {i(b0 + '_check_day_places'):,} day-places in all for {int(r['attempts']):,} attempts. "
        f"The attempts go round the sessions ({int(r['attempts']) // int(r['sessions'])} each) in a shuffled order, "
        f"{single}; each a distinct person and idempotency key")

def cpu_text(b):
    per = f(b + "_cpu_server") / int(r["attempts"]) * 1000
    busy = int(r[b + "_cpu_machine"])
    return (f"`forma serve` used {f(b + '_cpu_server'):.2f} s of CPU for the {f(b + '_burst_seconds'):.2f} s burst "
            f"({per:.2f} ms per attempt) and the machine's {r['nproc']} cores were {busy} % busy"), busy

def reading():
    parts = []
    if "sqlite" in backends:
        text, busy = cpu_text("sqlite")
        parts.append(
            f"On SQLite every registration is a write transaction that takes the base's single write lock at its start "
            f"(`BEGIN IMMEDIATE`), whatever its session, so registrations are written one after another (WAL with "
            f"`synchronous=NORMAL`: no fsync per commit): {rate(r['sqlite_burst_rps'])} attempts/s with "
            f"{r['concurrency']} in flight ({ratio('sqlite'):.3f} × `/healthz` by the same client), against "
            f"{rate(r['sqlite_seq_rps'])}/s one at a time (p50 {ms(r['sqlite_seq_p50'])} alone, "
            f"{ms(r['sqlite_burst_p50'])} in the burst, the rest being waits for the pool's 8 connections, the write "
            f"lock and the cores); {text}"
            + (" — the cores, shared with the client, are the limit here before the single writer is."
               if busy >= 90 else " — the cores were not saturated: the serialised write transaction is the limit."))
    if "postgres" in backends:
        text, busy = cpu_text("postgres")
        parts.append(
            f"On PostgreSQL ({r['postgres_sync']}) only registrations to the same session wait for each other (its row "
            f"is locked `FOR UPDATE`): {rate(r['postgres_burst_rps'])} attempts/s "
            f"({ratio('postgres'):.3f} × `/healthz`"
            + (f", {f('postgres_burst_rps') / f('sqlite_burst_rps'):.2f} × SQLite's" if "sqlite" in backends else "")
            + f") against {rate(r['postgres_seq_rps'])}/s one at a time (p50 {ms(r['postgres_seq_p50'])} alone); each "
            f"attempt is about a dozen statements, each a round trip to PostgreSQL, in one transaction whose commit waits "
            f"for its WAL flush, on a pool of 16 connections for {r['concurrency']} requests in flight; {text}"
            + (" — with PostgreSQL's own processes on the same cores, CPU is the limit here."
               if busy >= 90 else " — the cores were not saturated: round trips, commits and the pool are the limit."))
    parts.append(f"The client (Python threads) runs on the same {r['nproc']} cores, so the absolute figures are lower "
                 "than on a dedicated server; the ratios, measured under the same conditions, hold better.")
    return " ".join(parts)

# Plain-text summary on stdout.
print()
print(f"Forma registration burst — {r['datetime']} — commit {r['commit']}")
print(f"{r['nproc']} cores ({r['cpu']}); {r['attempts']} attempts, {r['concurrency']} in flight")
print(f"Data: {data}")
print()
print(f"{'Backend':<16} {'att./s':>8} {'p50':>9} {'p90':>9} {'p99':>9} {'max':>9} {'errors':>7} {'confirmed':>9} {'waitlist':>8} {'overbooked':>10} {'/healthz':>9} {'ratio':>7}")
for b in backends:
    print(f"{names[b]:<16} {rate(r[b + '_burst_rps']):>8} {ms(r[b + '_burst_p50']):>9} {ms(r[b + '_burst_p90']):>9} "
          f"{ms(r[b + '_burst_p99']):>9} {ms(r[b + '_burst_max']):>9} {i(b + '_burst_errors') + i(b + '_burst_unexpected'):>7} "
          f"{i(b + '_check_confirmed'):>9} {i(b + '_check_waitlisted'):>8} {i(b + '_check_overbooked'):>10} "
          f"{rate(r[b + '_ref_rps']):>9} {ratio(b):>7.3f}")
    for p in problems(b):
        print(f"  PROBLEM ({b}): {p}")
print()
print(reading())
print()

if md_path:
    lines = [
        f"- **Build**: `cargo build --release -p forma`, {r['rustc']}; bases created for the run (SQLite in a temporary "
        "directory" + (f"; PostgreSQL {r['postgres_server']} on 127.0.0.1, a database created and dropped by the script, "
                       f"{r['postgres_sync']}" if "postgres" in backends else "") + ")",
        f"- **Data**: {data}. Signed in as the demo administrator.",
        f"- **Load**: `scripts/bench/burst_client.py` ({r['python']}, threads, one keep-alive connection each, stdlib "
        f"`http.client`): {int(r['attempts']):,} `POST /gestion/sessions/{{id}}/inscriptions` (the back-office form, "
        f"`jours=toutes` or one day, a 32-hex `cle`), {r['concurrency']} in flight, each thread sending its next request "
        "as soon as its answer is read; latency from just before sending to the end of the answer. Reference: "
        f"{int(r['reference_requests']):,} `GET /healthz` by the same client at the same concurrency, just before the "
        f"burst. **Client, server (and PostgreSQL) share the same {r['nproc']} cores.**",
        "",
        "| Backend | Attempts | In flight | Attempts/s | p50 | p90 | p99 | Max | Errors | Confirmed | Waitlisted | Overbooked days | `/healthz` req/s (same client) | Ratio |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for b in backends:
        lines.append(
            f"| {names[b]} | {int(r['attempts']):,} | {r['concurrency']} | **{rate(r[b + '_burst_rps'])}** | "
            f"{ms(r[b + '_burst_p50'])} | {ms(r[b + '_burst_p90'])} | {ms(r[b + '_burst_p99'])} | {ms(r[b + '_burst_max'])} | "
            f"{i(b + '_burst_errors') + i(b + '_burst_unexpected')} | {i(b + '_check_confirmed'):,} | "
            f"{i(b + '_check_waitlisted'):,} | **{i(b + '_check_overbooked')}** | {rate(r[b + '_ref_rps'])} | "
            f"{ratio(b):.3f} |")
    lines += ["", "| Check, read from the base after the burst | " + " | ".join(names[b] for b in backends) + " |",
              "|---|" + "---:|" * len(backends)]
    rows = [
        ("Answers (all must be 303 to `?ok=inscrit` or `?ok=attente`)", lambda b: statuses(b, "burst")),
        ("Burst duration", lambda b: f"{f(b + '_burst_seconds'):.2f} s"),
        ("One at a time (extra session, " + r["sequential_attempts"] + " attempts): attempts/s, p50 / p99",
         lambda b: f"{rate(r[b + '_seq_rps'])}, {ms(r[b + '_seq_p50'])} / {ms(r[b + '_seq_p99'])}"),
        ("CPU of `forma serve` during the burst; machine busy", lambda b: f"{f(b + '_cpu_server'):.2f} s; {r[b + '_cpu_machine']} %"),
        ("Registrations in the base / attempts", lambda b: f"{i(b + '_check_registrations'):,} / {int(r['attempts']):,}"),
        ("Confirmed + waitlisted", lambda b: f"{i(b + '_check_confirmed'):,} + {i(b + '_check_waitlisted'):,} = "
                                             f"{i(b + '_check_confirmed') + i(b + '_check_waitlisted'):,}"),
        ("Attempts for one day only", lambda b: f"{i(b + '_check_single_day'):,}"),
        ("Days / days with a limit below their session's", lambda b: f"{i(b + '_check_days')} / {i(b + '_check_days_below_session')}"),
        ("Seats held / day-places", lambda b: f"{i(b + '_check_seats_held'):,} / {i(b + '_check_day_places'):,}"),
        ("Days full at the end", lambda b: f"{i(b + '_check_full_days')}"),
        ("**Days over their limit**", lambda b: f"**{i(b + '_check_overbooked')}**"),
        ("Answers not matching their row", lambda b: f"{i(b + '_check_mismatched')}"),
        ("Sessions whose waiting-list positions are not 1..n", lambda b: f"{i(b + '_check_position_gaps')}"),
        ("Waitlisted while every chosen day has room", lambda b: f"{i(b + '_check_needless_waits')}"),
        ("Waitlisted pairs of a session ranked against their sending order (in flight together) / all pairs",
         lambda b: f"{i(b + '_check_out_of_order'):,} / {i(b + '_check_order_pairs'):,}"),
        ("… of which the later-ranked one was answered before the other was sent", lambda b: f"{i(b + '_check_impossible_order')}"),
        ("`forma serve` RSS before → after the burst", lambda b: f"{r['rss_' + b + '_before']} → {r['rss_' + b + '_after']} MB"),
        ("Reference: `/healthz` p50 / p99", lambda b: f"{ms(r[b + '_ref_p50'])} / {ms(r[b + '_ref_p99'])}"),
    ]
    for label, cell in rows:
        lines.append(f"| {label} | " + " | ".join(cell(b) for b in backends) + " |")
    lines += ["", "Day limit = min(session places, the day's head-count maximum, its room's capacity), computed by the "
              "check itself from the base (`scripts/bench/check_registrations.py`); seats held = confirmed (and offered) "
              "registrations choosing that day or every day. Errors counts connection failures, timeouts and answers "
              "other than the expected 303. No seat is freed during the burst, so a waitlisted registration must have a "
              "chosen day full at the end. The waiting list's order is the order in which registrations take the "
              "session's lock; two attempts in flight at the same time may take it in either order.", "", "**Reading.** " + reading(), ""]
    notes = [f"{names[b]}: {p}" for b in backends for p in problems(b)]
    if notes:
        lines += ["Problems found: " + "; ".join(notes) + ".", ""]
    record("registration-burst-bench", "Registration burst", "scripts/bench/registration-burst.sh", lines)

sys.exit(3 if any(bad(b) for b in backends) else 0)
PY
exit 0
