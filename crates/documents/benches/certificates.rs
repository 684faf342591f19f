//! Certificate generation benchmark (`scripts/bench/certificates.sh` runs it and records the
//! figures in BENCHMARKS.md): BENCH_CERTIFICATES certificates (10,000 by default), each made as
//! the product makes it — its content built, its canonical bytes signed with Ed25519, then laid
//! out as a PDF/A with its QR code — on every core, each certificate with its own trainee, code
//! and hours (typst caches layouts: rendering one document over and over would time nothing).
//!
//! A reference run in the same process, the same pipeline on one thread for BENCH_REFERENCE
//! certificates, gives the per-core rate; the main run reports certificates per second, total
//! time, the p50/p99 of one certificate, the PDF size, and the process's peak memory (VmHWM).
//! Results go to stdout as `key<TAB>value` lines, for the script.

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use forma_documents::certificate::{ActionNature, CertificateDocument, CertificateKind, render};
use forma_documents::{Organisation, Party};
use forma_domain::certificate::{self as domain, CertificateContent, CertificateSigner, VerificationCode};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

const FIRST: [&str; 8] = ["Anne", "Bruno", "Chloé", "David", "Emma", "Fabien", "Gaëlle", "Hugo"];
const LAST: [&str; 8] = ["Perrin", "Lacroix", "Vidal", "Renaud", "Royer", "Colin", "Marchand", "Brunet"];

/// The content of certificate `n`: its own trainee, code, kind and hours.
fn content(n: usize) -> CertificateContent {
    let mut code = [0u8; 10];
    code[..8].copy_from_slice(&(n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15).to_be_bytes());
    code[8..].copy_from_slice(&(n as u16).to_be_bytes());
    let attended = 7 * 60 + (n % 7) as u32 * 60;
    CertificateContent {
        format: domain::CONTENT_FORMAT,
        kind: domain::CertificateKind::ALL[n % 3],
        code: VerificationCode::from_bytes(code),
        issued_on: date(2019, 9, 27),
        issuer: domain::Issuer {
            name: "EGOC".into(),
            address: "1 rue de la Formation\n03000 Moulins".into(),
            nda: Some("84030000003".into()),
            siret: Some("12345678900007".into()),
            representative: Some("Paul Bernard".into()),
            city: "Moulins".into(),
        },
        beneficiary: domain::Beneficiary {
            first_name: FIRST[n % 8].into(),
            last_name: format!("{} {n}", LAST[(n / 8) % 8]),
            employer: Some("CAF de l'Allier".into()),
        },
        action: domain::ActionFacts {
            title: "Les chantiers locaux de la CTG : de l'acculturation à la mise en œuvre".into(),
            nature: domain::ActionNature::Training,
            objectives: vec!["situer les chantiers locaux dans la CTG ;".into(), "conduire un diagnostic partagé ;".into(), "animer un plan d'action.".into()],
            first_day: date(2019, 3, 12),
            last_day: date(2019, 9, 26),
            place: Some("CAF de l'Allier, Moulins ; Vichy ; Montluçon".into()),
            planned_minutes: 14 * 60,
            attended_minutes: attended,
            half_days: (0..(attended / 210)).map(|h| format!("{:02}/03/2019 {} (3 h 30)", 12 + h / 2, if h % 2 == 0 { "matin" } else { "après-midi" })).collect(),
        },
        results: None,
        replaces: None,
    }
}

/// One certificate as the product makes it: content, signature, PDF. Gives the PDF's size.
fn make(n: usize, signer: &CertificateSigner, fingerprint: &str) -> usize {
    let c = content(n);
    let signature = signer.sign(&c);
    assert_eq!(signature.len(), 128);
    let doc = CertificateDocument {
        kind: match c.kind {
            domain::CertificateKind::Completion => CertificateKind::Completion,
            domain::CertificateKind::Attestation => CertificateKind::Attestation,
            domain::CertificateKind::Attendance => CertificateKind::Attendance,
        },
        organisation: Organisation {
            party: Party {
                name: c.issuer.name.clone(),
                address_lines: c.issuer.address.lines().map(str::to_owned).collect(),
                siret: c.issuer.siret.clone(),
                representative: c.issuer.representative.clone(),
                email: Some("contact@egoc.test".into()),
                phone: None,
            },
            nda: c.issuer.nda.clone(),
            city: c.issuer.city.clone(),
        },
        trainee_name: format!("{} {}", c.beneficiary.first_name, c.beneficiary.last_name.to_uppercase()),
        employer: c.beneficiary.employer.clone(),
        training_title: c.action.title.clone(),
        nature: ActionNature::Training,
        objectives: c.action.objectives.clone(),
        first_day: c.action.first_day,
        last_day: c.action.last_day,
        place: c.action.place.clone(),
        planned_minutes: c.action.planned_minutes,
        attended_minutes: c.action.attended_minutes,
        half_days: c.action.half_days.clone(),
        results: None,
        issued_on: c.issued_on,
        code: c.code.grouped(),
        verify_url: format!("https://formation.egoc.test/verifier/{}", c.code.as_str()),
        replaces: None,
        public_key_fingerprint: fingerprint.to_owned(),
    };
    let pdf = render(&doc).expect("a certificate renders");
    assert!(pdf.starts_with(b"%PDF-"));
    pdf.len()
}

/// Makes certificates `range` on `threads` threads; gives each one's duration and the bytes.
fn run(range: std::ops::Range<usize>, threads: usize, signer: &CertificateSigner, fingerprint: &str) -> (Duration, Vec<Duration>, usize) {
    let next = std::sync::atomic::AtomicUsize::new(range.start);
    let start = Instant::now();
    let results: Vec<(Vec<Duration>, usize)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let (mut times, mut bytes) = (Vec::new(), 0);
                    loop {
                        let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if n >= range.end {
                            break (times, bytes);
                        }
                        let t = Instant::now();
                        bytes += make(n, signer, fingerprint);
                        times.push(t.elapsed());
                    }
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().expect("a worker")).collect()
    });
    let wall = start.elapsed();
    let mut times: Vec<Duration> = results.iter().flat_map(|(t, _)| t.iter().copied()).collect();
    times.sort();
    (wall, times, results.iter().map(|(_, b)| b).sum())
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

fn status_kb(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with(key)).and_then(|l| l.split_whitespace().nth(1)).and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is read from the command line.
    let count = env_usize("BENCH_CERTIFICATES", 10_000);
    let reference = env_usize("BENCH_REFERENCE", 300).min(count);
    let threads = env_usize("BENCH_THREADS", std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
    let signer = CertificateSigner::from_seed(&[42; 32]);
    let fingerprint = signer.public_key().hex()[..16].to_owned();

    // Warm-up: fonts loaded, templates parsed (once per process, as in the server).
    let t = Instant::now();
    make(usize::MAX / 2, &signer, &fingerprint);
    let first = t.elapsed();
    let hwm_after_warmup = status_kb("VmHWM:");

    let (ref_wall, ref_times, _) = run(1_000_000..1_000_000 + reference, 1, &signer, &fingerprint);
    let (wall, times, bytes) = run(0..count, threads, &signer, &fingerprint);
    let per_s = count as f64 / wall.as_secs_f64();
    let ref_per_s = reference as f64 / ref_wall.as_secs_f64();
    let out = [
        ("count", count.to_string()),
        ("threads", threads.to_string()),
        ("first_ms", format!("{:.1}", first.as_secs_f64() * 1000.0)),
        ("reference_count", reference.to_string()),
        ("reference_per_s", format!("{ref_per_s:.1}")),
        ("reference_p50_ms", format!("{:.2}", percentile(&ref_times, 0.5))),
        ("total_s", format!("{:.2}", wall.as_secs_f64())),
        ("per_s", format!("{per_s:.1}")),
        ("ratio_to_reference", format!("{:.2}", per_s / ref_per_s)),
        ("p50_ms", format!("{:.2}", percentile(&times, 0.5))),
        ("p99_ms", format!("{:.2}", percentile(&times, 0.99))),
        ("max_ms", format!("{:.2}", percentile(&times, 1.0))),
        ("avg_pdf_kb", format!("{:.1}", bytes as f64 / count as f64 / 1024.0)),
        ("hwm_warmup_mb", format!("{:.1}", hwm_after_warmup as f64 / 1024.0)),
        ("hwm_mb", format!("{:.1}", status_kb("VmHWM:") as f64 / 1024.0)),
        ("rss_mb", format!("{:.1}", status_kb("VmRSS:") as f64 / 1024.0)),
    ];
    for (k, v) in out {
        println!("{k}\t{v}");
    }
}
