//! The journal: every recorded change (who, when, what, before/after), filtered and paged.
//! Read-only: no route edits or deletes it.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::NaiveDate;
use forma_store::{AuditEvent, AuditFilter};
use serde::Deserialize;

use super::layout::{Frame, internal, not_found, render};
use crate::auth::CurrentUser;
use crate::state::AppState;

const PER_PAGE: u32 = 50;

#[derive(Deserialize, Default)]
pub struct JournalQuery {
    #[serde(default)]
    objet: String,
    #[serde(default)]
    identifiant: String,
    #[serde(default)]
    auteur: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    du: String,
    #[serde(default)]
    au: String,
    page: Option<String>,
}

pub struct EventView {
    pub at: String,
    pub actor: String,
    pub entity: String,
    pub entity_label: &'static str,
    pub entity_id: String,
    pub action: String,
    pub action_label: &'static str,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// French names of the journal's entities.
pub const ENTITIES: &[(&str, &str)] = &[
    ("program", "Fiche programme"),
    ("category", "Catégorie"),
    ("session", "Session"),
    ("organisation", "Organisme"),
    ("user", "Compte"),
    ("client", "Client"),
    ("client_site", "Site d'un client"),
    ("client_contact", "Contact d'un client"),
    ("venue", "Lieu"),
    ("room", "Salle"),
    ("provider", "Prestataire"),
    ("trainer", "Formateur"),
    ("trainer_document", "Document d'un formateur"),
    ("trainer_unavailability", "Indisponibilité d'un formateur"),
    ("request", "Demande de formation"),
    ("registration", "Inscription"),
    ("accommodation", "Demande d'aménagement"),
    ("agreement", "Convention"),
    ("amendment", "Avenant"),
    ("calendar_feed", "Lien d'agenda"),
    ("api_token", "Jeton d'API"),
    ("mail", "Courriel"),
    ("login", "Connexion"),
];

/// French names of the journal's actions, in the order of the filter.
pub const ACTIONS: &[(&str, &str)] = &[
    ("create", "Création"),
    ("update", "Modification"),
    ("save_draft", "Brouillon enregistré"),
    ("discard_draft", "Brouillon abandonné"),
    ("publish", "Publication"),
    ("unpublish", "Retrait du site public"),
    ("rename", "Renommage"),
    ("delete", "Suppression"),
    ("logo", "Logo"),
    ("login", "Connexion"),
    ("throttled", "Connexion ralentie (tentatives échouées)"),
    ("set_password", "Mot de passe défini"),
    ("link", "Lien personnel créé"),
    ("revoke_links", "Liens personnels révoqués"),
    ("activate", "Compte réactivé"),
    ("deactivate", "Compte désactivé"),
    ("revoke", "Révocation"),
    ("dead", "Échec définitif d'envoi"),
    ("requeue", "Renvoi"),
    ("answer", "Réponse à une demande"),
    ("link_session", "Session liée à une demande"),
    ("add_day", "Journée ajoutée"),
    ("update_day", "Journée modifiée"),
    ("delete_day", "Journée supprimée"),
    ("amend", "Avenant appliqué"),
    ("cancel", "Session annulée"),
    ("reinstate", "Session rétablie"),
    ("draft", "Remise en brouillon"),
    ("sent", "Envoi pour signature"),
    ("signed", "Signature"),
    ("cancelled", "Convention ou avenant annulé"),
    ("offer", "Place proposée (liste d'attente)"),
    ("offer_expired", "Proposition de place expirée"),
    ("accept_offer", "Place acceptée"),
    ("waitlist_move", "Liste d'attente réordonnée"),
    ("confirm", "Session confirmée"),
    ("convocation", "Convocation envoyée"),
    ("accommodation_request", "Demande d'aménagement reçue"),
    ("accommodation_status", "Demande d'aménagement : étape suivante"),
    ("confirm_address", "Adresse confirmée (inscription en ligne)"),
];

fn action_label(action: &str) -> &'static str {
    ACTIONS.iter().find(|(a, _)| *a == action).map_or("Autre", |(_, l)| l)
}

fn entity_label(entity: &str) -> &'static str {
    ENTITIES.iter().find(|(e, _)| *e == entity).map_or("Autre", |(_, l)| l)
}

fn pretty(value: &Option<forma_store::JsonValue>) -> Option<String> {
    value.as_ref().and_then(|v| serde_json::to_string_pretty(&v.0).ok())
}

impl From<AuditEvent> for EventView {
    fn from(e: AuditEvent) -> Self {
        EventView {
            at: e.at.with_timezone(&chrono_tz::Europe::Paris).format("%d/%m/%Y %H:%M:%S").to_string(),
            entity_label: entity_label(&e.entity),
            action_label: action_label(&e.action),
            before: pretty(&e.before),
            after: pretty(&e.after),
            actor: e.actor,
            entity: e.entity,
            entity_id: e.entity_id,
            action: e.action,
        }
    }
}

#[derive(Template)]
#[template(path = "gestion/journal.html")]
struct JournalPage {
    frame: Frame,
    events: Vec<EventView>,
    total: u64,
    page: u32,
    pages: u32,
    query: String,
    entities: &'static [(&'static str, &'static str)],
    actions: &'static [(&'static str, &'static str)],
    objet: String,
    identifiant: String,
    auteur: String,
    action: String,
    du: String,
    au: String,
    date_error: bool,
}

fn date(text: &str) -> Result<Option<NaiveDate>, ()> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map(Some).map_err(|_| ())
}

fn some(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

pub async fn journal(State(state): State<AppState>, current: CurrentUser, Query(q): Query<JournalQuery>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let page = q.page.as_deref().and_then(|p| p.parse::<u32>().ok()).filter(|p| *p >= 1).unwrap_or(1).min(100_000);
    let (from, to, date_error) = match (date(&q.du), date(&q.au)) {
        (Ok(f), Ok(t)) => (f, t, false),
        _ => (None, None, true),
    };
    let filter = AuditFilter {
        entity: some(&q.objet),
        entity_id: some(&q.identifiant),
        actor: some(&q.auteur),
        action: some(&q.action),
        from,
        to,
        page,
        per_page: PER_PAGE,
    };
    let found = match state.store.audit_journal(&filter).await {
        Ok(f) => f,
        Err(e) => return internal(&state, e.into()),
    };
    let pages = u32::try_from(found.total.div_ceil(u64::from(PER_PAGE))).unwrap_or(u32::MAX).max(1);
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("objet", &q.objet)
        .append_pair("identifiant", &q.identifiant)
        .append_pair("auteur", &q.auteur)
        .append_pair("action", &q.action)
        .append_pair("du", &q.du)
        .append_pair("au", &q.au)
        .finish();
    render(
        &state,
        JournalPage {
            frame: Frame::new(&state, user, "Journal des modifications", "journal"),
            events: found.events.into_iter().map(EventView::from).collect(),
            total: found.total,
            page,
            pages,
            query,
            entities: ENTITIES,
            actions: ACTIONS,
            objet: q.objet,
            identifiant: q.identifiant,
            auteur: q.auteur,
            action: q.action,
            du: q.du,
            au: q.au,
            date_error,
        },
    )
}
