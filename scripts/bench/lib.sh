# shellcheck shell=bash
# What the benchmark scripts in this folder share; sourced by each, right after `set -euo pipefail`
# and before anything is started, so that the traps below are in place first. Not run on its own.
#
# The functions read the calling script's settings: ROOT, SHEETS, BIN, DB_URL, TMP, RESULTS,
# SERVER_PID, BUILD_TIMEOUT, WRK_* and BENCH_MD/BENCH_STRICT as documented in each script, plus
# FETCH_MAX_TIME (curl's limit per request) and WRK_TIMEOUT (wrk's, in seconds), which each script
# sets for its own pages.
# shellcheck disable=SC2154  # those settings are assigned by the sourcing script

log() { printf '[bench %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

TMP=""
SERVER_PID=""
CHILD_PID=""

# Stops one process we started: polite signal, then SIGTERM, then SIGKILL after a grace period.
stop_pid() {
    local pid=$1 first=$2
    [[ -n $pid ]] || return 0
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
    kill "-$first" "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid" 2>/dev/null || true; sleep 1; fi
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
    wait "$pid" 2>/dev/null || true
}

# A script that starts or creates more (nginx, a policy-rc.d) defines cleanup_extra to undo it;
# it runs after the server has stopped and before the temporary directory goes.
# shellcheck disable=SC2317  # run by the EXIT trap
cleanup() {
    local rc=$?
    set +e
    trap - EXIT INT TERM
    stop_pid "$CHILD_PID" TERM   # a bounded step still running (timeout passes TERM on)
    stop_pid "$SERVER_PID" INT   # forma stops gracefully on Ctrl-C
    drop_backend_db
    if declare -F cleanup_extra >/dev/null; then cleanup_extra; fi
    [[ -n $TMP && -d $TMP ]] && rm -rf "$TMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Runs a command under `timeout` in the background and waits for it: bash runs a trap only once
# the foreground command has ended, whereas `wait` returns at once on a signal.
bounded() {
    local secs=$1 rc=0
    shift
    timeout "$secs" "$@" &
    CHILD_PID=$!
    wait "$CHILD_PID" || rc=$?
    CHILD_PID=""
    return "$rc"
}

as_root() {
    if [[ $EUID -eq 0 ]]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else die "root needed for: $*"; fi
}

# Adds to the array `missing` each command not found; its Debian package has the same name.
want() {
    local cmd
    for cmd; do command -v "$cmd" >/dev/null || missing+=("$cmd"); done
}

# apt-get install of the packages given, if any.
install_packages() {
    (($#)) || return 0
    log "installing $* (apt-get)"
    as_root timeout 600 apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq --no-install-recommends "$@" >&2
}

# Sets BIN (absolute path) and COMMIT. The commit measured is read before building: only the
# build inputs count as local changes (not these scripts, not BENCHMARKS.md).
build_forma() {
    COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
    if [[ -n $(git status --porcelain --untracked-files=no -- crates Cargo.toml Cargo.lock fixtures 2>/dev/null) ]]; then
        COMMIT+=" + uncommitted changes in crates/"
    fi
    if [[ -n ${FORMA_BIN:-} ]]; then
        COMMIT+=" (binary given by FORMA_BIN, not built by this script)"
        BIN=$FORMA_BIN
        log "using FORMA_BIN=$BIN (no build)"
    else
        log "cargo build --release -p forma (several minutes on a small machine)"
        bounded "$BUILD_TIMEOUT" cargo build --release -p forma >&2
        BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/forma
    fi
    [[ -x $BIN ]] || die "no forma binary at $BIN"
    BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
}

# Creates TMP from the mktemp template given, with an empty RESULTS file and DB_URL pointing into
# it. Reproducible runs: no forma.toml from the current directory (FORMA_CONFIG points to a file
# that does not exist), no FORMA_* or RUST_LOG from the caller's environment.
make_tmp() {
    TMP=$(mktemp -d -t "$1")
    export FORMA_CONFIG=$TMP/no-forma.toml
    unset FORMA_DATABASE_URL FORMA_ADDR FORMA_PUBLIC_URL FORMA_ORGANISATION_NAME RUST_LOG
    RESULTS=$TMP/results.tsv
    : >"$RESULTS"
    DB_URL="sqlite://$TMP/forma.db"
}

put() { printf '%s\t%s\n' "$1" "$2" >>"$RESULTS"; }
now() { date +%s.%N; }
elapsed() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.3f}')" "$1" "$2"; }

generate_sheets() {
    log "generating $SHEETS sheets in $TMP/sheets"
    bounded 300 python3 "$ROOT/scripts/bench/gen_sheets.py" --templates "$ROOT/crates/forma/demo/catalogue" \
        --out "$TMP/sheets" --count "$SHEETS" >&2
}

import_sheets() {
    if ! bounded 1800 "$BIN" --db "$DB_URL" import "$TMP"/sheets/*.txt >"$TMP/import.out" 2>"$TMP/import.err"; then
        tail -n 20 "$TMP/import.err" >&2
        die "import failed"
    fi
}

load_demo() {
    bounded 300 "$BIN" --db "$DB_URL" demo >"$TMP/demo.out" 2>"$TMP/demo.err" || { cat "$TMP/demo.err" >&2; die "forma demo failed"; }
    put db_mb "$(python3 -c "import os, sys; print(f'{os.path.getsize(sys.argv[1]) / 1e6:.1f}')" "$TMP/forma.db")"
}

# Starts `forma serve` on a free loopback port: sets SERVER_PID, and URL once it listens.
start_server() {
    "$BIN" --db "$DB_URL" serve --addr 127.0.0.1:0 >"$TMP/server.out" 2>"$TMP/server.err" &
    SERVER_PID=$!
    URL=""
    for _ in $(seq 1 1200); do # up to 120 s
        URL=$(grep -a 'coute sur http' "$TMP/server.out" 2>/dev/null | grep -a -m1 -oE 'http://127\.0\.0\.1:[0-9]+$' || true)
        [[ -n $URL ]] && break
        kill -0 "$SERVER_PID" 2>/dev/null || { tail -n 20 "$TMP/server.err" >&2; die "forma serve exited"; }
        sleep 0.1
    done
    [[ -n $URL ]] || die "forma serve did not print its address within 120 s"
}

status_kb() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$SERVER_PID/status"; }
kb_to_mb() { python3 -c "import sys; print(f'{int(sys.argv[1]) * 1024 / 1e6:.1f}')" "$1"; }
# RSS now and peak so far (VmHWM) of the server, under rss_POINT and hwm_POINT.
memory() { put "rss_$1" "$(kb_to_mb "$(status_kb VmRSS)")"; put "hwm_$1" "$(kb_to_mb "$(status_kb VmHWM)")"; }
loadavg() { put "loadavg_$1" "$(cut -d' ' -f1-3 /proc/loadavg)"; }

fetch() { curl -sS --max-time "$FETCH_MAX_TIME" --noproxy '*' "$@"; }
urlencode() { python3 -c "import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))" "$1"; }

# Sets INDEXED from /healthz; every generated sheet must be in the index.
check_indexed() {
    INDEXED=$(fetch "$URL/healthz" | python3 -c "import json, sys; print(json.load(sys.stdin)['indexed_programs'])")
    log "healthz: $INDEXED sheets indexed"
    put indexed "$INDEXED"
    (( INDEXED >= SHEETS )) || die "only $INDEXED sheets indexed, expected at least $SHEETS"
}

# Sets SLUG: a generated sheet from the middle of the catalogue (API order), so not a demo page.
pick_slug() {
    local api_page=$(( (INDEXED / 100 + 1) / 2 ))
    (( api_page >= 1 )) || api_page=1
    SLUG=$(fetch "$URL/api/v1/programs?per_page=100&page=$api_page" | python3 -c '
import json, sys
items = json.load(sys.stdin)["items"]
generated = [i["slug"] for i in items if "-session-" in i["slug"]]
print((generated or [i["slug"] for i in items])[len(generated or items) // 2])')
    [[ -n $SLUG ]] || die "no slug from the API"
    put slug "$SLUG"
}

put_wrk_settings() {
    put wrk_version "$(wrk --version 2>&1 | head -n1 | awk '{print $1, $2}' || true)"
    put wrk_settings "-t$WRK_THREADS -c$WRK_CONNECTIONS -d${WRK_DURATION}s --latency --timeout ${WRK_TIMEOUT}s (after a ${WRK_WARMUP}s warm-up)"
    put wrk_single "-t1 -c1 -d${WRK_SINGLE_DURATION}s"
}

# wrk --latency output -> req/s (with the number of decimals given), p50 and p99 in ms, request
# count, non-2xx/3xx answers, socket errors (timeouts included), bytes read.
parse_wrk() {
    awk -v decimals="$2" '
    function ms(v,   n, u) {
        n = v; sub(/[a-z]+$/, "", n); u = v; sub(/^[0-9.]+/, "", u)
        if (u == "us") return n / 1000; if (u == "ms") return n; if (u == "s") return n * 1000
        if (u == "m") return n * 60000; if (u == "h") return n * 3600000; return -1
    }
    function bytes(v,   n, u) {
        n = v; sub(/[A-Z]+$/, "", n); u = v; sub(/^[0-9.]+/, "", u)
        if (u == "B") return n; if (u == "KB") return n * 1024; if (u == "MB") return n * 1048576
        if (u == "GB") return n * 1073741824; if (u == "TB") return n * 1099511627776; return -1
    }
    /Latency Distribution/ { dist = 1; next }
    dist && $1 == "50%" { p50 = ms($2) }
    dist && $1 == "99%" { p99 = ms($2); dist = 0 }
    / requests in / { reqs = $1; nbytes = bytes($5) }
    /^Requests\/sec:/ { rps = $2 }
    /Non-2xx or 3xx responses:/ { status += $NF }
    /Socket errors:/ { gsub(/,/, ""); socket += $4 + $6 + $8 + $10 }
    END { printf "%." decimals "f %.3f %.3f %d %d %d %.0f\n", rps, p50, p99, reqs, status, socket, nbytes }
    ' "$1"
}

# The commit, the machine and the size of the run, for the report.
put_context() {
    put commit "$COMMIT"
    put date "$(date '+%Y-%m-%d')"
    put datetime "$(date '+%Y-%m-%d %H:%M %Z')"
    put nproc "$(nproc)"
    put cpu "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
    put mem_gb "$(awk '/^MemTotal:/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)"
    put kernel "$(uname -r)"
    # shellcheck disable=SC1091  # a system file, read for PRETTY_NAME only
    put os "$(. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-unknown}")"
    put rustc "$(rustc --version 2>/dev/null || echo unknown)"
    put sheets "$SHEETS"
    put wrk_connections "$WRK_CONNECTIONS"
}

# Python run before each script's report: the results as `r`, the summary's first lines on stdout
# and the dated section of BENCHMARKS.md, which a new run on the same day replaces.
REPORT_PY=$(cat <<'PY'
import os, re, sys

r = {}
for line in open(sys.argv[1], encoding="utf-8"):
    k, _, v = line.rstrip("\n").partition("\t")
    r[k] = v
f = lambda k: float(r[k])
md_path = os.environ.get("BENCH_MD")

def print_head(title):
    print()
    print(f"Forma {title} — {r['datetime']} — commit {r['commit']}")
    print(f"{r['nproc']} cores ({r['cpu']}), wrk {r['wrk_settings']}; wrk and the server share the cores")

def record(marker, title, script, lines):
    """Writes the section between <!-- MARKER date --> and <!-- /MARKER date --> into md_path: a
    heading, where it comes from and the machine, then LINES."""
    date = r["date"]
    begin, end = f"<!-- {marker} {date} -->", f"<!-- /{marker} {date} -->"
    section = "\n".join([
        begin,
        f"## {title} — {date}",
        "",
        f"Produced by `bash {script}` (re-running it the same day replaces this section).",
        "",
        f"- **Date**: {r['datetime']}",
        f"- **Commit**: `{r['commit']}`",
        f"- **Machine**: {r['nproc']} cores (`nproc`), {r['cpu']}, {r['mem_gb']} GiB RAM, {r['os']}, Linux {r['kernel']}; "
        f"load average {r['loadavg_before']} before {r.get('loadavg_what', 'the wrk runs')}, {r['loadavg_after']} after",
    ] + lines + [end])

    try:
        text = open(md_path, encoding="utf-8").read()
    except FileNotFoundError:
        text = ""
    if not text.strip():
        text = ("# Benchmarks\n\n"
                "Measured figures for Forma. Each section is written by the script it names; "
                "sections are dated and kept, a new run on the same day replaces that day's section.\n")
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    with open(md_path, "w", encoding="utf-8") as out:
        out.write(text.rstrip("\n") + "\n")
    print(f"Recorded in {md_path}")
PY
)

# Runs the script's report (Python on stdin, after REPORT_PY) on RESULTS. The report exits with 3
# when a target was missed or a run saw errors: logged with the second message, and the script
# exits with status 2 under BENCH_STRICT=1.
report() {
    local ok=$1 missed=$2 rc=0
    BENCH_MD="$BENCH_MD" python3 -c "$REPORT_PY"$'\n'"$(cat)" "$RESULTS" || rc=$?
    case $rc in
        0) log "$ok" ;;
        3) log "$missed"
           if [[ $BENCH_STRICT == 1 ]]; then exit 2; fi ;;
        *) die "report failed" ;;
    esac
}

# ---------------------------------------------------------------------------------------------
# Runs per backend (registration-burst.sh, attendance-spike.sh): SQLite, then PostgreSQL when one
# answers. These read POSTGRES (auto, 0 or 1) and PG_URL, and B, the backend being run.
# ---------------------------------------------------------------------------------------------
PG_DB=""

# Sets BACKENDS: sqlite, and postgres when POSTGRES is 1, or auto and PG_URL answers.
pick_backends() {
    [[ $POSTGRES == auto || $POSTGRES == 0 || $POSTGRES == 1 ]] || die "BENCH_POSTGRES must be auto, 0 or 1"
    BACKENDS=(sqlite)
    [[ $POSTGRES != 0 ]] || return 0
    if command -v psql >/dev/null && timeout 10 psql "$PG_URL/postgres" -X -qAtc 'SELECT 1' >/dev/null 2>&1; then
        BACKENDS+=(postgres)
    elif [[ $POSTGRES == 1 ]]; then
        die "BENCH_POSTGRES=1 but no PostgreSQL answers at $PG_URL (or psql is missing)"
    else
        log "no PostgreSQL at $PG_URL (or no psql): SQLite only"
    fi
}

# Drops the PostgreSQL database of the run, if one was created (run by cleanup, and by a script
# between two runs on the same server).
drop_backend_db() {
    [[ -n $PG_DB ]] || return 0
    timeout 60 psql "$PG_URL/postgres" -X -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 \
        || log "could not drop the database $PG_DB"
    PG_DB=""
}

# Puts KEY VALUE under the current backend's prefix.
putb() { put "${B}_$1" "$2"; }
# Puts every field of a one-line JSON object (file $1) under the current backend's prefix and $2.
put_json() {
    python3 - "$1" "${B}_$2" >>"$RESULTS" <<'PY'
import json, sys
for k, v in json.load(open(sys.argv[1])).items():
    print(f"{sys.argv[2]}{k}\t{json.dumps(v) if isinstance(v, (dict, list)) else v}")
PY
}

# CPU time of forma serve so far (clock ticks); the machine's total and idle ticks.
server_cpu() { awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat"; }
machine_cpu() { awk '$1 == "cpu" { t = 0; for (i = 2; i <= NF; i++) t += $i; print t, $5 + $6 }' /proc/stat; }
# From two server_cpu readings: seconds of CPU; from two machine_cpu readings: % of the cores busy.
cpu_seconds() { python3 -c "import sys; print(f'{(int(sys.argv[2]) - int(sys.argv[1])) / int(sys.argv[3]):.2f}')" "$1" "$2" "$(getconf CLK_TCK)"; }
busy_percent() { python3 -c "import sys; a, b = map(int, sys.argv[1].split()); c, d = map(int, sys.argv[2].split()); print(f'{100 * (1 - (d - b) / (c - a)):.0f}')" "$1" "$2"; }

# A fresh base for backend B in DIR: sets DB_URL (SQLite in DIR, or a database forma_bench_<pid>
# created on PG_URL and dropped on exit), and puts the PostgreSQL version and durability settings.
new_base() {
    local dir=$1
    if [[ $B == sqlite ]]; then
        DB_URL="sqlite://$dir/forma.db"
        return
    fi
    drop_backend_db
    PG_DB="forma_bench_$$"
    timeout 60 psql "$PG_URL/postgres" -X -qc "CREATE DATABASE $PG_DB" >/dev/null || die "could not create the database $PG_DB"
    DB_URL="$PG_URL/$PG_DB"
    putb server "$(psql "$DB_URL" -X -qAtc 'SHOW server_version' | awk '{ print $1 }')"
    putb sync "synchronous_commit=$(psql "$DB_URL" -X -qAtc 'SHOW synchronous_commit'), fsync=$(psql "$DB_URL" -X -qAtc 'SHOW fsync')"
}

# `forma demo` into the new base (output in DIR): sets ADMIN_EMAIL and ADMIN_PASSWORD, the demo
# administrator's login as the demo prints it.
demo_with_login() {
    local dir=$1 login_line
    bounded 300 "$BIN" --db "$DB_URL" demo >"$dir/demo.out" 2>"$dir/demo.err" || { cat "$dir/demo.err" >&2; die "forma demo failed"; }
    # « Gestion : identifiant admin@demo.forma.test — mot de passe … »
    login_line=$(grep -a -m1 'Gestion : identifiant' "$dir/demo.out" || true)
    [[ -n $login_line ]] || { cat "$dir/demo.out" >&2; die "forma demo printed no administrator login (was the base new?)"; }
    ADMIN_EMAIL=$(sed -E 's/.*identifiant ([^ ]+) .*/\1/' <<<"$login_line")
    ADMIN_PASSWORD=$(sed -E 's/.*mot de passe (.+)$/\1/' <<<"$login_line")
    [[ $ADMIN_EMAIL == *@* && -n $ADMIN_PASSWORD ]] || die "could not read the login from: $login_line"
}

# `forma token add` with the scopes given (after DIR and a name): sets API_TOKEN.
api_token() {
    local dir=$1 name=$2 scope args=()
    shift 2
    for scope; do args+=(--scope "$scope"); done
    API_TOKEN=$(bounded 60 "$BIN" --db "$DB_URL" token add --name "$name" "${args[@]}" 2>"$dir/token.err") \
        || { cat "$dir/token.err" >&2; die "forma token add failed"; }
    [[ $API_TOKEN =~ ^[A-Za-z0-9_]+$ ]] || die "forma token add printed no token"
}

# Signs in as ADMIN_EMAIL on the running server, as a browser would (POST /connexion, no Origin
# header): sets SESSION, the forma_session cookie's value.
sign_in() {
    local dir=$1 status
    fetch -o /dev/null -D "$dir/login.headers" -X POST --data-urlencode "email=$ADMIN_EMAIL" \
        --data-urlencode "password=$ADMIN_PASSWORD" "$URL/connexion"
    status=$(awk 'NR == 1 { print $2 }' "$dir/login.headers")
    [[ $status == 303 ]] || { cat "$dir/login.headers" >&2; die "POST /connexion answered $status, expected 303"; }
    SESSION=$(grep -i -m1 '^set-cookie: forma_session=' "$dir/login.headers" | sed -E 's/^[^:]*: forma_session=([^;]*).*/\1/' | tr -d '\r')
    [[ $SESSION =~ ^[0-9a-f]{32}$ ]] || { cat "$dir/login.headers" >&2; die "no session cookie in the login answer"; }
}
