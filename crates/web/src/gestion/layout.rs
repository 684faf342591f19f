//! The back-office frame: navigation by section, the signed-in person, and a confirmation
//! message carried by the address (`?ok=…`) after a redirect, so that reloading never re-posts.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use forma_domain::account::Role;
use forma_store::User;

use crate::error::error_page;
use crate::state::AppState;

pub struct Frame {
    pub organisation: String,
    pub page_title: String,
    /// Current navigation entry.
    pub section: &'static str,
    pub user_name: String,
    pub user_role: &'static str,
    pub is_admin: bool,
    pub notice: Option<&'static str>,
    pub stylesheet: &'static str,
}

impl Frame {
    pub fn new(state: &AppState, user: &User, page_title: impl Into<String>, section: &'static str) -> Self {
        Frame {
            organisation: state.organisation_name(),
            page_title: page_title.into(),
            section,
            user_name: user.name.clone(),
            user_role: user.role.label(),
            is_admin: user.role == Role::Admin,
            notice: None,
            stylesheet: crate::assets::STYLESHEET_PATH,
        }
    }

    pub fn notice(mut self, code: Option<&str>) -> Self {
        self.notice = code.and_then(notice_text);
        self
    }
}

/// The confirmations a redirect may ask to show; unknown codes show nothing.
fn notice_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "brouillon" => "Brouillon enregistré. La page publique est inchangée tant que vous ne publiez pas.",
        "publie" => "Fiche publiée : une nouvelle version est en ligne, datée d'aujourd'hui (MAJ).",
        "depublie" => "Fiche retirée du site public. Ses versions sont conservées.",
        "abandonne" => "Brouillon abandonné : l'éditeur affiche de nouveau la version publiée.",
        "restaure" => "Version restaurée dans le brouillon. Relisez-la puis publiez-la pour la remettre en ligne.",
        "cree" => "Fiche créée (brouillon non publié).",
        "categorie" => "Catégories enregistrées.",
        "organisme" => "Paramètres de l'organisme enregistrés.",
        "logo" => "Logo enregistré.",
        "reglement" => "Règlement intérieur enregistré : les convocations et les pages personnelles y renvoient.",
        "papier" => "Feuille papier enregistrée : les statuts sont reportés et la demi-journée est close.",
        "suivi" => "Suivi enregistré.",
        "certificats" => "Certificats délivrés : chaque stagiaire reçoit par e-mail le lien de ses documents.",
        "certificats-aucun" => "Aucun certificat à délivrer pour le moment.",
        "certificats-deja" => "Ces certificats venaient d'être délivrés par ailleurs : la liste est à jour.",
        "certificat-revoque" => "Certificat révoqué : sa page de vérification le dit, avec la raison.",
        "certificat-remplace" => "Certificat remplacé : le nouveau porte un nouveau code, l'ancien renvoie vers lui.",
        "renvoye" => "Message remis en file d'envoi.",
        "compte" => "Compte créé. Le message portant son lien personnel est dans la file d'envoi (voir Courriels).",
        "activation" => "Compte mis à jour.",
        "lien" => "Nouveau lien personnel mis dans la file d'envoi (voir Courriels).",
        "revoque" => "Liens personnels révoqués.",
        "lien-affiche" => "Aucun serveur SMTP n'est configuré : transmettez vous-même le lien personnel ci-dessous. Il ne sera plus affiché.",
        "jeton-revoque" => "Jeton révoqué.",
        "reponse" => "Réponse enregistrée.",
        "questionnaire" => "Questionnaire enregistré : les prochaines réponses le suivront ; celles déjà données gardent le leur.",
        "questionnaire-modele" => "Questionnaire personnalisé supprimé : le modèle de Forma est de nouveau utilisé.",
        "flux-revoque" => "Adresse d'abonnement révoquée : elle n'ouvre plus ce calendrier.",
        "client" => "Client enregistré.",
        "convention" => "Convention créée (brouillon). Vérifiez ses conditions puis envoyez-la au client.",
        "convention-modifiee" => "Conditions de la convention enregistrées.",
        "statut-envoye" => "Envoi enregistré.",
        "statut-signe" => "Signature enregistrée.",
        "statut-brouillon" => "Revenue au brouillon : ses conditions sont de nouveau modifiables.",
        "statut-annule" => "Annulation enregistrée.",
        "avenant" => "Avenant créé (brouillon). Il s'appliquera à la session une fois signé.",
        "site" => "Site ajouté.",
        "site-supprime" => "Site supprimé.",
        "contact" => "Contact ajouté.",
        "contact-supprime" => "Contact supprimé.",
        "lieu" => "Lieu enregistré.",
        "lieu-supprime" => "Lieu supprimé, avec ses salles.",
        "salle" => "Salle enregistrée.",
        "salle-supprimee" => "Salle supprimée.",
        "prestataire" => "Prestataire enregistré.",
        "formateur" => "Formateur enregistré.",
        "document" => "Document ajouté.",
        "document-supprime" => "Document supprimé.",
        "indisponibilite" => "Indisponibilité enregistrée.",
        "indisponibilite-supprimee" => "Indisponibilité supprimée.",
        _ => return None,
    })
}

/// The confirmation code a redirect carries (`?ok=…`).
#[derive(serde::Deserialize, Default)]
pub struct NoticeQuery {
    pub ok: Option<String>,
}

/// Renders a back-office page, or the error page.
pub fn render<T: Template>(state: &AppState, page: T) -> Response {
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => internal(state, e.into()),
    }
}

pub fn internal(state: &AppState, error: anyhow::Error) -> Response {
    tracing::error!(error = ?error, "erreur interne (gestion)");
    error_page(StatusCode::INTERNAL_SERVER_ERROR, &state.organisation_name())
}

pub fn not_found(state: &AppState) -> Response {
    error_page(StatusCode::NOT_FOUND, &state.organisation_name())
}

/// After a successful post: back to a page, with a confirmation.
pub fn done(path: &str, notice: &str) -> Response {
    let sep = if path.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{path}{sep}ok={notice}")).into_response()
}

/// A back-office page that failed validation is answered 422 with the form as typed.
pub fn invalid<T: Template>(state: &AppState, page: T) -> Response {
    let mut response = render(state, page);
    if response.status() == StatusCode::OK {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

/// Instants are stored in UTC; people read them in Paris time. Implemented by the pages that
/// show instants, whose templates call `self.paris(…)`.
pub trait ParisTime {
    fn paris(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        at.with_timezone(&chrono_tz::Europe::Paris).format("%d/%m/%Y %H:%M").to_string()
    }
}

/// The numeric id at the end of the path (`/gestion/utilisateurs/{id}`). Anything else answers the
/// French 404 page rather than axum's English « cannot parse » 400.
pub struct PathId(pub i64);

impl axum::extract::FromRequestParts<AppState> for PathId {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &AppState) -> Result<Self, Response> {
        let axum::extract::Path(params) = axum::extract::Path::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map_err(|_| not_found(state))?;
        params.last().and_then(|(_, value)| value.parse().ok()).map(PathId).ok_or_else(|| not_found(state))
    }
}
