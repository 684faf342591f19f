//! Proof of presence in the room: the trainer's screen shows a QR code that changes every
//! 10 seconds and a 6-digit code to type when scanning fails. Both are HMAC-SHA256 of the
//! half-day and a time window, keyed by a server secret, so nothing needs storing and a photo of
//! the screen sent to someone absent stops working within minutes.
//!
//! A token or code is accepted for its validity counted from the start of the window in which
//! it was first shown: [`QR_VALIDITY_SECS`] leaves time to draw a signature after scanning.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::half_day::HalfDay;

pub const QR_ROTATION_SECS: i64 = 10;
pub const QR_VALIDITY_SECS: i64 = 120;
pub const CODE_ROTATION_SECS: i64 = 60;
pub const CODE_VALIDITY_SECS: i64 = 120;

/// How far back an unrecognised code is still compared, to tell « expired » from « wrong ».
const CODE_EXPIRED_LOOKBACK_SECS: i64 = 600;
/// Bytes of the MAC kept in a QR token (80 bits).
const QR_TAG_BYTES: usize = 10;

/// The half-day a code proves presence at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HalfDayKey {
    /// Database id of the session day.
    pub half_day_id: i64,
    pub half_day: HalfDay,
}

/// Why a scanned token or a typed code is refused. `Display` speaks of the QR code;
/// [`PresenceError::code_message`] of the typed code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PresenceError {
    #[error("Ce QR code n'est pas reconnu : scannez celui qui est affiché dans la salle.")]
    Malformed,
    #[error("Ce QR code a expiré : scannez celui qui est affiché maintenant.")]
    Expired,
    #[error("Ce QR code ne correspond pas à cette demi-journée : scannez celui qui est affiché dans la salle.")]
    Invalid,
}

impl PresenceError {
    /// The message for a typed code.
    pub fn code_message(self) -> &'static str {
        match self {
            Self::Malformed => "Le code de présence compte 6 chiffres : recopiez celui qui est affiché.",
            Self::Expired => "Ce code a expiré : tapez celui qui est affiché maintenant.",
            Self::Invalid => "Ce code n'est pas le bon : vérifiez les 6 chiffres affichés dans la salle.",
        }
    }
}

fn mac(secret: &[u8], purpose: &str, key: HalfDayKey, window: i64) -> Hmac<Sha256> {
    // HMAC takes keys of any length: this never falls back.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap_or_else(|_| Hmac::<Sha256>::new(&Default::default()));
    let half = match key.half_day {
        HalfDay::Morning => "morning",
        HalfDay::Afternoon => "afternoon",
    };
    // The purpose keeps a QR tag from ever serving as a typed code, and the reverse.
    mac.update(format!("forma-presence-v1\n{purpose}\n{}\n{half}\n{window}", key.half_day_id).as_bytes());
    mac
}

fn window(now: DateTime<Utc>, rotation: i64) -> i64 {
    now.timestamp().div_euclid(rotation)
}

fn expired(now: DateTime<Utc>, window: i64, rotation: i64, validity: i64) -> bool {
    now.timestamp().saturating_sub(window.saturating_mul(rotation)) >= validity
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The QR token for `now`: `{window}-{20 hex digits}`, URL-safe, about 30 characters.
pub fn qr_token(secret: &[u8], key: HalfDayKey, now: DateTime<Utc>) -> String {
    let w = window(now, QR_ROTATION_SECS);
    let tag = mac(secret, "qr", key, w).finalize().into_bytes();
    let hex: String = tag[..QR_TAG_BYTES].iter().map(|b| format!("{b:02x}")).collect();
    format!("{w}-{hex}")
}

fn parse_token(token: &str) -> Option<(i64, [u8; QR_TAG_BYTES])> {
    let (w, hex) = token.trim().split_once('-')?;
    if w.is_empty() || w.len() > 15 || !w.bytes().all(|b| b.is_ascii_digit()) || hex.len() != 2 * QR_TAG_BYTES || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut tag = [0u8; QR_TAG_BYTES];
    for (i, byte) in tag.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some((w.parse().ok()?, tag))
}

/// Checks a scanned token: made with this secret for this half-day, shown less than
/// [`QR_VALIDITY_SECS`] ago, and not from further ahead than the next window (clock skew).
pub fn check_qr(secret: &[u8], key: HalfDayKey, token: &str, now: DateTime<Utc>) -> Result<(), PresenceError> {
    let (w, tag) = parse_token(token).ok_or(PresenceError::Malformed)?;
    mac(secret, "qr", key, w).verify_truncated_left(&tag).map_err(|_| PresenceError::Invalid)?;
    if w > window(now, QR_ROTATION_SECS).saturating_add(1) {
        return Err(PresenceError::Invalid);
    }
    if expired(now, w, QR_ROTATION_SECS, QR_VALIDITY_SECS) {
        return Err(PresenceError::Expired);
    }
    Ok(())
}

fn code_for(secret: &[u8], key: HalfDayKey, w: i64) -> [u8; 6] {
    let tag = mac(secret, "code", key, w).finalize().into_bytes();
    // RFC 4226 dynamic truncation, as in TOTP apps.
    let offset = usize::from(tag[tag.len() - 1] & 0x0f);
    let bin = u32::from_be_bytes([tag[offset] & 0x7f, tag[offset + 1], tag[offset + 2], tag[offset + 3]]);
    let mut digits = [0u8; 6];
    let mut n = bin % 1_000_000;
    for d in digits.iter_mut().rev() {
        *d = b'0' + (n % 10) as u8;
        n /= 10;
    }
    digits
}

/// The 6-digit code for `now`.
pub fn short_code(secret: &[u8], key: HalfDayKey, now: DateTime<Utc>) -> String {
    String::from_utf8_lossy(&code_for(secret, key, window(now, CODE_ROTATION_SECS))).into_owned()
}

/// Checks a typed code (spaces ignored) against the current window and the previous ones still
/// within [`CODE_VALIDITY_SECS`].
pub fn check_code(secret: &[u8], key: HalfDayKey, typed: &str, now: DateTime<Utc>) -> Result<(), PresenceError> {
    let digits: Vec<u8> = typed.chars().filter(|c| !c.is_whitespace()).map(|c| if c.is_ascii_digit() { c as u8 } else { b'x' }).take(7).collect();
    if digits.len() != 6 || !digits.iter().all(u8::is_ascii_digit) {
        return Err(PresenceError::Malformed);
    }
    let current = window(now, CODE_ROTATION_SECS);
    let mut w = current;
    while !expired(now, w, CODE_ROTATION_SECS, CODE_EXPIRED_LOOKBACK_SECS) {
        if constant_time_eq(&digits, &code_for(secret, key, w)) {
            return if expired(now, w, CODE_ROTATION_SECS, CODE_VALIDITY_SECS) { Err(PresenceError::Expired) } else { Ok(()) };
        }
        w -= 1;
    }
    Err(PresenceError::Invalid)
}

/// Seconds before the QR code on screen changes (1 to [`QR_ROTATION_SECS`]).
pub fn seconds_left(now: DateTime<Utc>) -> i64 {
    QR_ROTATION_SECS - now.timestamp().rem_euclid(QR_ROTATION_SECS)
}

/// Seconds before the typed code on screen changes (1 to [`CODE_ROTATION_SECS`]).
pub fn code_seconds_left(now: DateTime<Utc>) -> i64 {
    CODE_ROTATION_SECS - now.timestamp().rem_euclid(CODE_ROTATION_SECS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;
    use proptest::prelude::*;

    const SECRET: &[u8] = b"server secret for tests";
    const KEY: HalfDayKey = HalfDayKey { half_day_id: 42, half_day: HalfDay::Morning };

    /// `secs` after the start of a window of both rotations.
    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_772_439_960 + secs, 0).unwrap()
    }

    #[test]
    fn a_qr_token_is_short_and_checks_out() {
        let token = qr_token(SECRET, KEY, at(3));
        assert!(token.len() <= 32 && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'), "{token}");
        assert_eq!(token, qr_token(SECRET, KEY, at(9)), "same window, same token");
        assert_ne!(token, qr_token(SECRET, KEY, at(10)));
        assert_eq!(check_qr(SECRET, KEY, &token, at(3)), Ok(()));
        assert_eq!(check_qr(SECRET, KEY, &token.to_uppercase(), at(3)), Ok(()), "scanners may change the case");
    }

    #[test]
    fn a_qr_token_expires_two_minutes_after_it_appeared() {
        let token = qr_token(SECRET, KEY, at(5));
        assert_eq!(check_qr(SECRET, KEY, &token, at(119)), Ok(()));
        assert_eq!(check_qr(SECRET, KEY, &token, at(120)), Err(PresenceError::Expired));
        assert_eq!(PresenceError::Expired.to_string(), "Ce QR code a expiré : scannez celui qui est affiché maintenant.");
        // One window ahead is clock skew; two is a forgery or a broken clock.
        assert_eq!(check_qr(SECRET, KEY, &token, at(-1)), Ok(()));
        assert_eq!(check_qr(SECRET, KEY, &token, at(-11)), Err(PresenceError::Invalid));
    }

    #[test]
    fn another_half_day_or_secret_is_refused() {
        let token = qr_token(SECRET, KEY, at(0));
        let afternoon = HalfDayKey { half_day: HalfDay::Afternoon, ..KEY };
        let other_day = HalfDayKey { half_day_id: 43, ..KEY };
        assert_eq!(check_qr(SECRET, afternoon, &token, at(0)), Err(PresenceError::Invalid));
        assert_eq!(check_qr(SECRET, other_day, &token, at(0)), Err(PresenceError::Invalid));
        assert_eq!(check_qr(b"another secret", KEY, &token, at(0)), Err(PresenceError::Invalid));
        let (w, hex) = token.split_once('-').unwrap();
        let later = format!("{}-{hex}", w.parse::<i64>().unwrap() + 1);
        assert_eq!(check_qr(SECRET, KEY, &later, at(10)), Err(PresenceError::Invalid), "the window is covered by the MAC");
        for bad in [
            "",
            "-",
            "12-",
            "-0123456789abcdef0123",
            "x-0123456789abcdef0123",
            "12-0123456789abcdef012",
            "12-0123456789abcdef012g",
            "12-é123456789abcdef012",
            "12-+f23456789abcdef0123",
        ] {
            assert_eq!(check_qr(SECRET, KEY, bad, at(0)), Err(PresenceError::Malformed), "{bad:?}");
        }
    }

    #[test]
    fn a_short_code_is_six_digits_valid_for_this_window_and_the_last() {
        let code = short_code(SECRET, KEY, at(0));
        assert!(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()));
        let spaced = format!(" {} {} ", &code[..3], &code[3..]);
        assert_eq!(check_code(SECRET, KEY, &spaced, at(59)), Ok(()));
        assert_eq!(check_code(SECRET, KEY, &code, at(119)), Ok(()));
        assert_eq!(check_code(SECRET, KEY, &code, at(120)), Err(PresenceError::Expired));
        assert_eq!(check_code(SECRET, KEY, &code, at(-1)), Err(PresenceError::Invalid), "a code is not accepted before it is shown");
        assert_eq!(check_code(SECRET, HalfDayKey { half_day_id: 43, ..KEY }, &code, at(0)), Err(PresenceError::Invalid));
        assert_eq!(check_code(SECRET, KEY, "12345", at(0)), Err(PresenceError::Malformed));
        assert_eq!(check_code(SECRET, KEY, "12a456", at(0)), Err(PresenceError::Malformed));
        assert!(PresenceError::Malformed.code_message().contains("6 chiffres"));
    }

    #[test]
    fn countdowns() {
        assert_eq!(seconds_left(at(0)), 10);
        assert_eq!(seconds_left(at(9)), 1);
        assert_eq!(code_seconds_left(at(59)), 1);
        assert_eq!(seconds_left(at(3) + Duration::milliseconds(900)), 7);
    }

    proptest! {
        #[test]
        fn anything_scanned_or_typed_is_refused_without_panicking(text in "\\PC{0,40}|[0-9]{1,16}-[0-9a-fA-F]{20}", secs in -1_000i64..1_000) {
            prop_assert!(check_qr(SECRET, KEY, &text, at(secs)).is_err());
            let _ = check_code(SECRET, KEY, &text, at(secs));
        }

        #[test]
        fn tokens_round_trip_within_their_validity(secs in -10_000_000i64..10_000_000, later in 0i64..QR_VALIDITY_SECS - QR_ROTATION_SECS, typing in 0i64..CODE_VALIDITY_SECS - CODE_ROTATION_SECS) {
            let token = qr_token(SECRET, KEY, at(secs));
            prop_assert_eq!(check_qr(SECRET, KEY, &token, at(secs + later)), Ok(()));
            let code = short_code(SECRET, KEY, at(secs));
            prop_assert_eq!(check_code(SECRET, KEY, &code, at(secs + typing)), Ok(()));
        }
    }
}
