//! Registering from the public site, and each registration's personal link.
//!
//! - `/sessions/{id}/inscription`: anyone may ask to join an upcoming INTER session. Nothing is
//!   held until the address is confirmed (double opt-in): the message carries the personal link,
//!   whose page has the « Confirmer mon inscription » button (a GET never changes anything, so a
//!   mail scanner opening the link confirms nothing).
//! - `/inscription/{token}`: the registration as its holder sees it, with what they may do now:
//!   confirm, accept or decline an offered seat, leave the waiting list, cancel.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Duration, Utc};
use forma_domain::FieldErrors;
use forma_domain::accommodation::{AccommodationStatus, NEED_MAX, validate_need};
use forma_domain::registration::{BpfTraineeType, DayChoice, RegistrationStatus, TraineeInput};
use forma_store::{NewRegistration, RegistrationLink, RegistrationOrigin, RegistrationRow, SessionSummary, StoreError};
use serde::Deserialize;

use super::layout::Layout;
use super::views::{dates_label, hours_label, places_label};
use super::{respond, today};
use crate::attendance::trainee::SigningOffer;
use crate::auth::token::{hash_token, new_token};
use crate::error::SiteError;
use crate::offer_mail::{WebOfferMail, until};
use crate::state::AppState;

/// How long the confirmation link of a public registration works (then it stays the holder's
/// link to the registration until the same date).
const PUBLIC_LINK_DAYS: i64 = 180;

async fn open_session(state: &AppState, id: &str) -> Result<SessionSummary, SiteError> {
    let id: i64 = id.parse().map_err(|_| SiteError::NotFound)?;
    state.store.upcoming_session(id, today(), true).await?.ok_or(SiteError::NotFound)
}

fn new_link(token_hash: &str, expires_at: DateTime<Utc>) -> RegistrationLink {
    RegistrationLink { token_hash: token_hash.to_owned(), expires_at }
}

/// « Acculturation CTG, du 8 au 9 avril 2031 ».
fn training(session: &SessionSummary) -> String {
    format!("{}, {}", session.program_title, dates_label(session))
}

#[derive(Template)]
#[template(path = "registration_form.html")]
struct FormPage {
    layout: Layout,
    session: SessionSummary,
    dates: String,
    hours: String,
    places: String,
    seats: String,
    form: TraineeInput,
    bpf_types: [BpfTraineeType; 5],
    errors: FieldErrors,
}

fn form_page(state: &AppState, session: SessionSummary, form: TraineeInput, errors: FieldErrors) -> FormPage {
    FormPage {
        layout: state.layout(format!("Inscription — {}", session.program_title), "sessions"),
        dates: dates_label(&session),
        hours: hours_label(&session),
        places: places_label(&session),
        seats: super::views::seats_label(session.seats_left),
        session,
        form,
        bpf_types: BpfTraineeType::ALL,
        errors,
    }
}

pub async fn form(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let page = async {
        let session = open_session(&state, &id).await?;
        Ok(form_page(&state, session, TraineeInput::default(), FieldErrors::default()))
    }
    .await;
    respond(&state, page)
}

pub async fn submit(State(state): State<AppState>, Path(id): Path<String>, Form(input): Form<TraineeInput>) -> Response {
    let session = match open_session(&state, &id).await {
        Ok(s) => s,
        Err(e) => return respond::<FormPage>(&state, Err(e)),
    };
    let refused = |state: &AppState, session: SessionSummary, input: TraineeInput, errors: FieldErrors| {
        let mut r = respond(state, Ok::<_, SiteError>(form_page(state, session, input, errors)));
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        r
    };
    let mut errors = FieldErrors::default();
    if input.email.trim().is_empty() {
        errors.add("email", "Indiquez votre adresse e-mail : le lien de confirmation y est envoyé.");
    }
    let trainee = match input.validated() {
        Ok(t) if errors.is_empty() => t,
        Ok(_) => return refused(&state, session, input, errors),
        Err(mut e) => {
            if !errors.is_empty() && e.get("email").is_none() {
                e.add("email", "Indiquez votre adresse e-mail : le lien de confirmation y est envoyé.");
            }
            return refused(&state, session, input, e);
        }
    };
    let token = new_token();
    let expires = Utc::now() + Duration::days(PUBLIC_LINK_DAYS);
    let link = state.config.absolute_url(&format!("/inscription/{token}"));
    let name = format!("{} {}", trainee.first_name, trainee.last_name);
    let email = trainee.email.as_ref().map_or("", |e| e.as_str());
    let mail = forma_mail::messages::registration_confirm(&state.organisation_name(), email, &name, &training(&session), &link, &until(expires));
    let new = NewRegistration {
        session_id: session.id,
        trainee: &trainee,
        client_id: None,
        days: DayChoice::All,
        idempotency_key: None,
        origin: RegistrationOrigin::Public,
        link: Some(new_link(&hash_token(&token), expires)),
        mail: Some(&mail),
    };
    match state.store.register(&new, "inscription en ligne").await {
        Ok(_) => {
            state.mail_wake.notify_one();
            Redirect::to(&format!("/sessions/{}/inscription/envoyee", session.id)).into_response()
        }
        // Already registered with this address (the first message lost, say): a fresh link to
        // that registration goes to the address, and the answer is the same as for a new one,
        // which tells nobody else whether the address is registered.
        Err(StoreError::Conflict(_)) => match state.store.relink_registration(session.id, email, &new_link(&hash_token(&token), expires), &mail).await {
            Ok(_) => {
                state.mail_wake.notify_one();
                Redirect::to(&format!("/sessions/{}/inscription/envoyee", session.id)).into_response()
            }
            Err(e) => respond::<FormPage>(&state, Err(SiteError::Internal(e.into()))),
        },
        Err(e) => respond::<FormPage>(&state, Err(SiteError::Internal(e.into()))),
    }
}

#[derive(Template)]
#[template(path = "registration_sent.html")]
struct SentPage {
    layout: Layout,
    title: String,
}

pub async fn sent(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let page = async {
        let session = open_session(&state, &id).await?;
        Ok(SentPage { layout: state.layout("Vérifiez votre messagerie", "sessions"), title: training(&session) })
    }
    .await;
    respond(&state, page)
}

// --- The personal link ---

#[derive(Template)]
#[template(path = "registration_link.html")]
struct LinkPage {
    layout: Layout,
    token: String,
    row: RegistrationRow,
    title: String,
    status: String,
    offer_until: String,
    /// A refused action's message.
    error: Option<String>,
    /// After an action.
    notice: Option<&'static str>,
    /// Where the accommodation request stands, if one was made.
    accommodation: Option<&'static str>,
    /// The registration may still ask for an accommodation (and has not).
    may_ask: bool,
    /// The need as typed, when the form comes back refused.
    need: String,
    need_error: Option<String>,
    need_max: usize,
    /// A règlement intérieur is stored, at `rules_path`.
    has_rules: bool,
    rules_path: &'static str,
    /// The half-day to sign now, if any.
    signing: Option<SigningOffer>,
    /// The signature field's error, as the shared signature field reads it.
    signing_errors: forma_domain::FieldErrors,
    /// The certificates in force: (document, PDF address, verification page).
    certificates: Vec<(&'static str, String, String)>,
    evaluations: Vec<crate::evaluations::EvaluationOffer>,
    script: &'static str,
}

impl LinkPage {
    fn is(&self, status: &str) -> bool {
        self.row.status.as_str() == status
    }
}

fn paris(at: DateTime<Utc>) -> String {
    until(at)
}

async fn link_page(state: &AppState, token: &str, error: Option<String>, notice: Option<&'static str>) -> Result<LinkPage, SiteError> {
    let row = state.store.registration_by_link(&hash_token(token)).await?.ok_or(SiteError::NotFound)?;
    let session = state.store.session(row.session_id).await?.ok_or(SiteError::NotFound)?;
    let dates: Vec<String> = session.days.iter().filter(|d| row.days.covers(d.id)).map(|d| forma_domain::french_date::long_date(d.day.date)).collect();
    let accommodation = state.store.accommodation_status_of(row.id).await?;
    let signing = crate::attendance::trainee::signing_offer(state, &row).await?;
    let certificates = state
        .store
        .registration_certificates(row.id)
        .await?
        .into_iter()
        .map(|c| (c.kind.0.label(), format!("/verifier/{}/document.pdf", c.code), format!("/verifier/{}", c.code)))
        .collect();
    let evaluations = crate::evaluations::offers(state, &row, &session, token).await?;
    let may_ask = accommodation.is_none() && matches!(row.status, RegistrationStatus::Pending | RegistrationStatus::Confirmed | RegistrationStatus::Waitlisted);
    let status = match (row.status, row.waitlist_rank) {
        (RegistrationStatus::Waitlisted, Some(p)) => format!("en liste d'attente (rang {p})"),
        (s, _) => s.label().to_owned(),
    };
    Ok(LinkPage {
        layout: state.layout("Mon inscription", "sessions"),
        token: token.to_owned(),
        title: format!("{} — {}", session.program_title, dates.join(", ")),
        status,
        offer_until: row.offer_expires_at.map(paris).unwrap_or_default(),
        row,
        error,
        notice,
        accommodation: accommodation.map(|s| match s {
            AccommodationStatus::Received => "reçue : le référent handicap de l'organisme va l'étudier et vous recontacter si besoin",
            AccommodationStatus::Analysed => "en cours d'étude par le référent handicap",
            AccommodationStatus::Decided => "l'aménagement est décidé ; le référent handicap vous en informe",
            AccommodationStatus::Communicated => "l'aménagement est décidé et transmis au formateur et au lieu de formation",
        }),
        may_ask,
        need: String::new(),
        need_error: None,
        need_max: NEED_MAX,
        has_rules: state.store.rules_updated_at().await?.is_some(),
        rules_path: crate::gestion::organisation::RULES_PATH,
        signing,
        signing_errors: forma_domain::FieldErrors::default(),
        certificates,
        evaluations,
        script: crate::assets::ATTENDANCE_SCRIPT_PATH,
    })
}

/// The personal page with the signing form refused (`offer` carries what was typed and why).
pub(crate) async fn signing_refused(state: &AppState, token: &str, offer: SigningOffer, status: StatusCode) -> Response {
    let page = link_page(state, token, None, None).await.map(|mut page| {
        if let Some(e) = &offer.signature_error {
            page.signing_errors.add("signature", e.clone());
        }
        page.signing = Some(offer);
        page
    });
    let mut r = private(respond(state, page));
    if r.status() == StatusCode::OK {
        *r.status_mut() = status;
    }
    r
}

/// The answer to a personal link that leads nowhere (unknown or expired).
pub(crate) fn link_missing(state: &AppState) -> Response {
    private(respond::<LinkPage>(state, Err(SiteError::NotFound)))
}

/// A personal page or what it leads to: never cached, never sent as a referrer (the address
/// holds the personal token).
pub(crate) fn private(mut response: Response) -> Response {
    response.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    response.headers_mut().insert("referrer-policy", axum::http::HeaderValue::from_static("no-referrer"));
    response
}

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    ok: Option<String>,
}

fn notice(code: Option<&str>) -> Option<&'static str> {
    notice_text(code?)
}

/// The confirmation a redirect to a personal page carries (`?ok=…`); unknown codes say nothing.
pub(crate) fn notice_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "confirmee" => "Adresse confirmée : votre inscription est enregistrée.",
        "acceptee" => "Place acceptée : vous êtes inscrit.",
        "refusee" => "Place laissée à la personne suivante.",
        "quittee" => "Vous avez quitté la liste d'attente.",
        "annulee" => "Votre inscription est annulée.",
        "emargement" => "Votre signature est enregistrée. Merci !",
        "evaluation" => "Vos réponses sont envoyées. Merci pour votre avis !",
        "evaluation-envoyee" => "Vos réponses à ce questionnaire sont déjà envoyées. Merci !",
        "evaluation-fermee" => "Ce questionnaire n'est pas ouvert en ce moment.",
        "evaluation-brouillon" => "Vos réponses sont enregistrées : vous pourrez terminer le questionnaire plus tard.",
        "amenagement" => {
            "Votre demande d'aménagement est transmise au référent handicap de l'organisme. Elle reste confidentielle : seules les personnes qui la traitent la lisent."
        }
        _ => return None,
    })
}

pub async fn show(State(state): State<AppState>, Path(token): Path<String>, axum::extract::Query(q): axum::extract::Query<NoticeQuery>) -> Response {
    let page = link_page(&state, &token, None, notice(q.ok.as_deref())).await;
    let found = page.is_ok();
    let mut response = private(respond(&state, page));
    // The QR code of the trainer's screen then knows who signs on this phone.
    if found && let Some(cookie) = crate::attendance::trainee::remember(&state, &token) {
        response.headers_mut().insert(axum::http::header::SET_COOKIE, cookie);
    }
    response
}

#[derive(Deserialize, Default)]
pub struct ReasonForm {
    #[serde(default)]
    motif: String,
}

/// One action of the personal page: what it does, then back to the page with its notice.
async fn act(state: &AppState, token: &str, action: &str, reason: &str) -> Response {
    let row = match state.store.registration_by_link(&hash_token(token)).await {
        Ok(Some(r)) => r,
        Ok(None) => return private(respond::<LinkPage>(state, Err(SiteError::NotFound))),
        Err(e) => return private(respond::<LinkPage>(state, Err(SiteError::Internal(e.into())))),
    };
    let mailer = WebOfferMail { state };
    let actor = "lien personnel";
    let result = match (action, row.status) {
        ("confirmer", RegistrationStatus::Pending) => state.store.confirm_pending(row.id, actor).await.map(|_| "confirmee"),
        ("accepter", RegistrationStatus::Offered) => state.store.accept_offer(row.id, actor).await.map(|()| "acceptee"),
        ("refuser", RegistrationStatus::Offered) => state.store.cancel_registration(row.id, "Place proposée déclinée", &mailer, actor).await.map(|_| "refusee"),
        ("quitter", RegistrationStatus::Waitlisted) => {
            state.store.cancel_registration(row.id, "Quitte la liste d'attente", &mailer, actor).await.map(|_| "quittee")
        }
        ("annuler", RegistrationStatus::Confirmed | RegistrationStatus::Pending) => {
            let reason = reason.trim();
            let reason = if reason.is_empty() { "Annulée par la personne inscrite" } else { reason };
            state.store.cancel_registration(row.id, reason, &mailer, actor).await.map(|_| "annulee")
        }
        _ => Err(StoreError::Conflict("Cette action n'est plus possible : la page montre l'état actuel de votre inscription.".into())),
    };
    match result {
        Ok(code) => {
            state.mail_wake.notify_one();
            state.catalogue_changed();
            Redirect::to(&format!("/inscription/{token}?ok={code}")).into_response()
        }
        Err(StoreError::Conflict(m)) => {
            let mut r = private(respond(state, link_page(state, token, Some(m), None).await));
            *r.status_mut() = StatusCode::CONFLICT;
            r
        }
        Err(e) => private(respond::<LinkPage>(state, Err(SiteError::Internal(e.into())))),
    }
}

pub async fn confirm(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    act(&state, &token, "confirmer", "").await
}

pub async fn accept(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    act(&state, &token, "accepter", "").await
}

pub async fn decline(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    act(&state, &token, "refuser", "").await
}

pub async fn leave(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    act(&state, &token, "quitter", "").await
}

pub async fn cancel(State(state): State<AppState>, Path(token): Path<String>, Form(form): Form<ReasonForm>) -> Response {
    act(&state, &token, "annuler", &form.motif).await
}

/// The trainee's convocation, from their personal link (registered trainees only).
pub async fn convocation_pdf(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let row = match state.store.registration_by_link(&hash_token(&token)).await {
        Ok(Some(r)) if r.status == RegistrationStatus::Confirmed => r,
        Ok(_) => return private(respond::<LinkPage>(&state, Err(SiteError::NotFound))),
        Err(e) => return private(respond::<LinkPage>(&state, Err(SiteError::Internal(e.into())))),
    };
    let personal = state.config.absolute_url(&format!("/inscription/{token}"));
    match crate::gestion::convocation_documents::convocation_pdf(&state, &row, &personal).await {
        Ok(bytes) => {
            let mut r = crate::gestion::conventions::pdf_response(bytes, &format!("convocation-session-{}.pdf", row.session_id));
            r.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
            r
        }
        Err(e) => private(respond::<LinkPage>(&state, Err(SiteError::Internal(e.into())))),
    }
}

#[derive(Deserialize, Default)]
pub struct NeedForm {
    #[serde(default)]
    besoin: String,
}

/// « Besoin d'un aménagement ? »: the request goes to the référent handicap (or the organisation
/// when none is named), whose message says only that a request arrived, with the link to it.
pub async fn ask_accommodation(State(state): State<AppState>, Path(token): Path<String>, Form(form): Form<NeedForm>) -> Response {
    let row = match state.store.registration_by_link(&hash_token(&token)).await {
        Ok(Some(r)) => r,
        Ok(None) => return private(respond::<LinkPage>(&state, Err(SiteError::NotFound))),
        Err(e) => return private(respond::<LinkPage>(&state, Err(SiteError::Internal(e.into())))),
    };
    let need = match validate_need(&form.besoin) {
        Ok(n) => n,
        Err(e) => {
            let message = e.get("need").unwrap_or("Décrivez votre besoin.").to_owned();
            return need_refused(&state, &token, message, StatusCode::UNPROCESSABLE_ENTITY, form.besoin).await;
        }
    };
    let organisation = state.organisation();
    let referent = &organisation.disability_referent;
    let (to, name) = if !referent.email.trim().is_empty() {
        (referent.email.trim().to_owned(), if referent.name.trim().is_empty() { organisation.name.clone() } else { referent.name.clone() })
    } else {
        (organisation.email.trim().to_owned(), organisation.name.clone())
    };
    let training = crate::gestion::accommodations::training(&state, row.session_id, "votre session").await;
    let link = state.config.absolute_url("/gestion/amenagements");
    let mail = (!to.is_empty()).then(|| forma_mail::messages::accommodation_received(&organisation.name, &to, &name, &training, &link));
    match state.store.create_accommodation_request(row.id, &need, mail.as_ref(), "lien personnel").await {
        Ok(_) => {
            state.mail_wake.notify_one();
            Redirect::to(&format!("/inscription/{token}?ok=amenagement")).into_response()
        }
        Err(StoreError::Conflict(m)) => need_refused(&state, &token, m, StatusCode::CONFLICT, form.besoin).await,
        Err(e) => private(respond::<LinkPage>(&state, Err(SiteError::Internal(e.into())))),
    }
}

/// The personal page again, with the need as typed and why it was refused.
async fn need_refused(state: &AppState, token: &str, message: String, status: StatusCode, need: String) -> Response {
    let page = link_page(state, token, None, None).await.map(|mut p| {
        p.need = need;
        p.need_error = Some(message);
        p
    });
    let mut r = private(respond(state, page));
    if r.status() == StatusCode::OK {
        *r.status_mut() = status;
    }
    r
}
