//! Certificates (certificat de réalisation, attestations): what each one states, the code that
//! lets anyone check it, and the exact bytes its Ed25519 signature covers.
//!
//! A certificate's content is frozen when it is issued and stored as its canonical JSON; the PDF
//! is laid out again from that content whenever it is downloaded, so the signature, the page at
//! `/verifier/{code}` and every copy of the PDF always say the same thing.

use std::fmt;

use chrono::NaiveDate;
use ed25519_dalek::{Signer, Verifier};
use serde::{Deserialize, Serialize};

/// The three documents a trainee receives at the end of a training action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CertificateKind {
    /// Certificat de réalisation: the Ministry of Labour's model, what funders (OPCO) ask for;
    /// states the hours actually attended (REGULATIONS.md §2.7).
    Completion,
    /// Attestation de fin de formation (« de participation »): objectives, nature, duration and,
    /// where the program planned an assessment, its results (§2.8).
    Attestation,
    /// Attestation de suivi: presence, half-day by half-day, from the attendance sheet.
    Attendance,
}

impl CertificateKind {
    pub const ALL: [CertificateKind; 3] = [CertificateKind::Completion, CertificateKind::Attestation, CertificateKind::Attendance];

    pub fn as_str(self) -> &'static str {
        match self {
            CertificateKind::Completion => "completion",
            CertificateKind::Attestation => "attestation",
            CertificateKind::Attendance => "attendance",
        }
    }

    pub fn parse(s: &str) -> Option<CertificateKind> {
        CertificateKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The document's title, as printed and listed.
    pub fn label(self) -> &'static str {
        match self {
            CertificateKind::Completion => "Certificat de réalisation",
            CertificateKind::Attestation => "Attestation de fin de formation",
            CertificateKind::Attendance => "Attestation de suivi",
        }
    }

    /// The word for a file name: « certificat-de-realisation ».
    pub fn file_stem(self) -> &'static str {
        match self {
            CertificateKind::Completion => "certificat-de-realisation",
            CertificateKind::Attestation => "attestation-de-fin-de-formation",
            CertificateKind::Attendance => "attestation-de-suivi",
        }
    }
}

/// The nature of the action, one of the four boxes of the official model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionNature {
    Training,
    SkillsAssessment,
    Vae,
    Apprenticeship,
}

impl ActionNature {
    pub const ALL: [ActionNature; 4] = [ActionNature::Training, ActionNature::SkillsAssessment, ActionNature::Vae, ActionNature::Apprenticeship];

    pub fn label(self) -> &'static str {
        match self {
            ActionNature::Training => "action de formation",
            ActionNature::SkillsAssessment => "bilan de compétences",
            ActionNature::Vae => "action de VAE",
            ActionNature::Apprenticeship => "action de formation par apprentissage",
        }
    }
}

/// Who issues the certificate: the training body, as on its letterhead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issuer {
    pub name: String,
    pub address: String,
    /// Numéro de déclaration d'activité.
    pub nda: Option<String>,
    pub siret: Option<String>,
    /// Who signs for the body: « Mme X, directrice ».
    pub representative: Option<String>,
    /// « Fait à … ».
    pub city: String,
}

/// Who followed the training.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Beneficiary {
    pub first_name: String,
    pub last_name: String,
    pub employer: Option<String>,
}

impl Beneficiary {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

/// The training action as it ran for this trainee.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionFacts {
    pub title: String,
    pub nature: ActionNature,
    pub objectives: Vec<String>,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    /// « CAF de l'Allier, Moulins ».
    pub place: Option<String>,
    /// The trainee's planned time (the days they were registered for), in minutes.
    pub planned_minutes: u32,
    /// Time actually attended over closed half-days, in minutes.
    pub attended_minutes: u32,
    /// Each attended half-day: « 12/03/2019 matin (3 h 30) », for the attestation de suivi.
    pub half_days: Vec<String>,
}

/// Everything a certificate states. Its canonical JSON is what is stored and signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateContent {
    /// Bumped if the fields ever change, so older certificates still verify as they were.
    pub format: u32,
    pub kind: CertificateKind,
    pub code: VerificationCode,
    pub issued_on: NaiveDate,
    pub issuer: Issuer,
    pub beneficiary: Beneficiary,
    pub action: ActionFacts,
    /// Results of the assessment of what was learnt; only when the program planned one (§2.8).
    pub results: Option<String>,
    /// The code of the certificate this one replaces, after a correction.
    pub replaces: Option<VerificationCode>,
}

pub const CONTENT_FORMAT: u32 = 1;

impl CertificateContent {
    /// The signed bytes: a fixed prefix naming the format, then the content as JSON with the
    /// fields in declaration order (serde writes struct fields in order, and no map is used), so
    /// the same content always gives the same bytes.
    pub fn canonical(&self) -> Vec<u8> {
        let mut bytes = b"forma-certificate-v1\n".to_vec();
        bytes.extend(serde_json::to_vec(self).expect("a certificate's content is plain data"));
        bytes
    }

    /// Reads back a stored content, refusing anything that is not exactly its canonical form:
    /// a stored row edited by hand is caught here as well as by the signature.
    pub fn from_canonical(bytes: &[u8]) -> Result<CertificateContent, CertificateError> {
        let json = bytes.strip_prefix(b"forma-certificate-v1\n").ok_or(CertificateError::NotCanonical)?;
        let content: CertificateContent = serde_json::from_slice(json).map_err(|_| CertificateError::NotCanonical)?;
        if content.canonical() != bytes {
            return Err(CertificateError::NotCanonical);
        }
        Ok(content)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertificateError {
    #[error("code de vérification invalide : 16 caractères attendus (chiffres et lettres, sans I, L, O ni U)")]
    BadCode,
    #[error("contenu du certificat illisible")]
    NotCanonical,
    #[error("signature du certificat illisible")]
    BadSignature,
}

/// Crockford's base 32: no I, L, O or U, so a code read aloud or typed from paper is not
/// mistaken; lowercase and the look-alikes are accepted when typed.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The code printed on a certificate and in its QR code: 80 random bits as 16 characters,
/// shown in four groups (« 7KQ2-M9XD-4TBW-HC81 »). Unguessable, so the verification page can
/// be public.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct VerificationCode(String);

impl VerificationCode {
    /// The code of 10 random bytes (the caller draws them: the domain has no randomness).
    pub fn from_bytes(bytes: [u8; 10]) -> VerificationCode {
        let mut value: u128 = 0;
        for b in bytes {
            value = (value << 8) | u128::from(b);
        }
        let chars = (0..16).rev().map(|i| ALPHABET[((value >> (i * 5)) & 31) as usize] as char).collect();
        VerificationCode(chars)
    }

    /// Reads a code as typed: case, spaces and dashes do not matter, and O, I and L read as
    /// 0, 1 and 1.
    pub fn parse(typed: &str) -> Result<VerificationCode, CertificateError> {
        let mut code = String::with_capacity(16);
        for c in typed.chars().filter(|c| !c.is_whitespace() && *c != '-') {
            let c = match c.to_ascii_uppercase() {
                'O' => '0',
                'I' | 'L' => '1',
                c => c,
            };
            if !c.is_ascii() || !ALPHABET.contains(&(c as u8)) {
                return Err(CertificateError::BadCode);
            }
            code.push(c);
        }
        if code.len() != 16 {
            return Err(CertificateError::BadCode);
        }
        Ok(VerificationCode(code))
    }

    /// The 16 characters, as stored and used in addresses.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The code in four groups, as printed.
    pub fn grouped(&self) -> String {
        self.0.as_bytes().chunks(4).map(|c| std::str::from_utf8(c).unwrap_or_default()).collect::<Vec<_>>().join("-")
    }
}

impl fmt::Display for VerificationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.grouped())
    }
}

impl TryFrom<String> for VerificationCode {
    type Error = CertificateError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        VerificationCode::parse(&s)
    }
}

impl From<VerificationCode> for String {
    fn from(code: VerificationCode) -> String {
        code.0
    }
}

/// The training body's signing key. Its 32-byte seed is kept in the database beside the other
/// application secrets; the public half is published on the site so that anyone can check a
/// certificate without trusting the page that shows it.
pub struct CertificateSigner(ed25519_dalek::SigningKey);

impl CertificateSigner {
    pub fn from_seed(seed: &[u8; 32]) -> CertificateSigner {
        CertificateSigner(ed25519_dalek::SigningKey::from_bytes(seed))
    }

    /// The signature of `content`, in lowercase hex (128 characters).
    pub fn sign(&self, content: &CertificateContent) -> String {
        hex(&self.0.sign(&content.canonical()).to_bytes())
    }

    pub fn public_key(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }
}

/// The published half of the signing key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(ed25519_dalek::VerifyingKey);

/// The DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): with it the key is a standard
/// PEM file that `openssl pkeyutl -verify` reads.
const SPKI_PREFIX: [u8; 12] = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];

impl PublicKey {
    /// Whether `signature_hex` is this key's signature of `canonical` (a stored content, as bytes).
    pub fn verifies(&self, canonical: &[u8], signature_hex: &str) -> bool {
        let Some(bytes) = unhex(signature_hex) else { return false };
        let Ok(bytes) = <[u8; 64]>::try_from(bytes.as_slice()) else { return false };
        self.0.verify(canonical, &ed25519_dalek::Signature::from_bytes(&bytes)).is_ok()
    }

    pub fn hex(&self) -> String {
        hex(self.0.as_bytes())
    }

    /// The SubjectPublicKeyInfo bytes (DER).
    pub fn spki_der(&self) -> Vec<u8> {
        let mut der = SPKI_PREFIX.to_vec();
        der.extend_from_slice(self.0.as_bytes());
        der
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.is_ascii() {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok()).collect()
}

/// Where a certificate stands, as the verification page says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertificateStatus {
    Valid,
    /// Withdrawn, with the reason given.
    Revoked {
        on: NaiveDate,
        reason: String,
    },
    /// Corrected: a new certificate with its own code replaces it.
    Replaced {
        on: NaiveDate,
        by: VerificationCode,
    },
}

/// Why a trainee cannot be given a certificate yet; French, shown to the back-office.
pub fn refusal(kind: CertificateKind, open_half_days: usize, attended_minutes: u32) -> Option<String> {
    if open_half_days > 0 {
        let s = if open_half_days > 1 { "s" } else { "" };
        return Some(format!("{open_half_days} demi-journée{s} pas encore close{s} : le temps suivi n'est pas encore connu."));
    }
    if attended_minutes == 0 && kind != CertificateKind::Attestation {
        return Some("Aucune heure suivie : il n'y a rien à certifier.".to_owned());
    }
    if attended_minutes == 0 {
        return Some("Aucune heure suivie : pas d'attestation de fin de formation.".to_owned());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    pub(crate) fn sample(code: [u8; 10]) -> CertificateContent {
        CertificateContent {
            format: CONTENT_FORMAT,
            kind: CertificateKind::Completion,
            code: VerificationCode::from_bytes(code),
            issued_on: NaiveDate::from_ymd_opt(2019, 3, 15).unwrap(),
            issuer: Issuer {
                name: "EGOC".into(),
                address: "12 rue de la Formation, 63000 Clermont-Ferrand".into(),
                nda: Some("84630000063".into()),
                siret: None,
                representative: Some("Mme Martin, directrice".into()),
                city: "Clermont-Ferrand".into(),
            },
            beneficiary: Beneficiary { first_name: "Inès".into(), last_name: "Morel".into(), employer: Some("CAF de l'Allier".into()) },
            action: ActionFacts {
                title: "Les chantiers locaux de la CTG".into(),
                nature: ActionNature::Training,
                objectives: vec!["Comprendre la CTG".into()],
                first_day: NaiveDate::from_ymd_opt(2019, 3, 12).unwrap(),
                last_day: NaiveDate::from_ymd_opt(2019, 3, 13).unwrap(),
                place: Some("Moulins".into()),
                planned_minutes: 840,
                attended_minutes: 630,
                half_days: vec!["12/03/2019 matin (3 h 30)".into()],
            },
            results: None,
            replaces: None,
        }
    }

    #[test]
    fn codes_read_back_as_typed_on_paper() {
        let code = VerificationCode::from_bytes([0xff; 10]);
        assert_eq!(code.as_str(), "ZZZZZZZZZZZZZZZZ");
        let code = VerificationCode::from_bytes([0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        assert_eq!(code.grouped(), "0000-0000-0000-0001");
        assert_eq!(VerificationCode::parse("oooo oooo-oooo-oool").unwrap(), code);
        assert_eq!(VerificationCode::parse("7kq2-m9xd-4tbw-hc81").unwrap().as_str(), "7KQ2M9XD4TBWHC81");
        assert_eq!(VerificationCode::parse("7KQ2-M9XD-4TBW-HC8U"), Err(CertificateError::BadCode));
        assert_eq!(VerificationCode::parse("7KQ2-M9XD-4TBW"), Err(CertificateError::BadCode));
        assert_eq!(VerificationCode::parse("7KQ2-M9XD-4TBW-HC81-0"), Err(CertificateError::BadCode));
        assert_eq!(VerificationCode::parse("7KQ2-M9XD-4TBW-HC8é"), Err(CertificateError::BadCode));
    }

    #[test]
    fn a_signature_covers_every_field() {
        let signer = CertificateSigner::from_seed(&[7; 32]);
        let content = sample([1; 10]);
        let signature = signer.sign(&content);
        assert_eq!(signature.len(), 128);
        let key = signer.public_key();
        assert!(key.verifies(&content.canonical(), &signature));
        let mut changed = content.clone();
        changed.action.attended_minutes += 1;
        assert!(!key.verifies(&changed.canonical(), &signature));
        let mut changed = content.clone();
        changed.beneficiary.last_name = "Moral".into();
        assert!(!key.verifies(&changed.canonical(), &signature));
        assert!(!CertificateSigner::from_seed(&[8; 32]).public_key().verifies(&content.canonical(), &signature));
        assert!(!key.verifies(&content.canonical(), "zz"));
        assert!(!key.verifies(&content.canonical(), &signature[..126]));
    }

    #[test]
    fn the_public_key_is_a_standard_spki() {
        // RFC 8410 §10.1 gives this key's PEM: the DER must match it byte for byte.
        let key = CertificateSigner::from_seed(&[
            0xd4, 0xee, 0x72, 0xdb, 0xf9, 0x13, 0x58, 0x4a, 0xd5, 0xb6, 0xd8, 0xf1, 0xf7, 0x69, 0xf8, 0xad, 0x3a, 0xfe, 0x7c, 0x28, 0xcb, 0xf1, 0xd4, 0xfb,
            0xe0, 0x97, 0xa8, 0x8f, 0x44, 0x75, 0x58, 0x42,
        ])
        .public_key();
        assert_eq!(key.hex(), "19bf44096984cdfe8541bac167dc3b96c85086aa30b6b6cb0c5c38ad703166e1");
        assert_eq!(hex(&key.spki_der()), "302a300506032b657003210019bf44096984cdfe8541bac167dc3b96c85086aa30b6b6cb0c5c38ad703166e1");
    }

    #[test]
    fn stored_content_must_be_canonical() {
        let content = sample([2; 10]);
        let bytes = content.canonical();
        assert_eq!(CertificateContent::from_canonical(&bytes).unwrap(), content);
        let spaced = String::from_utf8(bytes.clone()).unwrap().replacen(":", ": ", 1);
        assert_eq!(CertificateContent::from_canonical(spaced.as_bytes()), Err(CertificateError::NotCanonical));
        assert_eq!(CertificateContent::from_canonical(&bytes[21..]), Err(CertificateError::NotCanonical));
    }

    #[test]
    fn nothing_to_certify_before_the_end_or_without_hours() {
        assert!(refusal(CertificateKind::Completion, 2, 420).unwrap().starts_with("2 demi-journées pas encore closes"));
        assert!(refusal(CertificateKind::Completion, 1, 420).unwrap().starts_with("1 demi-journée pas encore close "));
        assert!(refusal(CertificateKind::Attendance, 0, 0).is_some());
        assert!(refusal(CertificateKind::Attestation, 0, 0).is_some());
        assert_eq!(refusal(CertificateKind::Completion, 0, 1), None);
    }

    proptest! {
        #[test]
        fn every_code_parses_back_to_itself(bytes in any::<[u8; 10]>()) {
            let code = VerificationCode::from_bytes(bytes);
            prop_assert_eq!(code.as_str().len(), 16);
            prop_assert_eq!(VerificationCode::parse(&code.grouped()).unwrap(), code.clone());
            prop_assert_eq!(VerificationCode::parse(&code.as_str().to_lowercase()).unwrap(), code);
        }

        #[test]
        fn distinct_bytes_give_distinct_codes(a in any::<[u8; 10]>(), b in any::<[u8; 10]>()) {
            prop_assume!(a != b);
            prop_assert_ne!(VerificationCode::from_bytes(a), VerificationCode::from_bytes(b));
        }

        #[test]
        fn any_signed_content_round_trips_and_verifies(seed in any::<[u8; 32]>(), minutes in 0u32..100_000, name in "\\PC{0,40}") {
            let signer = CertificateSigner::from_seed(&seed);
            let mut content = sample([3; 10]);
            content.action.attended_minutes = minutes;
            content.beneficiary.last_name = name;
            let signature = signer.sign(&content);
            let stored = content.canonical();
            prop_assert_eq!(CertificateContent::from_canonical(&stored).unwrap(), content);
            prop_assert!(signer.public_key().verifies(&stored, &signature));
        }
    }
}
