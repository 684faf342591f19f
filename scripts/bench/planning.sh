#!/usr/bin/env bash
# Planning benchmark: loads the demo into a fresh SQLite base (the seed's action with convention
# 26/19 and its avenant, coming INTRA sessions, requests), plans extra INTER sessions through the
# API so that calendars and conflict checks have rows to read, serves it with `forma serve` on
# loopback, signs in as the demo administrator and measures with wrk, each against references
# measured in the same run (the seed's public sheet page, served from memory, and /healthz):
#   - the seed session's page /gestion/sessions/{id} (7 days from March to October 2019; its
#     conflicts are recomputed at each display against every day booked between its first and
#     last days);
#   - the calendar /gestion/calendrier: month of every session, week, and one trainer's month;
#   - the seed session's secret iCalendar feed /agenda/{token}.ics (created by the script with
#     the calendar page's form, as a planner would);
#   - the PDF of convention 26/19 (typst render), with few connections;
#   - the public list of coming sessions /sessions.
# Reports req/s, p50/p99 latency with many connections and with one, the ratios, response sizes
# and RSS, and records a dated section in BENCHMARKS.md. No timed assertion: figures are reported.
#
#   bash scripts/bench/planning.sh            # from the repository root, no argument
#
# Environment (all optional):
#   FORMA_BIN=path        use this binary instead of `cargo build --release -p forma`
#   BENCH_SESSIONS=200    extra INTER sessions planned through the API before measuring (0: none)
#   BENCH_SESSION_DAYS=2  working days of each extra session
#   BENCH_PERIOD_FIRST=2019-03-01 BENCH_PERIOD_LAST=2019-10-31: where the extra sessions go (the
#                         seed's action runs from 22 March to 18 October 2019)
#   BENCH_MONTH=2019-03-01   the month shown by the calendar runs; BENCH_WEEK=2019-03-18 the week
#   WRK_THREADS=2 WRK_CONNECTIONS=32 WRK_DURATION=10 (seconds) WRK_WARMUP=2 (seconds)
#   WRK_SINGLE_DURATION=5 (seconds): extra run of each URL with one connection (latency without queueing)
#   WRK_TIMEOUT=10 (seconds): wrk's per-request timeout
#   PDF_CONNECTIONS=2 PDF_DURATION=10 (seconds): the convention PDF's runs (then 1 connection as well)
#   BENCH_MD=BENCHMARKS.md   where to record the results ("" to skip)
#   BENCH_STRICT=1        exit with status 2 when a run saw errors or unexpected answers
#
# Everything stays on 127.0.0.1, every step is bounded by a timeout, and the server and the
# temporary directory are removed on exit, failure or interruption included.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

SESSIONS=${BENCH_SESSIONS:-200}
SESSION_DAYS=${BENCH_SESSION_DAYS:-2}
PERIOD_FIRST=${BENCH_PERIOD_FIRST:-2019-03-01}
PERIOD_LAST=${BENCH_PERIOD_LAST:-2019-10-31}
MONTH=${BENCH_MONTH:-2019-03-01}
WEEK=${BENCH_WEEK:-2019-03-18}
WRK_THREADS=${WRK_THREADS:-2}
WRK_CONNECTIONS=${WRK_CONNECTIONS:-32}
WRK_DURATION=${WRK_DURATION:-10}
WRK_WARMUP=${WRK_WARMUP:-2}
WRK_SINGLE_DURATION=${WRK_SINGLE_DURATION:-5}
WRK_TIMEOUT=${WRK_TIMEOUT:-10}
PDF_CONNECTIONS=${PDF_CONNECTIONS:-2}
PDF_DURATION=${PDF_DURATION:-10}
BENCH_MD=${BENCH_MD-$ROOT/BENCHMARKS.md}
BENCH_STRICT=${BENCH_STRICT:-0}
BUILD_TIMEOUT=${BUILD_TIMEOUT:-3600}
PLAN_PY=$ROOT/scripts/bench/plan_sessions.py
FETCH_MAX_TIME=30
SHEETS=0 # no generated sheets: the demo catalogue only (set from /healthz below)

# ---------------------------------------------------------------------------------------------
# 1. Tools and binary
# ---------------------------------------------------------------------------------------------
missing=()
want wrk curl python3
install_packages "${missing[@]}"
command -v wrk >/dev/null || die "wrk not found after installation"
[[ -r $PLAN_PY ]] || die "missing $PLAN_PY"
[[ $SESSIONS =~ ^[0-9]+$ && $SESSION_DAYS =~ ^[1-9][0-9]*$ ]] || die "BENCH_SESSIONS and BENCH_SESSION_DAYS must be whole numbers"
(( PDF_CONNECTIONS >= 1 )) || die "PDF_CONNECTIONS must be at least 1"

build_forma

# ---------------------------------------------------------------------------------------------
# 2. Data: demo (accounts, planning), an API token, server
# ---------------------------------------------------------------------------------------------
make_tmp forma-bench-plan.XXXXXX
unset FORMA_SMTP_URL FORMA_MAIL_FROM

# `forma demo` on a new base creates one account per role and prints the administrator's
# password: « Gestion : identifiant admin@demo.forma.test — mot de passe … ».
log "forma demo into a fresh base"
load_demo
log "$(head -n1 "$TMP/demo.out")"
LOGIN_LINE=$(grep -a -m1 'Gestion : identifiant' "$TMP/demo.out" || true)
[[ -n $LOGIN_LINE ]] || { cat "$TMP/demo.out" >&2; die "forma demo printed no administrator login (was the base new?)"; }
LOGIN_EMAIL=$(sed -E 's/.*identifiant ([^ ]+) .*/\1/' <<<"$LOGIN_LINE")
LOGIN_PASSWORD=$(sed -E 's/.*mot de passe (.+)$/\1/' <<<"$LOGIN_LINE")
[[ $LOGIN_EMAIL == *@* && -n $LOGIN_PASSWORD ]] || die "could not read the login from: $LOGIN_LINE"
log "demo loaded; administrator $LOGIN_EMAIL"

# The token that plans the extra sessions (shown once, only its hash is kept).
API_TOKEN=$(bounded 60 "$BIN" --db "$DB_URL" token add --name "bench planning" --scope planning:write --scope planning:read 2>"$TMP/token.err") \
    || { cat "$TMP/token.err" >&2; die "forma token add failed"; }
[[ $API_TOKEN =~ ^[A-Za-z0-9_]+$ ]] || die "forma token add printed no token"

log "starting forma serve on 127.0.0.1:0"
start_server
put rss_start "$(kb_to_mb "$(status_kb VmRSS)")"
log "listening on $URL"
SHEETS=$(fetch "$URL/healthz" | python3 -c "import json, sys; print(json.load(sys.stdin)['indexed_programs'])")
put indexed "$SHEETS"

# ---------------------------------------------------------------------------------------------
# 3. Signing in: POST /connexion as a browser would (no Origin header), keep the session cookie
# ---------------------------------------------------------------------------------------------
fetch -o /dev/null -D "$TMP/login.headers" -X POST --data-urlencode "email=$LOGIN_EMAIL" \
    --data-urlencode "password=$LOGIN_PASSWORD" "$URL/connexion"
LOGIN_STATUS=$(awk 'NR == 1 { print $2 }' "$TMP/login.headers")
[[ $LOGIN_STATUS == 303 ]] || { cat "$TMP/login.headers" >&2; die "POST /connexion answered $LOGIN_STATUS, expected 303"; }
SESSION=$(grep -i -m1 '^set-cookie: forma_session=' "$TMP/login.headers" | sed -E 's/^[^:]*: forma_session=([^;]*).*/\1/' | tr -d '\r')
[[ $SESSION =~ ^[0-9a-f]{32}$ ]] || { cat "$TMP/login.headers" >&2; die "no session cookie in the login answer"; }
COOKIE="Cookie: forma_session=$SESSION"
log "signed in ($LOGIN_STATUS)"

# Back-office GET with the cookie; fails unless the answer is 200.
get_signed() {
    local path=$1 out=$2 code
    code=$(fetch -H "$COOKIE" -o "$out" -w '%{http_code}' "$URL$path")
    [[ $code == 200 ]] || die "GET $path answered $code"
}

# ---------------------------------------------------------------------------------------------
# 4. The seed's action: convention 26/19, its session, its sheet, its trainer
# ---------------------------------------------------------------------------------------------
get_signed /gestion/conventions "$TMP/conventions.html"
read -r CONVENTION_ID SESSION_ID < <(python3 - "$TMP/conventions.html" <<'PY'
import re, sys
html = open(sys.argv[1], encoding="utf-8").read()
for row in re.findall(r"<tr>.*?</tr>", html, re.S):
    c = re.search(r'href="/gestion/conventions/(\d+)">26/19</a>', row)
    s = re.search(r'href="/gestion/sessions/(\d+)"', row)
    if c and s:
        print(c.group(1), s.group(1))
        break
PY
) || true
[[ ${CONVENTION_ID:-} =~ ^[0-9]+$ && ${SESSION_ID:-} =~ ^[0-9]+$ ]] || die "no convention 26/19 with its session in /gestion/conventions"
log "convention 26/19: n° $CONVENTION_ID, session n° $SESSION_ID"

get_signed "/gestion/sessions/$SESSION_ID" "$TMP/seed-session.html"
grep -aq "Session n° $SESSION_ID " "$TMP/seed-session.html" || die "the session page does not show session n° $SESSION_ID"
SLUG=$(grep -a -m1 -oE 'href="/gestion/programmes/[a-z0-9-]+"' "$TMP/seed-session.html" | sed -E 's/.*programmes\/([^"]+)"/\1/' || true)
[[ -n $SLUG ]] || die "no program link on the session page"
SEED_DAYS=$(fetch -H "Authorization: Bearer $API_TOKEN" "$URL/api/v1/sessions/$SESSION_ID" | python3 -c '
import json, sys
days = sorted(d["date"] for d in json.load(sys.stdin)["days"])
print(len(days), days[0], days[-1])')
read -r SEED_DAY_COUNT SEED_FIRST SEED_LAST <<<"$SEED_DAYS"
log "seed session: $SEED_DAY_COUNT days from $SEED_FIRST to $SEED_LAST, sheet $SLUG"
put seed_days "$SEED_DAY_COUNT"; put seed_first "$SEED_FIRST"; put seed_last "$SEED_LAST"; put slug "$SLUG"

get_signed "/gestion/calendrier?vue=mois&date=$MONTH" "$TMP/calendar-choices.html"
TRAINER_ID=$(grep -a -m1 -oE '<option value="[0-9]+"[^>]*>Thierry CHEINE' "$TMP/calendar-choices.html" | grep -oE '[0-9]+' | head -n1 || true)
[[ -n $TRAINER_ID ]] || die "no trainer Thierry CHEINE in the calendar's choices"
log "trainer Thierry CHEINE: n° $TRAINER_ID"

# ---------------------------------------------------------------------------------------------
# 5. More planning data: extra INTER sessions through the API (each checked for conflicts)
# ---------------------------------------------------------------------------------------------
put sessions_extra "$SESSIONS"
put session_days "$SESSION_DAYS"
put period "$PERIOD_FIRST $PERIOD_LAST"
if (( SESSIONS > 0 )); then
    log "planning $SESSIONS sessions of $SESSION_DAYS days between $PERIOD_FIRST and $PERIOD_LAST (POST /api/v1/sessions)"
    bounded 1800 python3 "$PLAN_PY" --url "$URL" --token "$API_TOKEN" --count "$SESSIONS" --days "$SESSION_DAYS" \
        --first "$PERIOD_FIRST" --last "$PERIOD_LAST" --window-session "$SESSION_ID" >"$TMP/plan.json" \
        || die "planning the extra sessions failed"
    python3 - "$TMP/plan.json" >>"$RESULTS" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
for k in ("days", "seconds", "warnings", "programs", "in_window", "first", "last"):
    print(f"plan_{k}\t{p[k]}")
PY
    log "  $(cat "$TMP/plan.json")"
fi

# Every session, as the back-office lists them.
get_signed "/gestion/sessions?toutes=1" "$TMP/sessions-all.html"
ALL_SESSIONS=$(grep -a -m1 -oE 'de la plus récente à la plus ancienne \([0-9]+\)' "$TMP/sessions-all.html" | grep -oE '[0-9]+' || true)
[[ -n $ALL_SESSIONS ]] || die "the list of all sessions does not say how many it shows"
put sessions_total "$ALL_SESSIONS"
log "$ALL_SESSIONS sessions in the base"

# ---------------------------------------------------------------------------------------------
# 6. The seed session's calendar feed: created with the calendar page's form (shown once)
# ---------------------------------------------------------------------------------------------
FEED_CODE=$(fetch -H "$COOKIE" -o "$TMP/feed-created.html" -D "$TMP/feed-created.headers" -w '%{http_code}' -X POST \
    --data-urlencode scope=session --data-urlencode "id=$SESSION_ID" --data-urlencode vue=mois --data-urlencode "date=$MONTH" \
    "$URL/gestion/calendrier/flux")
[[ $FEED_CODE == 200 ]] || die "POST /gestion/calendrier/flux answered $FEED_CODE"
grep -aiq '^cache-control: no-store' "$TMP/feed-created.headers" || die "the page showing the new feed address is not no-store"
FEED_TOKEN=$(grep -a -m1 -oE '/agenda/[0-9a-f]{32}\.ics' "$TMP/feed-created.html" | sed -E 's|/agenda/([0-9a-f]+)\.ics|\1|' || true)
[[ -n $FEED_TOKEN ]] || die "no feed address on the page after creating it"
log "feed created for session n° $SESSION_ID"

# ---------------------------------------------------------------------------------------------
# 7. Pages under test, checked before measuring
# ---------------------------------------------------------------------------------------------
# Back-office pages are requested with the session cookie (one session lookup per request is
# part of their cost); the public ones and the feed without, as a visitor or an agenda would.
declare -A PATHS=(
    [session]="/gestion/sessions/$SESSION_ID"
    [month]="/gestion/calendrier?vue=mois&date=$MONTH"
    [week]="/gestion/calendrier?vue=semaine&date=$WEEK"
    [trainer]="/gestion/calendrier?vue=mois&date=$MONTH&formateur=$TRAINER_ID"
    [feed]="/agenda/$FEED_TOKEN.ics"
    [pdf]="/gestion/conventions/$CONVENTION_ID/pdf"
    [public]="/sessions"
    [sheet]="/formations/$SLUG"
    [healthz]="/healthz"
)
declare -A TYPES=(
    [session]=text/html [month]=text/html [week]=text/html [trainer]=text/html [public]=text/html [sheet]=text/html
    [feed]=text/calendar [pdf]=application/pdf [healthz]=application/json
)
declare -A SIGNED=([session]=1 [month]=1 [week]=1 [trainer]=1 [pdf]=1)
page_args() { if [[ -n ${SIGNED[$1]:-} ]]; then printf '%s\n' -H "$COOKIE"; fi; }
memory before_pages
for name in session month week trainer feed pdf public sheet healthz; do
    mapfile -t args < <(page_args "$name")
    read -r code ctype hsize bsize < <(fetch "${args[@]}" -o "$TMP/page-$name" \
        -w '%{http_code} %{content_type} %{size_header} %{size_download}\n' "$URL${PATHS[$name]}" | sed -E 's/; ?charset=[^ ]*//')
    [[ $code == 200 ]] || die "GET ${PATHS[$name]} answered $code"
    [[ $ctype == "${TYPES[$name]}" ]] || die "GET ${PATHS[$name]} answered $ctype, expected ${TYPES[$name]}"
    put "path_$name" "${PATHS[$name]}"
    put "bytes_$name" "$bsize"
    # What wrk reads per response (it sends no Accept-Encoding): headers + body; checked against
    # wrk's byte count after each run, so that a redirect to /connexion cannot pass for the page.
    put "wire_$name" "$((hsize + bsize))"
    gz=$(fetch "${args[@]}" -H 'Accept-Encoding: gzip' -o /dev/null -w '%{size_download}' "$URL${PATHS[$name]}")
    put "gzip_$name" "$gz"
done
memory one_each

grep -aq "Session n° $SESSION_ID " "$TMP/page-session" || die "the session page is not session n° $SESSION_ID"
DAY_ROWS=$(python3 - "$TMP/page-session" <<'PY'
import re, sys
html = open(sys.argv[1], encoding="utf-8").read()
table = re.search(r"<caption>Journées de la session, par date</caption>(.*?)</table>", html, re.S)
print(len(re.findall(r"<tr[ >]", table.group(1))) - 1 if table else 0)
PY
)
(( DAY_ROWS == SEED_DAY_COUNT )) || die "the session page shows $DAY_ROWS day rows, the session has $SEED_DAY_COUNT days"
SESSION_WARNINGS=$(grep -a -c 'badge badge-warn">Avertissement' "$TMP/page-session" || true)
SESSION_BLOCKING=$(grep -a -c 'badge badge-block">Bloquant' "$TMP/page-session" || true)
put session_warnings "$SESSION_WARNINGS"; put session_blocking "$SESSION_BLOCKING"
for name in month week trainer; do
    n=$(grep -a -m1 -oE '[0-9]+ journées? de formation sur cette période' "$TMP/page-$name" | grep -oE '^[0-9]+' || true)
    if [[ -z $n ]]; then grep -aq 'Aucune journée de formation sur cette période' "$TMP/page-$name" || die "${PATHS[$name]} does not say how many days it shows"; n=0; fi
    put "days_$name" "$n"
done
grep -aq '<caption>mars 2019</caption>' "$TMP/page-month" || [[ $MONTH != 2019-03-* ]] || die "the month calendar is not March 2019"
grep -aq 'Calendrier — Thierry CHEINE' "$TMP/page-trainer" || die "the trainer's calendar does not name Thierry CHEINE"
head -c 15 "$TMP/page-feed" | grep -aq 'BEGIN:VCALENDAR' || die "the feed is not an iCalendar file"
put events_feed "$(grep -a -c '^BEGIN:VEVENT' "$TMP/page-feed" || true)"
head -c 5 "$TMP/page-pdf" | grep -aq '%PDF-' || die "the convention PDF is not a PDF"
put pages_pdf "$(grep -a -c '/Type */Page[^s]' "$TMP/page-pdf" || true)"
put rows_public "$(grep -a -c 'href="/formations/' "$TMP/page-public" || true)"
log "session page: $DAY_ROWS days, $SESSION_WARNINGS warning(s), $SESSION_BLOCKING blocking; month: $(awk -F'\t' '$1 == "days_month" { print $2 }' "$RESULTS") days; feed: $(awk -F'\t' '$1 == "events_feed" { print $2 }' "$RESULTS") events"

# ---------------------------------------------------------------------------------------------
# wrk
# ---------------------------------------------------------------------------------------------
put_wrk_settings
put pdf_settings "-t$(( WRK_THREADS < PDF_CONNECTIONS ? WRK_THREADS : PDF_CONNECTIONS )) -c$PDF_CONNECTIONS -d${PDF_DURATION}s, then -t1 -c1 -d${PDF_DURATION}s"
put pdf_connections "$PDF_CONNECTIONS"

# One wrk run: wrk_run KEY THREADS CONNECTIONS SECONDS URL [wrk options…]; results under KEY.
wrk_run() {
    local key=$1 threads=$2 conns=$3 secs=$4 url=$5 out=$TMP/wrk-$1.txt
    shift 5
    bounded $((secs + 60)) wrk -t"$threads" -c"$conns" -d"${secs}s" --timeout "${WRK_TIMEOUT}s" --latency "$@" "$url" >"$out"
    local rps p50 p99 reqs status socket nbytes
    read -r rps p50 p99 reqs status socket nbytes < <(parse_wrk "$out" 2)
    [[ $reqs -gt 0 ]] || { cat "$out" >&2; die "no request completed in wrk run $key"; }
    put "rps_$key" "$rps"; put "p50_$key" "$p50"; put "p99_$key" "$p99"; put "reqs_$key" "$reqs"
    put "status_$key" "$status"; put "socket_$key" "$socket"; put "read_$key" "$nbytes"
    log "  $key: $rps req/s, p50 ${p50} ms, p99 ${p99} ms, $reqs requests, $status non-2xx/3xx, $socket socket errors"
}

# The bytes wrk read per response against the page's size.
check_size() {
    local key=$1 name=$2 per reqs expected
    per=$(awk -F'\t' -v k="read_$key" '$1 == k { v = $2 } END { print v }' "$RESULTS")
    reqs=$(awk -F'\t' -v k="reqs_$key" '$1 == k { v = $2 } END { print v }' "$RESULTS")
    expected=$(awk -F'\t' -v k="wire_$name" '$1 == k { v = $2 } END { print v }' "$RESULTS")
    # wrk rounds its byte count (two decimals of KB/MB/GB) and counts bytes of responses still in
    # flight at the end: 5 % is ample for that and far from a 303 of a few hundred bytes.
    if python3 -c "import sys; r, n, e = map(float, sys.argv[1:]); sys.exit(0 if abs(r / n - e) <= 0.05 * e else 1)" "$per" "$reqs" "$expected"; then
        put "sizeok_$key" 1
    else
        log "  WARNING: $key read $(python3 -c "import sys; print(round(float(sys.argv[1]) / float(sys.argv[2])))" "$per" "$reqs") bytes per response, the page is $expected"
        put "sizeok_$key" 0
    fi
}

# A page: warm-up, CONNS connections (default WRK_CONNECTIONS) for SECS seconds (default
# WRK_DURATION), then one connection (the time of one request that does not queue behind the
# others) for SINGLE_SECS (default WRK_SINGLE_DURATION). CONNS `single`: the latter only.
run_page() {
    local name=$1 conns=${2:-$WRK_CONNECTIONS} secs=${3:-$WRK_DURATION} single_secs=${4:-$WRK_SINGLE_DURATION} url=$URL${PATHS[$1]}
    mapfile -t args < <(page_args "$name")
    log "wrk $name: ${PATHS[$name]}"
    if [[ $conns != single ]]; then
        local threads=$WRK_THREADS
        (( threads <= conns )) || threads=$conns
        bounded $((WRK_WARMUP + 60)) wrk -t"$threads" -c"$conns" -d"${WRK_WARMUP}s" --timeout "${WRK_TIMEOUT}s" "${args[@]}" "$url" >/dev/null
        wrk_run "$name" "$threads" "$conns" "$secs" "$url" "${args[@]}"
        check_size "$name" "$name"
        put "conns_$name" "$conns"
    else
        bounded $((WRK_WARMUP + 60)) wrk -t1 -c1 -d"${WRK_WARMUP}s" --timeout "${WRK_TIMEOUT}s" "${args[@]}" "$url" >/dev/null
    fi
    wrk_run "${name}_c1" 1 1 "$single_secs" "$url" "${args[@]}"
    check_size "${name}_c1" "$name"
}

# ---------------------------------------------------------------------------------------------
# 8. Measurements: the references first, then each planning page
# ---------------------------------------------------------------------------------------------
loadavg before
run_page sheet
run_page healthz
run_page session
memory session
run_page month
run_page week single
run_page trainer single
memory calendars
run_page feed
run_page public
run_page pdf "$PDF_CONNECTIONS" "$PDF_DURATION" "$PDF_DURATION"
memory pdf
loadavg after

# The session used by every back-office run is still good (a redirect would mean it was not).
code=$(fetch -H "$COOKIE" -o /dev/null -w '%{http_code}' "$URL/gestion/sessions/$SESSION_ID")
[[ $code == 200 ]] || die "the session no longer opens /gestion/sessions/$SESSION_ID (answer $code)"

kill -0 "$SERVER_PID" 2>/dev/null || die "forma serve died during the load"
stop_pid "$SERVER_PID" INT
SERVER_PID=""

# ---------------------------------------------------------------------------------------------
# 9. Report
# ---------------------------------------------------------------------------------------------
put_context

report "done, no error" "errors or unexpected answers during the runs: see the table" <<'PY'
i = lambda k: int(float(r[k]))

def ms(v):
    return f"{v / 1000:.2f} s" if v >= 1000 else f"{v:.2f} ms"

def size(n):
    n = float(n)
    return f"{n / 1e6:.2f} MB" if n >= 1e6 else f"{n / 1e3:.1f} kB"

def rps(v):
    v = float(v)
    return f"{v:,.0f}" if v >= 100 else f"{v:,.1f}"

def errs(key):
    """Errors of one run: socket errors and timeouts plus non-2xx/3xx answers; and whether the
    response size was wrong."""
    return i("socket_" + key) + i("status_" + key), r.get("sizeok_" + key) == "0"

def err_cell(*keys):
    total, sizes = 0, False
    for k in keys:
        n, s = errs(k)
        total += n
        sizes = sizes or s
    return f"{total}" + (" + **wrong size**" if sizes else "")

runs = [k[len("reqs_"):] for k in r if k.startswith("reqs_")]
errors_total = sum(errs(k)[0] for k in runs)
size_problems = sum(1 for k in runs if errs(k)[1])

month_label = r["path_month"].split("date=")[1][:7]
days = lambda n: f"{n} day" + ("s" if int(n) != 1 else "")
pages = [
    ("session", f"Session page, seed action ({r['seed_days']} days, conflicts recomputed)"),
    ("month", f"Calendar, month {month_label}, every session ({days(r['days_month'])} shown)"),
    ("week", f"Calendar, week of {r['path_week'].split('date=')[1][:10]}, every session ({days(r['days_week'])} shown)"),
    ("trainer", f"Calendar, month {month_label}, one trainer ({days(r['days_trainer'])} shown)"),
    ("feed", f"iCalendar feed of the seed session ({r['events_feed']} events)"),
    ("pdf", f"Convention 26/19 PDF ({r['pages_pdf']} pages, typst)"),
    ("public", "Public list of coming sessions"),
    ("sheet", "Public sheet page of the seed (reference, from memory)"),
    ("healthz", "`/healthz` (reference)"),
]

def full(key):
    return "rps_" + key in r

# Ratios to the references, same run.
def ratio_rows():
    rows = []
    for key, label in pages:
        if key in ("sheet", "healthz"):
            continue
        c1 = f("p50_" + key + "_c1") / f("p50_sheet_c1")
        hz = f("p50_" + key + "_c1") / f("p50_healthz_c1")
        if full(key):
            same_conns = r["conns_" + key] == r["conns_sheet"]
            tp = f("rps_" + key) / f("rps_sheet")
            tp_text = (f"{tp:.3f} ({rps(r['rps_' + key])} / {rps(r['rps_sheet'])})" if same_conns
                       else f"{f('rps_' + key + '_c1') / f('rps_sheet_c1'):.4f} at 1 connection "
                            f"({rps(r['rps_' + key + '_c1'])} / {rps(r['rps_sheet_c1'])})")
        else:
            tp_text = (f"{f('rps_' + key + '_c1') / f('rps_sheet_c1'):.3f} at 1 connection "
                       f"({rps(r['rps_' + key + '_c1'])} / {rps(r['rps_sheet_c1'])})")
        rows.append((label, tp_text, f"{c1:.1f} × ({ms(f('p50_' + key + '_c1'))} / {ms(f('p50_sheet_c1'))})", f"{hz:.1f} ×"))
    return rows

t = lambda key: f("p50_" + key + "_c1")
extra = int(r["sessions_extra"])
if extra:
    data = (f"the demo (`forma demo`: {r['indexed']} sheets, the seed's action with convention 26/19 and its avenant, "
            f"coming INTER and INTRA sessions, requests) + {extra} INTER sessions of {r['session_days']} working days "
            f"planned through `POST /api/v1/sessions` (`scripts/bench/plan_sessions.py`: spread evenly from "
            f"{r['plan_first']} to {r['plan_last']}, a place in words, no trainer or room, so none conflicts) = "
            f"{r['sessions_total']} sessions; {r['plan_in_window']} of the {r['plan_days']} extra days fall between the "
            f"seed session's first and last days ({r['seed_first']} – {r['seed_last']}). Planning them took "
            f"{float(r['plan_seconds']):.1f} s, {extra / float(r['plan_seconds']):.0f} sessions/s (sequential requests, "
            "each validated and checked for conflicts before its write)")
else:
    data = (f"the demo only (`forma demo`: {r['indexed']} sheets, the seed's action with convention 26/19 and its avenant, "
            f"coming INTER and INTRA sessions, requests) = {r['sessions_total']} sessions")

session_vs_week = t("session") / t("week")
window_days = int(r["plan_in_window"]) + int(r["seed_days"]) if extra else int(r["seed_days"])
pdf_conns = r["pdf_connections"]
pdf_rate = f("rps_pdf")
dominant = max(((t(k), k) for k, _ in pages if k not in ("sheet", "healthz", "pdf")))
reading = (
    f"**Reading.** The convention PDF dominates by far: {ms(t('pdf'))} per render, requested one at a time "
    f"({t('pdf') / t('sheet'):.0f} × the sheet page served from memory), so these {r['nproc']} cores render about "
    f"{rps(pdf_rate)} PDFs/s at {pdf_conns} connections (p99 {ms(f('p99_pdf'))}) — ample for documents a planner "
    "downloads one at a time (renders run in `spawn_blocking`, off the async workers). "
    + ("" if dominant[1] == "session" else
       f"Of the other responses, the slowest is {dict(pages)[dominant[1]].split(' (')[0].lower()} at {ms(dominant[0])}. ")
    + f"The session page{', the slowest of the others,' if dominant[1] == 'session' else ''} takes {ms(t('session'))}: its conflict check loads every day booked between the session's "
    f"first and last days ({r['seed_first']} – {r['seed_last']}, {window_days} days here) — not only the days on its "
    f"own dates — before keeping those on the same dates; the week calendar, which reads one week, takes "
    f"{ms(t('week'))} ({session_vs_week:.1f} × less). "
    f"The month calendar reads and renders {r['days_month']} days in {ms(t('month'))}; the feed, "
    f"{r['events_feed']} events of one session, {ms(t('feed'))}. Everything but the PDF answers in a few "
    f"milliseconds when requests come one at a time; under {r['wrk_connections']} connections the latency is queueing "
    "(connections ÷ throughput)."
)
gain = lambda key: f("rps_" + key) / f("rps_" + key + "_c1")
if gain("session") < 0.8 * gain("month"):
    reading += (f" Unlike the other pages, the session page gains little or nothing from concurrency: "
                f"{rps(r['rps_session'])} req/s at {r['conns_session']} connections against {rps(r['rps_session_c1'])} at one "
                f"(× {gain('session'):.2f}), where the month calendar gains × {gain('month'):.2f} and the public list "
                f"× {gain('public'):.2f}. Each display runs about a dozen SQLite queries one after the other (the session, "
                "the form's choices, the window's days, trainers and sessions, rooms, trainers, unavailabilities, "
                "conventions, requests) on a pool of 8 connections; this script does not tell which part saturates.")
load_before = float(r["loadavg_before"].split()[0])
if load_before > 0.5 * int(r["nproc"]):
    reading += (f" The machine was not idle: load average {r['loadavg_before'].split()[0]} before the runs "
                f"(other processes on these {r['nproc']} cores), so absolute figures are lower and noisier than "
                "on an idle machine; the ratios, measured under the same conditions, hold better.")

# Plain-text summary on stdout.
print_head("planning benchmark")
print(f"Data: {data}; base {r['db_mb']} MB (after the demo, before the extra sessions)")
print()
print(f"{'Page':<58} {'conn.':>5} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9} {'c1 req/s':>9} {'c1 p50':>9} {'c1 p99':>9} {'errors':>7} {'bytes':>10}")
for key, label in pages:
    if full(key):
        head = f"{r['conns_' + key]:>5} {rps(r['rps_' + key]):>9} {f('p50_' + key):>9.2f} {f('p99_' + key):>9.2f}"
        keys = (key, key + "_c1")
    else:
        head = f"{'—':>5} {'—':>9} {'—':>9} {'—':>9}"
        keys = (key + "_c1",)
    print(f"{label[:58]:<58} {head} {rps(r['rps_' + key + '_c1']):>9} {t(key):>9.2f} "
          f"{f('p99_' + key + '_c1'):>9.2f} {err_cell(*keys):>7} {int(r['bytes_' + key]):>10,}")
print()
for label, tp, c1, hz in ratio_rows():
    print(f"{label}: req/s ratio to the sheet page {tp}; time of one request {c1}; {hz} /healthz")
print(f"RSS {r['rss_start']} MB after start; {r['rss_one_each']} MB after one request of each page; "
      f"{r['rss_calendars']} MB after the calendar runs; {r['rss_pdf']} MB after the PDF runs (peak {r['hwm_pdf']} MB)")
print()
print(reading)
print()

if md_path:
    lines = [
        f"- **Build**: `cargo build --release -p forma`, {r['rustc']}; SQLite base in a temporary directory "
        f"({r['db_mb']} MB after the demo)",
        f"- **Data**: {data}. Signed in as the demo administrator.",
        f"- **Load**: {r['wrk_version']} `{r['wrk_settings']}` on 127.0.0.1, then each URL again with `{r['wrk_single']}` "
        f"(latency without queueing); the PDF with `{r['pdf_settings']}`. Back-office requests carry the session "
        "cookie; the public pages and the feed (whose secret address is the credential) do not. "
        f"**wrk and the server share the same {r['nproc']} cores**, so absolute figures are lower than on a dedicated "
        "server; the ratio to the references, measured under the same conditions, is the meaningful figure. "
        "Each run requests one URL over and over; wrk sends no `Accept-Encoding`, so bodies are uncompressed.",
        "",
        "| Page | Path | Bytes (gzip) | Conn. | req/s | p50 | p99 | req/s, 1 conn. | p50, 1 conn. | p99, 1 conn. | Requests | Errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for key, label in pages:
        path_md = r["path_" + key].replace("|", "\\|")
        if key == "feed":
            path_md = "/agenda/{token}.ics"
        if full(key):
            head = f"{r['conns_' + key]} | {rps(r['rps_' + key])} | {ms(f('p50_' + key))} | {ms(f('p99_' + key))}"
            reqs = f"{int(r['reqs_' + key]):,} / {int(r['reqs_' + key + '_c1']):,}"
            keys = (key, key + "_c1")
        else:
            head = "— | — | — | —"
            reqs = f"— / {int(r['reqs_' + key + '_c1']):,}"
            keys = (key + "_c1",)
        lines.append(f"| {label} | `{path_md}` | {int(r['bytes_' + key]):,} ({int(r['gzip_' + key]):,}) | {head} | "
                     f"{rps(r['rps_' + key + '_c1'])} | {ms(t(key))} | {ms(f('p99_' + key + '_c1'))} | "
                     f"{reqs} | {err_cell(*keys)} |")
    lines += [
        "",
        "| Comparison (same run) | Throughput / sheet page | Time of one request (p50, 1 conn.) / sheet page | Same / `/healthz` |",
        "|---|---|---|---|",
    ]
    for label, tp, c1, hz in ratio_rows():
        lines.append(f"| {label} | {tp} | {c1} | {hz} |")
    lines += [
        "",
        "| Memory of `forma serve` | RSS | Peak so far (VmHWM) |",
        "|---|---:|---:|",
        f"| Right after start | {r['rss_start']} MB | |",
        f"| After one request of each page | {r['rss_one_each']} MB | {r['hwm_one_each']} MB |",
        f"| After the reference and session page runs | {r['rss_session']} MB | {r['hwm_session']} MB |",
        f"| After the calendar runs | {r['rss_calendars']} MB | {r['hwm_calendars']} MB |",
        f"| After the feed, public list and PDF runs | {r['rss_pdf']} MB | {r['hwm_pdf']} MB |",
        "",
        f"The session page showed {r['session_warnings']} warning(s) and {r['session_blocking']} blocking conflict(s)"
        + (" (its days are working days, and no other day on their dates has their trainer or room)"
           if r["session_warnings"] == r["session_blocking"] == "0" else "") + ". "
        "With many connections on saturated cores a request mostly waits for the ones ahead of it "
        "(latency ≈ connections ÷ throughput), so the p99 there measures capacity; the 1-connection columns give "
        "the time one request takes when no other request runs. Errors counts non-2xx/3xx answers, socket errors "
        "and timeouts; each page was checked for status 200 and its content type before the runs, and the bytes wrk "
        "read per response are checked against it, so that a redirect to `/connexion` cannot pass for a page.",
        "",
        reading,
        "",
    ]
    if errors_total or size_problems:
        lines += [f"Note: {errors_total} errors or unexpected answers, {size_problems} run(s) with responses of the wrong size "
                  "(see the Errors column).", ""]
    record("planning-bench", "Planning benchmark", "scripts/bench/planning.sh", lines)

sys.exit(3 if (errors_total or size_problems) else 0)
PY
exit 0
