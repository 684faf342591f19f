//! The directory planning draws on: clients with their sites and contacts, venues and their
//! rooms, providers and trainers with their documents and declared unavailabilities.
//!
//! Forms arrive as typed (`…Form`, every field a string, so that a refused form comes back
//! unchanged); each checked value has a `validate(form)` that returns it, or a French message
//! per field.

mod clients;
mod documents;
pub(crate) mod fields;
mod trainers;
mod venues;

pub use clients::{ClientDetails, ClientForm, ContactForm, NewContact, NewSite, SiteForm};
pub use documents::{DocumentKind, DocumentUpload, MAX_DOCUMENT_BYTES, NewDocument, check_document, clean_filename, document_type};
pub use fields::{MAX_NAME_CHARS, parse_day};
pub use trainers::{NewProvider, NewTrainer, NewUnavailability, ProviderForm, TrainerForm, UnavailabilityForm, check_range};
pub use venues::{MAX_ROOM_CAPACITY, NewRoom, NewVenue, RoomForm, VenueForm};
