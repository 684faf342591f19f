//! The personal spaces: the trainee's (entered through a personal link), the trainer's and the
//! client contact's. Later issues fill them (convocations, signatures, days, registrations).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use forma_store::{LinkPurpose, User};

use super::password::invalid_link;
use crate::auth::CurrentUser;
use crate::auth::session;
use crate::auth::token::hash_token;
use crate::gestion::layout::{NoticeQuery, internal, not_found, render};
use crate::site::layout::Layout;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "account/space.html")]
struct SpacePage {
    layout: Layout,
    user: User,
    heading: String,
    intro: &'static str,
    /// What the space already leads to: (address, link text, what it is for).
    links: &'static [(&'static str, &'static str, &'static str)],
    /// The trainer's session reviews, to write or written.
    reviews: Vec<crate::evaluations::stakeholders::StakeholderOffer>,
    /// The trainer's sessions whose trainees' learning is to assess.
    assessments: Vec<crate::evaluations::assessment::AssessmentOffer>,
    notice: Option<&'static str>,
}

/// A trainee's personal link opens a session and leads to their space. The link stays valid
/// (until it expires or is revoked) so the trainee can come back from the same message.
pub async fn access_link(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let holder = match state.store.link_holder(&hash_token(&token)).await {
        Ok(h) => h,
        Err(e) => return internal(&state, e.into()),
    };
    let Some((user, LinkPurpose::TraineeAccess)) = holder else {
        let mut response = invalid_link(&state);
        response.headers_mut().insert(header::REFERRER_POLICY, header::HeaderValue::from_static("no-referrer"));
        return response;
    };
    match session::open(&state, &user, "lien personnel").await {
        Ok(cookie) => {
            let mut response = Redirect::to("/mon-espace").into_response();
            response.headers_mut().insert(header::SET_COOKIE, cookie);
            response.headers_mut().insert(header::REFERRER_POLICY, header::HeaderValue::from_static("no-referrer"));
            response
        }
        Err(e) => internal(&state, e),
    }
}

fn space(state: &AppState, page: SpacePage) -> Response {
    let mut response = render(state, page);
    response.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("private, no-store"));
    response
}

pub async fn trainee_space(State(state): State<AppState>, current: CurrentUser) -> Response {
    let Some(user) = current.0 else { return not_found(&state) };
    let heading = format!("Bonjour {}", user.name);
    let intro = "Votre espace stagiaire réunit vos convocations, vos émargements, vos évaluations et vos attestations.";
    space(&state, SpacePage { layout: state.layout(heading.clone(), ""), user, heading, intro, links: &[], reviews: Vec::new(), assessments: Vec::new(), notice: None })
}

/// The attendance screen is the trainer's only way to run a half-day: without this link they
/// would have to be given its address.
const TRAINER_LINKS: &[(&str, &str, &str)] =
    &[("/formateur/emargement", "Émargement", "vos demi-journées d'hier, d'aujourd'hui et des sept prochains jours : le QR code à afficher, les signatures, la clôture.")];

pub async fn trainer_space(State(state): State<AppState>, current: CurrentUser, Query(q): Query<NoticeQuery>) -> Response {
    let Some(user) = current.0 else { return not_found(&state) };
    let (reviews, assessments) = match (
        crate::evaluations::stakeholders::trainer_offers(&state, &user).await,
        crate::evaluations::assessment::trainer_offers(&state, &user).await,
    ) {
        (Ok(r), Ok(a)) => (r, a),
        (Err(e), _) | (_, Err(e)) => return internal(&state, e.into()),
    };
    let heading = format!("Espace formateur — {}", user.name);
    let intro = "Votre espace formateur réunit vos journées d'animation, les feuilles d'émargement et les bilans de session.";
    let notice = q.ok.as_deref().and_then(crate::evaluations::stakeholders::notice_text);
    space(&state, SpacePage { layout: state.layout(heading.clone(), ""), user, heading, intro, links: TRAINER_LINKS, reviews, assessments, notice })
}
