#!/usr/bin/env bash
# Back-office benchmark: imports 2,000 generated sheets into a fresh SQLite base, loads the demo
# (accounts included), serves them with `forma serve` on loopback, signs in as the demo
# administrator and measures with wrk, each against a reference measured in the same run:
#   - the sheets list /gestion/programmes (every sheet's row, indicator-1 badge included, read
#     from the listing columns and rendered) against the public catalogue page /formations;
#   - the editor page of one sheet against its public page;
#   - POST /connexion with the right password (argon2id) against GET /healthz.
# Reports req/s, p50/p99 latency with many connections and with one, the ratios, response sizes
# and RSS, and records a dated section in BENCHMARKS.md. No timed assertion: figures are reported.
#
#   bash scripts/bench/backoffice.sh            # from the repository root, no argument
#
# Environment (all optional):
#   FORMA_BIN=path        use this binary instead of `cargo build --release -p forma`
#   BENCH_SHEETS=2000     number of generated sheets
#   WRK_THREADS=2 WRK_CONNECTIONS=32 WRK_DURATION=10 (seconds) WRK_WARMUP=2 (seconds)
#   WRK_SINGLE_DURATION=5 (seconds): extra run of each URL with one connection (latency without queueing)
#   WRK_TIMEOUT=10 (seconds): wrk's per-request timeout (the list takes seconds at 32 connections)
#   LOGIN_CONNECTIONS=8   connections of the concurrent login run (the other one uses 1)
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

SHEETS=${BENCH_SHEETS:-2000}
WRK_THREADS=${WRK_THREADS:-2}
WRK_CONNECTIONS=${WRK_CONNECTIONS:-32}
WRK_DURATION=${WRK_DURATION:-10}
WRK_WARMUP=${WRK_WARMUP:-2}
WRK_SINGLE_DURATION=${WRK_SINGLE_DURATION:-5}
WRK_TIMEOUT=${WRK_TIMEOUT:-10}
LOGIN_CONNECTIONS=${LOGIN_CONNECTIONS:-8}
NOMATCH_QUERY=${NOMATCH_QUERY:-xylophone quantique}
BENCH_MD=${BENCH_MD-$ROOT/BENCHMARKS.md}
BENCH_STRICT=${BENCH_STRICT:-0}
BUILD_TIMEOUT=${BUILD_TIMEOUT:-3600}
LOGIN_LUA=$ROOT/scripts/bench/login.lua
FETCH_MAX_TIME=30

# ---------------------------------------------------------------------------------------------
# 1. Tools and binary
# ---------------------------------------------------------------------------------------------
missing=()
want wrk curl python3
install_packages "${missing[@]}"
command -v wrk >/dev/null || die "wrk not found after installation"
[[ -r $LOGIN_LUA ]] || die "missing $LOGIN_LUA"

build_forma

# ---------------------------------------------------------------------------------------------
# 2. Data: generated sheets, import, demo (accounts), server
# ---------------------------------------------------------------------------------------------
make_tmp forma-bench-bo.XXXXXX
unset FORMA_SMTP_URL FORMA_MAIL_FROM
generate_sheets

log "forma import of $SHEETS sheets into a fresh base"
import_sheets
log "$(cat "$TMP/import.out")"

# `forma demo` on a base without accounts creates one per role and prints the administrator's
# password: « Gestion : identifiant admin@demo.forma.test — mot de passe … ».
load_demo
LOGIN_LINE=$(grep -a -m1 'Gestion : identifiant' "$TMP/demo.out" || true)
[[ -n $LOGIN_LINE ]] || { cat "$TMP/demo.out" >&2; die "forma demo printed no administrator login (was the base new?)"; }
LOGIN_EMAIL=$(sed -E 's/.*identifiant ([^ ]+) .*/\1/' <<<"$LOGIN_LINE")
LOGIN_PASSWORD=$(sed -E 's/.*mot de passe (.+)$/\1/' <<<"$LOGIN_LINE")
[[ $LOGIN_EMAIL == *@* && -n $LOGIN_PASSWORD ]] || die "could not read the login from: $LOGIN_LINE"
log "demo loaded; administrator $LOGIN_EMAIL"

log "starting forma serve on 127.0.0.1:0"
start_server
put rss_start "$(kb_to_mb "$(status_kb VmRSS)")"
log "listening on $URL"

check_indexed

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
log "signed in ($LOGIN_STATUS, $(grep -i -m1 '^location:' "$TMP/login.headers" | tr -d '\r'))"

# ---------------------------------------------------------------------------------------------
# 4. Pages under test
# ---------------------------------------------------------------------------------------------
pick_slug
log "sheet under test: $SLUG"

# Back-office pages are requested with the session cookie (one session lookup per request is
# part of their cost); the public references without, as a visitor requests them.
declare -A PATHS=(
    [list]="/gestion/programmes"
    [catalogue]="/formations"
    [editor]="/gestion/programmes/$SLUG"
    [sheet]="/formations/$SLUG"
    [nomatch]="/gestion/programmes?q=$(urlencode "$NOMATCH_QUERY")"
    [healthz]="/healthz"
)
declare -A SIGNED=([list]=1 [editor]=1 [nomatch]=1)
page_args() { if [[ -n ${SIGNED[$1]:-} ]]; then printf '%s\n' -H "$COOKIE"; fi; }
memory before_list # the first display of the list comes next: what it allocates
for name in list catalogue editor sheet nomatch healthz; do
    mapfile -t args < <(page_args "$name")
    read -r code hsize bsize < <(fetch "${args[@]}" -o "$TMP/page-$name.html" -w '%{http_code} %{size_header} %{size_download}\n' "$URL${PATHS[$name]}")
    [[ $name == list ]] && memory one_list
    [[ $code == 200 ]] || die "GET ${PATHS[$name]} answered $code"
    put "path_$name" "${PATHS[$name]}"
    put "bytes_$name" "$bsize"
    # What wrk reads per response (it sends no Accept-Encoding): headers + body; checked against
    # wrk's byte count after each run, so that a redirect to /connexion cannot pass for the page.
    put "wire_$name" "$((hsize + bsize))"
    gz=$(fetch "${args[@]}" -H 'Accept-Encoding: gzip' -o /dev/null -w '%{size_download}' "$URL${PATHS[$name]}")
    put "gzip_$name" "$gz"
done
grep -aq 'name="title"' "$TMP/page-editor.html" || grep -aq '<form' "$TMP/page-editor.html" || die "the editor page has no form"
TOTAL=$(grep -a -oE '[0-9]+ fiches? sur [0-9]+' "$TMP/page-list.html" | head -n1 || true)
[[ $TOTAL =~ ^([0-9]+)\ fiches?\ sur\ ([0-9]+)$ ]] || die "the sheets list does not say how many sheets it shows"
ROWS=${BASH_REMATCH[1]}; ALL=${BASH_REMATCH[2]}
[[ $ROWS == "$ALL" ]] || die "the unfiltered list shows $ROWS of $ALL sheets"
(( ALL >= SHEETS )) || die "the list shows $ALL sheets, expected at least $SHEETS"
grep -aqE "(^|[^0-9])0 fiche sur $ALL" "$TMP/page-nomatch.html" || die "the filter « $NOMATCH_QUERY » matches sheets: choose another NOMATCH_QUERY"
log "sheets list: $ALL rows, $(stat -c %s "$TMP/page-list.html") bytes"
put list_rows "$ALL"

# ---------------------------------------------------------------------------------------------
# wrk
# ---------------------------------------------------------------------------------------------
put_wrk_settings

# One wrk run: wrk_run KEY THREADS CONNECTIONS SECONDS URL [wrk options…]; results under KEY.
# GET runs (no -s script) check the bytes read per response against the page's size.
wrk_run() {
    local key=$1 threads=$2 conns=$3 secs=$4 url=$5 out=$TMP/wrk-$1.txt
    shift 5
    bounded $((secs + 60)) wrk -t"$threads" -c"$conns" -d"${secs}s" --timeout "${WRK_TIMEOUT}s" --latency "$@" "$url" >"$out"
    local rps p50 p99 reqs status socket nbytes
    read -r rps p50 p99 reqs status socket nbytes < <(parse_wrk "$out" 1)
    [[ $reqs -gt 0 ]] || { cat "$out" >&2; die "no request completed in wrk run $key"; }
    put "rps_$key" "$rps"; put "p50_$key" "$p50"; put "p99_$key" "$p99"; put "reqs_$key" "$reqs"
    put "status_$key" "$status"; put "socket_$key" "$socket"; put "read_$key" "$nbytes"
    log "  $key: $rps req/s, p50 ${p50} ms, p99 ${p99} ms, $reqs requests, $status non-2xx/3xx, $socket socket errors"
}

check_size() {
    local key=$1 name=$2
    local per expected
    per=$(awk -F'\t' -v k="read_$key" '$1 == k { v = $2 } END { print v }' "$RESULTS")
    local reqs; reqs=$(awk -F'\t' -v k="reqs_$key" '$1 == k { v = $2 } END { print v }' "$RESULTS")
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

# A page: warm-up, WRK_CONNECTIONS connections, then one connection (the time of one request that
# does not queue behind the others). `single` measures only the latter.
run_page() {
    local name=$1 mode=${2:-} url=$URL${PATHS[$1]}
    mapfile -t args < <(page_args "$name")
    log "wrk $name: ${PATHS[$name]}"
    if [[ $mode != single ]]; then
        bounded $((WRK_WARMUP + 60)) wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"${WRK_WARMUP}s" --timeout "${WRK_TIMEOUT}s" "${args[@]}" "$url" >/dev/null
        wrk_run "$name" "$WRK_THREADS" "$WRK_CONNECTIONS" "$WRK_DURATION" "$url" "${args[@]}"
        check_size "$name" "$name"
    else
        bounded $((WRK_WARMUP + 60)) wrk -t1 -c1 -d"${WRK_WARMUP}s" --timeout "${WRK_TIMEOUT}s" "${args[@]}" "$url" >/dev/null
    fi
    wrk_run "${name}_c1" 1 1 "$WRK_SINGLE_DURATION" "$url" "${args[@]}"
    check_size "${name}_c1" "$name"
}

# A login run: login.lua posts the form and counts the answers that are not a 303 with a cookie.
run_login() {
    local key=$1 threads=$2 conns=$3 secs=$4
    log "wrk $key: POST /connexion, $conns connection(s)"
    BENCH_LOGIN_EMAIL=$LOGIN_EMAIL BENCH_LOGIN_PASSWORD=$LOGIN_PASSWORD \
        wrk_run "$key" "$threads" "$conns" "$secs" "$URL/connexion" -s "$LOGIN_LUA"
    local line expected unexpected last
    line=$(grep -a -m1 '^login.lua:' "$TMP/wrk-$key.txt" || true)
    [[ $line =~ expected=([0-9]+)\ unexpected=([0-9]+)\ last_unexpected=([0-9]+) ]] || { cat "$TMP/wrk-$key.txt" >&2; die "no summary from login.lua"; }
    expected=${BASH_REMATCH[1]}; unexpected=${BASH_REMATCH[2]}; last=${BASH_REMATCH[3]}
    if (( unexpected )); then log "  $expected answers 303 with a session cookie, $unexpected others (last: $last)"
    else log "  $expected answers, all 303 with a session cookie"; fi
    put "ok_$key" "$expected"; put "unexpected_$key" "$unexpected"; put "last_unexpected_$key" "$last"
}

# ---------------------------------------------------------------------------------------------
# 5. Measurements: each page next to its reference, then the logins next to /healthz
# ---------------------------------------------------------------------------------------------
loadavg before
run_page list
run_page catalogue
run_page nomatch single
memory pages
run_page editor
run_page sheet
memory editor

# Logins last: each one opens a session row, which the page runs above should not see.
WARM_KEY=login_warmup
log "login warm-up (${WRK_WARMUP}s)"
BENCH_LOGIN_EMAIL=$LOGIN_EMAIL BENCH_LOGIN_PASSWORD=$LOGIN_PASSWORD \
    bounded $((WRK_WARMUP + 60)) wrk -t1 -c1 -d"${WRK_WARMUP}s" --timeout "${WRK_TIMEOUT}s" -s "$LOGIN_LUA" "$URL/connexion" >"$TMP/wrk-$WARM_KEY.txt"
grep -aq 'unexpected=0 ' "$TMP/wrk-$WARM_KEY.txt" || { cat "$TMP/wrk-$WARM_KEY.txt" >&2; die "logins refused during the warm-up"; }
run_login login_c1 1 1 "$WRK_SINGLE_DURATION"
login_threads=$WRK_THREADS; (( login_threads <= LOGIN_CONNECTIONS )) || login_threads=$LOGIN_CONNECTIONS
run_login login_cn "$login_threads" "$LOGIN_CONNECTIONS" "$WRK_DURATION"
log "wrk healthz: /healthz"
bounded $((WRK_WARMUP + 60)) wrk -t1 -c1 -d"${WRK_WARMUP}s" --timeout "${WRK_TIMEOUT}s" "$URL/healthz" >/dev/null
wrk_run healthz_c1 1 1 "$WRK_SINGLE_DURATION" "$URL/healthz"
check_size healthz_c1 healthz
wrk_run healthz_cn "$login_threads" "$LOGIN_CONNECTIONS" "$WRK_DURATION" "$URL/healthz"
check_size healthz_cn healthz
memory login
loadavg after

# The session used by every back-office run is still good (a redirect would mean it was not).
code=$(fetch -H "$COOKIE" -o /dev/null -w '%{http_code}' "$URL/gestion/programmes")
[[ $code == 200 ]] || die "the session no longer opens /gestion/programmes (answer $code)"

kill -0 "$SERVER_PID" 2>/dev/null || die "forma serve died during the load"
stop_pid "$SERVER_PID" INT
SERVER_PID=""

# ---------------------------------------------------------------------------------------------
# 6. Report
# ---------------------------------------------------------------------------------------------
put_context
put login_connections "$LOGIN_CONNECTIONS"
put login_threads "$login_threads"
put nomatch_query "$NOMATCH_QUERY"

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
    """Errors of one run: socket errors and timeouts, plus non-2xx/3xx answers (for logins: every
    answer login.lua did not expect, which includes them); and whether the response size was wrong."""
    statuses = i("unexpected_" + key) if "unexpected_" + key in r else i("status_" + key)
    return i("socket_" + key) + statuses, r.get("sizeok_" + key) == "0"

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

all_sheets = i("list_rows")
pages = [
    ("list", "Back-office sheets list (signed in)", True),
    ("catalogue", "Public catalogue page 1 (reference)", True),
    ("nomatch", f"Back-office list filtered on « {r['nomatch_query']} » (no row; every sheet still read and checked)", False),
    ("editor", "Back-office editor of one sheet (signed in)", True),
    ("sheet", "Public page of the same sheet (reference)", True),
]

ratio_list = f("rps_list") / f("rps_catalogue")
ratio_list_c1 = f("p50_list_c1") / f("p50_catalogue_c1")
ratio_editor = f("rps_editor") / f("rps_sheet")
ratio_editor_c1 = f("p50_editor_c1") / f("p50_sheet_c1")
ratio_login_c1 = f("rps_login_c1") / f("rps_healthz_c1")
ratio_login_cn = f("rps_login_cn") / f("rps_healthz_cn")

# What dominates the list: the filtered list reads, decodes and checks every sheet but renders
# no row; the rest of the unfiltered list's time is rendering and sending the rows.
t_list, t_nomatch = f("p50_list_c1"), f("p50_nomatch_c1")
share_decode = min(t_nomatch / t_list, 1.0)
per_sheet_us = t_list * 1000 / all_sheets
scale = 10000 / all_sheets
t_10k = t_list * scale
bytes_10k = f("bytes_list") * scale
gzip_10k = f("gzip_list") * scale
rps_10k = f("rps_list") / scale
login_ms = f("p50_login_c1")

# Memory: what one display allocates (peak after it - RSS before it), extrapolated like the time.
mem_one = max(f("hwm_one_list") - f("rss_before_list"), 0.0)
mem_10k = mem_one * scale
peak_10k = f("rss_start") + (f("hwm_pages") - f("rss_start")) * scale
login_growth = f("rss_login") - f("rss_editor")

if t_10k < 1000:
    verdict = "acceptable for a page only staff open, a few times an hour each"
elif t_10k < 3000:
    verdict = "tolerable for a staff-only page, but slow enough to be felt at each display and filter change"
else:
    verdict = "too slow even for a staff-only page"
if mem_10k >= 100:
    verdict += (f"; memory is the weaker point: one display holds about {mem_10k:.0f} MB while it runs at 10,000 sheets "
                f"({mem_one:.0f} MB here), and the {r['wrk_connections']}-connection run took the peak RSS to {r['hwm_pages']} MB "
                f"(roughly {peak_10k:,.0f} MB extrapolated to 10,000 sheets), which stays allocated afterwards")
else:
    verdict += (f"; one display holds about {mem_one:.0f} MB while it runs ({mem_10k:.0f} MB extrapolated to 10,000 sheets) "
                f"and the {r['wrk_connections']}-connection run took the peak RSS to {r['hwm_pages']} MB")

if share_decode >= 0.9:
    split = (f"nearly all the cost is reading every sheet's listing row (title, status, stored indicator-1 items) from the "
             f"base and filtering them; rendering the {all_sheets:,} rows ({size(r['bytes_list'])} of HTML, "
             f"{size(r['gzip_list'])} gzipped) adds little.")
else:
    split = (f"reading every sheet's listing row (title, status, stored indicator-1 items) and filtering make {share_decode:.0%} "
             f"of the cost, rendering and sending the {all_sheets:,} rows ({size(r['bytes_list'])} of HTML, "
             f"{size(r['gzip_list'])} gzipped) the rest.")

if login_growth >= 100:
    login_memory = (f" The login runs raised the server's RSS from {r['rss_editor']} to {r['rss_login']} MB although at most two "
                    "19 MiB argon2 hashes run at once: the freed buffers stay with the blocking threads that ran them "
                    "(glibc raises its mmap threshold once the first one is freed, so later ones come from per-thread arenas "
                    "that keep the memory).")
else:
    login_memory = f" RSS went from {r['rss_editor']} to {r['rss_login']} MB over the login runs."

reading = (
    f"**Reading.** The back-office list takes {ms(t_list)} for one request on an idle server with {all_sheets:,} sheets "
    f"({ratio_list_c1:.0f} × the public catalogue page, which shows one page of results), and serves "
    f"{rps(r['rps_list'])} req/s when saturated ({ratio_list:.3f} × the catalogue page). "
    f"Filtered down to no row it still takes {ms(t_nomatch)}: {split} "
    f"The cost grows with the number of sheets, about {per_sheet_us:.0f} µs each, so an organisation with 10,000 sheets "
    f"would wait about {ms(t_10k)} for each display of the list (a linear extrapolation), download "
    f"{size(bytes_10k)} ({size(gzip_10k)} gzipped), and about {rps_10k:.1f} displays per second would saturate these "
    f"{r['nproc']} cores: {verdict}. No sheet body is decoded for the list (the indicator-1 items are stored at each "
    "write); paginating it would cut the HTML, not the row reading. "
    f"The editor page reads its sheet from the base at each request: {ms(f('p50_editor_c1'))} against "
    f"{ms(f('p50_sheet_c1'))} for the public page served from memory, ample for people editing. A login costs "
    f"{ms(login_ms)} of argon2id, by design; with at most 2 hashes at a time, logins top out near "
    f"{rps(r['rps_login_cn'])} per second at {r['login_connections']} connections, while /healthz, measured right after, "
    f"answers {rps(r['rps_healthz_cn'])} req/s.{login_memory}"
)

# Plain-text summary on stdout.
print_head("back-office benchmark")
print(f"{all_sheets:,} sheets in the list; base {r['db_mb']} MB")
print()
print(f"{'Page':<44} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9} {'c1 req/s':>9} {'c1 p50':>9} {'c1 p99':>9} {'errors':>7} {'bytes':>10}")
for key, label, full in pages:
    if full:
        head = f"{rps(r['rps_' + key]):>9} {f('p50_' + key):>9.2f} {f('p99_' + key):>9.2f}"
    else:
        head = f"{'—':>9} {'—':>9} {'—':>9}"
    keys = (key, key + "_c1") if full else (key + "_c1",)
    print(f"{label[:44]:<44} {head} {rps(r['rps_' + key + '_c1']):>9} {f('p50_' + key + '_c1'):>9.2f} "
          f"{f('p99_' + key + '_c1'):>9.2f} {err_cell(*keys):>7} {int(r['bytes_' + key]):>10,}")
print()
print(f"{'Request':<44} {'conn.':>6} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9} {'requests':>9} {'errors':>7}")
for key, label, conns in (("login_c1", "POST /connexion", "1"), ("login_cn", "POST /connexion", r["login_connections"]),
                          ("healthz_c1", "GET /healthz", "1"), ("healthz_cn", "GET /healthz", r["login_connections"])):
    print(f"{label:<44} {conns:>6} {rps(r['rps_' + key]):>9} {f('p50_' + key):>9.2f} {f('p99_' + key):>9.2f} "
          f"{int(r['reqs_' + key]):>9,} {err_cell(key):>7}")
print()
print(f"list/catalogue req/s {ratio_list:.3f}; editor/sheet req/s {ratio_editor:.3f}; "
      f"login/healthz req/s {ratio_login_c1:.4f} (1 conn.), {ratio_login_cn:.4f} ({r['login_connections']} conn.)")
print(f"RSS {r['rss_start']} MB after start; {r['rss_before_list']} MB before the first list display, peak {r['hwm_one_list']} MB after it")
print(f"After the list runs {r['rss_pages']} MB (peak {r['hwm_pages']} MB), "
      f"after the editor runs {r['rss_editor']} MB (peak {r['hwm_editor']} MB), after the logins {r['rss_login']} MB (peak {r['hwm_login']} MB)")
print()
print(reading)
print()

if md_path:
    lines = [
        f"- **Build**: `cargo build --release -p forma`, {r['rustc']}; SQLite base in a temporary directory ({r['db_mb']} MB)",
        f"- **Data**: {int(r['sheets']):,} generated sheets (`scripts/bench/gen_sheets.py`, as for the catalogue benchmark) "
        f"+ the demo (`forma demo`: catalogue, accounts) = {all_sheets:,} sheets in the back-office list; "
        f"signed in as the demo administrator",
        f"- **Load**: {r['wrk_version']} `{r['wrk_settings']}` on 127.0.0.1, then each URL again with `{r['wrk_single']}` "
        f"(latency without queueing); logins with `scripts/bench/login.lua` (right password, counts every answer that is "
        f"not a 303 with a session cookie) at 1 and {r['login_connections']} connections, `/healthz` likewise. "
        f"Back-office requests carry the session cookie, public ones do not. "
        f"**wrk and the server share the same {r['nproc']} cores**, so absolute figures are lower than on a dedicated server; "
        "the ratio to the reference, measured under the same conditions, is the meaningful figure. "
        "Each run requests one URL over and over; wrk sends no `Accept-Encoding`, so bodies are uncompressed.",
        "",
        f"| Page | Path | Bytes (gzip) | req/s ({r['wrk_connections']} conn.) | p50 | p99 | req/s, 1 conn. | p50, 1 conn. | p99, 1 conn. | Requests | Errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for key, label, full in pages:
        path_md = r["path_" + key].replace("|", "\\|")
        if full:
            head = f"{rps(r['rps_' + key])} | {ms(f('p50_' + key))} | {ms(f('p99_' + key))}"
            reqs = f"{int(r['reqs_' + key]):,} / {int(r['reqs_' + key + '_c1']):,}"
            keys = (key, key + "_c1")
        else:
            head = "— | — | —"
            reqs = f"— / {int(r['reqs_' + key + '_c1']):,}"
            keys = (key + "_c1",)
        lines.append(f"| {label} | `{path_md}` | {int(r['bytes_' + key]):,} ({int(r['gzip_' + key]):,}) | {head} | "
                     f"{rps(r['rps_' + key + '_c1'])} | {ms(f('p50_' + key + '_c1'))} | {ms(f('p99_' + key + '_c1'))} | "
                     f"{reqs} | {err_cell(*keys)} |")
    lines += [
        "",
        "| Request | Conn. | req/s | p50 | p99 | Requests | Errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for key, label, conns in (("login_c1", "`POST /connexion`, right password (answers 303)", "1"),
                              ("login_cn", "`POST /connexion`, right password (answers 303)", r["login_connections"]),
                              ("healthz_c1", "`GET /healthz` (reference)", "1"),
                              ("healthz_cn", "`GET /healthz` (reference)", r["login_connections"])):
        lines.append(f"| {label} | {conns} | {rps(r['rps_' + key])} | {ms(f('p50_' + key))} | {ms(f('p99_' + key))} | "
                     f"{int(r['reqs_' + key]):,} | {err_cell(key)} |")
    lines += [
        "",
        "| Comparison (same run) | Ratio |",
        "|---|---|",
        f"| Back-office list / public catalogue page, req/s at {r['wrk_connections']} connections | "
        f"{ratio_list:.3f} ({rps(r['rps_list'])} / {rps(r['rps_catalogue'])}) |",
        f"| Back-office list / public catalogue page, time of one request (p50, 1 connection) | "
        f"{ratio_list_c1:.1f} × ({ms(t_list)} / {ms(f('p50_catalogue_c1'))}) |",
        f"| Editor / public sheet page, req/s at {r['wrk_connections']} connections | "
        f"{ratio_editor:.3f} ({rps(r['rps_editor'])} / {rps(r['rps_sheet'])}) |",
        f"| Editor / public sheet page, time of one request (p50, 1 connection) | "
        f"{ratio_editor_c1:.1f} × ({ms(f('p50_editor_c1'))} / {ms(f('p50_sheet_c1'))}) |",
        f"| Login / `/healthz`, req/s at 1 connection | {ratio_login_c1:.4f} ({rps(r['rps_login_c1'])} / {rps(r['rps_healthz_c1'])}) |",
        f"| Login / `/healthz`, req/s at {r['login_connections']} connections | "
        f"{ratio_login_cn:.4f} ({rps(r['rps_login_cn'])} / {rps(r['rps_healthz_cn'])}) |",
        "",
        "| Memory of `forma serve` | RSS | Peak so far (VmHWM) |",
        "|---|---:|---:|",
        f"| Right after start | {r['rss_start']} MB | |",
        f"| Before / after the first display of the list (one request) | {r['rss_before_list']} MB / {r['rss_one_list']} MB | "
        f"{r['hwm_before_list']} MB / {r['hwm_one_list']} MB |",
        f"| After the list runs (list, catalogue page, filtered list) | {r['rss_pages']} MB | {r['hwm_pages']} MB |",
        f"| After the editor and sheet page runs | {r['rss_editor']} MB | {r['hwm_editor']} MB |",
        f"| After the login and `/healthz` runs | {r['rss_login']} MB | {r['hwm_login']} MB |",
        "",
        f"With {r['wrk_connections']} connections on saturated cores a request mostly waits for the ones ahead of it "
        "(latency ≈ connections ÷ throughput), so the p99 there measures capacity; the 1-connection columns give "
        "the time one request takes on an otherwise idle server. Errors counts non-2xx/3xx answers, socket errors "
        "and timeouts, and for logins every answer that is not a 303 with a session cookie; the bytes wrk read per "
        "response are checked against the page, so that a redirect to `/connexion` cannot pass for it.",
        "",
        reading,
        "",
    ]
    if errors_total or size_problems:
        lines += [f"Note: {errors_total} errors or unexpected answers, {size_problems} run(s) with responses of the wrong size "
                  "(see the Errors columns).", ""]
    record("backoffice-bench", "Back-office benchmark", "scripts/bench/backoffice.sh", lines)

sys.exit(3 if (errors_total or size_problems) else 0)
PY
exit 0
