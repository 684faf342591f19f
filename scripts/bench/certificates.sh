#!/usr/bin/env bash
# Certificate generation benchmark (issue 7: « generate 10,000 certificates; report per-second
# throughput, total time and peak memory — target: at least 200 per second on 2 cores »).
#
# Runs `cargo bench -p forma-documents --bench certificates` (crates/documents/benches/
# certificates.rs), which makes BENCH_CERTIFICATES certificates as the product makes them — the
# content built, its canonical bytes signed with Ed25519, the PDF/A laid out by typst with its QR
# code — on every core, each with its own trainee, code, kind and hours; and, in the same process,
# a reference run of the same pipeline on one thread. Reports certificates/s, total time, the
# time of one certificate (p50, p99), the PDF size, the peak memory (VmHWM) and the ratio to the
# one-thread reference, and records a dated section in BENCHMARKS.md.
#
#   bash scripts/bench/certificates.sh      # from the repository root, no argument
#
# Environment (all optional):
#   BENCH_CERTIFICATES=10000  BENCH_REFERENCE=300 (one-thread reference run)  BENCH_THREADS=nproc
#   BENCH_TARGET_PER_S=200    the issue's figure, reported against the measured rate
#   BENCH_MD=BENCHMARKS.md    where to record the results ("" to skip)
#   BENCH_STRICT=1            exit with status 2 when the target is missed
#   BUILD_TIMEOUT=3600        seconds allowed for the release build of typst (long on 2 cores)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

export BENCH_CERTIFICATES=${BENCH_CERTIFICATES:-10000}
export BENCH_REFERENCE=${BENCH_REFERENCE:-300}
export BENCH_THREADS=${BENCH_THREADS:-$(nproc)}
TARGET_PER_S=${BENCH_TARGET_PER_S:-200}
BENCH_MD=${BENCH_MD-$ROOT/BENCHMARKS.md}
BENCH_STRICT=${BENCH_STRICT:-0}
BUILD_TIMEOUT=${BUILD_TIMEOUT:-3600}
SHEETS=0            # put_context reports it; no sheets here
WRK_CONNECTIONS=0   # idem: no HTTP load here

for v in BENCH_CERTIFICATES BENCH_REFERENCE BENCH_THREADS TARGET_PER_S; do
    [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a whole number above 0"
done

make_tmp forma-bench-certificates.XXXXXX
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n $(git status --porcelain --untracked-files=no -- crates Cargo.toml Cargo.lock 2>/dev/null) ]]; then
    COMMIT+=" + uncommitted changes in crates/"
fi

log "cargo bench --no-run (release build of typst: several minutes on a small machine)"
bounded "$BUILD_TIMEOUT" cargo bench --locked -p forma-documents --bench certificates --no-run >&2

put_context
put wrk_settings "none (no HTTP load)"
put loadavg_what "the run"
put target_per_s "$TARGET_PER_S"
loadavg before
log "making $BENCH_CERTIFICATES certificates on $BENCH_THREADS threads"
bounded "$BUILD_TIMEOUT" cargo bench --locked -p forma-documents --bench certificates >"$TMP/bench.out"
grep -P '^[a-z_0-9]+\t' "$TMP/bench.out" >>"$RESULTS" || die "the bench printed no results: $(cat "$TMP/bench.out")"
loadavg after

report "target met" "target missed: see the table" <<'PY'
per_s, target = f("per_s"), f("target_per_s")
print()
print(f"Forma certificates — {r['datetime']} — commit {r['commit']}")
print(f"{r['count']} certificates on {r['threads']} threads: {r['total_s']} s, {per_s:.0f}/s "
      f"(reference, 1 thread: {f('reference_per_s'):.0f}/s), p99 {r['p99_ms']} ms, peak memory {r['hwm_mb']} MB")
lines = [
    f"- **Build**: `cargo bench -p forma-documents --bench certificates` (release), {r['rustc']}",
    f"- **Work**: each certificate made as the product makes it — content built, canonical bytes signed "
    f"(Ed25519), PDF/A-2b laid out by typst with its QR code — each with its own trainee, code, kind and "
    f"hours (the three kinds in turn); PDFs kept in memory only long enough to be measured. Not included: "
    f"the database insert (one transaction for a session's batch) and the HTTP answer.",
    "",
    "| Measure | Figure |",
    "|---|---|",
    f"| Certificates | {int(f('count')):,} on {r['threads']} threads |",
    f"| Total time | **{r['total_s']} s** |",
    f"| Throughput | **{per_s:,.0f} certificates/s** |",
    f"| One certificate (p50 / p99 / max) | {r['p50_ms']} ms / {r['p99_ms']} ms / {r['max_ms']} ms |",
    f"| Reference in the same process: 1 thread, {r['reference_count']} certificates | {f('reference_per_s'):,.0f}/s (p50 {r['reference_p50_ms']} ms) |",
    f"| Ratio to the reference | {r['ratio_to_reference']} × |",
    f"| First certificate (fonts loaded, templates parsed) | {r['first_ms']} ms |",
    f"| Average PDF size | {r['avg_pdf_kb']} KB |",
    f"| Peak memory (VmHWM): after the first certificate / at the end | {r['hwm_warmup_mb']} MB / **{r['hwm_mb']} MB** |",
    "",
    "| Target | Measured | Result |",
    "|---|---|---|",
    f"| ≥ {target:.0f} certificates/s on {r['nproc']} cores | {per_s:,.0f}/s | {'PASS' if per_s >= target else 'MISS'} |",
]
if md_path:
    record("certificates-bench", "Certificates benchmark", "scripts/bench/certificates.sh", lines)
sys.exit(0 if per_s >= target else 3)
PY
