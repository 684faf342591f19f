//! The message that offers a freed seat to the next person on a waiting list, with a fresh
//! personal link, and the worker that passes on the offers nobody answered in time.

use chrono::{Duration, Utc};
use forma_store::{OfferMailer, OfferNotice, OutgoingMail, RegistrationLink};

pub use crate::auth::invitation::until;
use crate::auth::token::{hash_token, new_token};
use crate::state::AppState;

/// How long the link of an offer keeps working after the offer itself ended: the holder can
/// still see what became of their registration.
const LINK_DAYS_AFTER_OFFER: i64 = 180;

pub struct WebOfferMail<'a> {
    pub state: &'a AppState,
}

impl OfferMailer for WebOfferMail<'_> {
    fn offer_mail(&self, offer: &OfferNotice) -> Option<(RegistrationLink, OutgoingMail)> {
        if offer.email.is_empty() {
            return None;
        }
        let token = new_token();
        let link = self.state.config.absolute_url(&format!("/inscription/{token}"));
        let name = format!("{} {}", offer.first_name, offer.last_name);
        let mail = forma_mail::messages::seat_offer(&self.state.organisation_name(), &offer.email, &name, &offer.program_title, &link, &until(offer.expires_at));
        Some((RegistrationLink { token_hash: hash_token(&token), expires_at: Utc::now() + Duration::days(LINK_DAYS_AFTER_OFFER) }, mail))
    }
}

/// Every minute, closes the lapsed offers and offers their seats to the next people.
pub fn spawn_offer_sweeper(state: AppState) {
    tokio::spawn(async move {
        loop {
            match state.store.sweep_offers(&WebOfferMail { state: &state }, "liste d'attente").await {
                Ok(offered) if !offered.is_empty() => {
                    tracing::info!(offers = offered.len(), "places proposées après expiration d'offres");
                    state.mail_wake.notify_one();
                    state.catalogue_changed();
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "expiration des offres de place impossible"),
            }
            tokio::time::sleep(std::time::Duration::from_secs(60)).await;
        }
    });
}
