//! Attendance (émargement) on the web: the trainer's screen (`/formateur/emargement/…`), the
//! trainee's signing (QR code or typed code, from the personal link), the back-office grid with
//! the attendance sheet PDF, paper sheets and corrections, and the follow-up of absences.
//!
//! This module holds what they share: one half-day's context (session, day, hours, who is
//! expected, what was recorded) and the rules of when signing is open.

pub mod followup;
pub mod sheet;
pub mod trainee;
pub mod trainer;

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use chrono_tz::Europe::Paris;
use forma_domain::attendance::Presence;
use forma_domain::attendance_state;
use forma_domain::half_day::{HalfDay, Slot};
use forma_domain::presence_code::HalfDayKey;
use forma_domain::registration::RegistrationStatus;
use forma_store::{AttendanceRecord, DayDetail, SessionDetail, HalfDaySlot, HalfDayState, RegistrationRow, StoreError, attendance_entries};

use crate::state::AppState;

/// Trainees may sign from half an hour before the half-day starts (people arrive early), and
/// until the trainer closes it, on the day itself.
pub const OPENS_BEFORE_MINUTES: i64 = 30;

/// `matin` / `apres-midi` in addresses.
pub fn half_segment(half: HalfDay) -> &'static str {
    match half {
        HalfDay::Morning => "matin",
        HalfDay::Afternoon => "apres-midi",
    }
}

pub fn half_from_segment(segment: &str) -> Option<HalfDay> {
    match segment {
        "matin" => Some(HalfDay::Morning),
        "apres-midi" => Some(HalfDay::Afternoon),
        _ => None,
    }
}

/// « Matin » / « Après-midi ».
pub fn half_title(half: HalfDay) -> &'static str {
    match half {
        HalfDay::Morning => "Matin",
        HalfDay::Afternoon => "Après-midi",
    }
}

/// The hours of `half` on `day`, if the day has that half-day.
pub fn slot_of(day: &DayDetail, half: HalfDay) -> Option<Slot> {
    match half {
        HalfDay::Morning => day.day.schedule.morning,
        HalfDay::Afternoon => day.day.schedule.afternoon,
    }
}

/// One half-day and everything recorded about it.
pub struct HalfDayContext {
    pub session: SessionDetail,
    pub day: DayDetail,
    pub slot: HalfDaySlot,
    pub hours: Slot,
    pub state: Option<HalfDayState>,
    /// Confirmed registrations covering the day, by name.
    pub expected: Vec<RegistrationRow>,
    /// This half-day's events, in chain order.
    pub records: Vec<AttendanceRecord>,
}

impl HalfDayContext {
    pub fn key(&self) -> HalfDayKey {
        HalfDayKey { half_day_id: self.slot.day_id, half_day: self.slot.half_day }
    }

    pub fn closed(&self) -> bool {
        self.state.as_ref().is_some_and(|s| s.closed_at.is_some())
    }

    /// Where `registration` stands: its presence, and whether it signed.
    pub fn presence_of(&self, registration: i64) -> (Option<Presence>, bool) {
        (
            attendance_state::presence(attendance_entries(&self.records, registration)),
            attendance_state::signed(attendance_entries(&self.records, registration)),
        )
    }

    /// Whether trainees may sign now: the day itself, from shortly before the start, until closed.
    pub fn open_for_signing(&self, now: DateTime<Utc>) -> bool {
        let local = now.with_timezone(&Paris).naive_local();
        let opens = NaiveDateTime::new(self.slot.day, self.hours.start) - Duration::minutes(OPENS_BEFORE_MINUTES);
        !self.closed() && local.date() == self.slot.day && local >= opens
    }

    /// « le matin du lundi 22 mars 2027 ».
    pub fn when(&self) -> String {
        let half = match self.slot.half_day {
            HalfDay::Morning => "le matin",
            HalfDay::Afternoon => "l'après-midi",
        };
        format!("{half} du {}", forma_domain::french_date::long_date(self.slot.day))
    }

    /// « Matin, 9 h 00 – 12 h 30 ».
    pub fn hours_label(&self) -> String {
        format!("{}, {} – {}", half_title(self.slot.half_day), hm(self.hours.start), hm(self.hours.end))
    }
}

/// A presence in a few words: « Retard (arrivée 9 h 40) », « Absence justifiée : motif ».
pub fn presence_label(p: &Presence) -> String {
    let mut chars = p.status.label().chars();
    let mut label = chars.next().map(|c| c.to_uppercase().collect::<String>() + chars.as_str()).unwrap_or_default();
    let times: Vec<String> = [p.arrival.map(|a| format!("arrivée {}", hm(a))), p.departure.map(|d| format!("départ {}", hm(d)))].into_iter().flatten().collect();
    if !times.is_empty() {
        label.push_str(&format!(" ({})", times.join(", ")));
    }
    if let Some(j) = &p.justification {
        label.push_str(&format!(" : {j}"));
    }
    label
}

/// « 9 h 05 ».
pub fn hm(t: chrono::NaiveTime) -> String {
    format!("{} h {}", t.format("%-H"), t.format("%M"))
}

/// The half-day `half` of day `day_id`, or `None` when the day, its session or that half-day
/// does not exist.
pub async fn load(state: &AppState, day_id: i64, half: HalfDay) -> Result<Option<HalfDayContext>, StoreError> {
    let Some(session_id) = state.store.session_of_day(day_id).await? else { return Ok(None) };
    let Some(session) = state.store.session(session_id).await? else { return Ok(None) };
    let Some(day) = session.days.iter().find(|d| d.id == day_id).cloned() else { return Ok(None) };
    let Some(hours) = slot_of(&day, half) else { return Ok(None) };
    let slot = HalfDaySlot { session_id, day_id, day: day.day.date, half_day: half };
    let state_row = state.store.half_day_states(session_id).await?.into_iter().find(|s| s.day_id == day_id && s.half_day == half);
    let mut expected: Vec<RegistrationRow> = state
        .store
        .session_registrations(session_id)
        .await?
        .into_iter()
        .filter(|r| r.status == RegistrationStatus::Confirmed && r.days.covers(day_id))
        .collect();
    expected.sort_by_key(|r| (r.last_name.to_lowercase(), r.first_name.to_lowercase()));
    let records = state.store.half_day_attendance(day_id, half).await?;
    Ok(Some(HalfDayContext { session, day, slot, hours, state: state_row, expected, records }))
}

/// The key of the presence codes, made once for all nodes.
pub async fn presence_secret(state: &AppState) -> Result<Vec<u8>, StoreError> {
    state.presence_secret.get_or_try_init(|| state.store.app_secret("presence_codes")).await.cloned()
}

/// The signature as the trainee's form sends it: `signature` holds the drawing's JSON (empty
/// when nothing was drawn), `confirm` is ticked by whoever confirms without drawing (keyboard,
/// screen reader).
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct SignatureForm {
    #[serde(default)]
    pub signature: String,
    #[serde(default)]
    pub confirm: String,
}

impl SignatureForm {
    /// The drawing, none when confirmed without one, or the French reason it is refused.
    pub fn strokes(&self) -> Result<Option<forma_domain::signature::Strokes>, String> {
        if self.signature.trim().is_empty() {
            return if self.confirm.is_empty() {
                Err("Tracez votre signature dans le cadre, ou cochez la case qui confirme sans signer à la main.".into())
            } else {
                Ok(None)
            };
        }
        forma_domain::signature::Strokes::parse(&self.signature).map(Some).map_err(|e| e.to_string())
    }
}

/// The address and browser of a request, recorded with each signature.
pub struct Client {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let peer = parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip().to_string());
        // Behind a reverse proxy the peer is the proxy. The forwarded address is kept beside it,
        // as declared: anyone can write that header, so it never replaces the peer.
        let forwarded = header("x-forwarded-for").map(|v| v.chars().take(100).collect::<String>()).filter(|v| !v.trim().is_empty());
        let ip = match (peer, forwarded) {
            (Some(peer), Some(fwd)) => Some(format!("{peer} (transmis pour {fwd})")),
            (peer, None) => peer,
            (None, fwd) => fwd.map(|f| format!("transmis pour {f}")),
        };
        let user_agent = header("user-agent").map(|ua| ua.chars().take(300).collect());
        Ok(Client { ip, user_agent })
    }
}
