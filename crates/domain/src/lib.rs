//! Forma's domain: the vocabulary of a training organisation as validated types, and the rules
//! that act on them. No I/O here: everything is unit- and property-testable.

pub mod access_delay;
pub mod accommodation;
pub mod account;
pub mod agreement;
pub mod agreement_number;
pub mod assessment;
pub mod amendment;
pub mod attendance;
pub mod attendance_chain;
pub mod attendance_state;
pub mod certificate;
pub mod completeness;
pub mod conflicts;
pub mod directory;
pub mod duration;
pub mod evaluation;
pub mod french_date;
pub mod half_day;
pub mod holidays;
pub mod import;
pub mod money;
pub mod organisation;
mod patterns;
pub mod presence_code;
pub mod program;
pub mod program_diff;
pub mod program_validation;
pub mod questionnaire_editor;
pub mod registration;
pub mod request;
pub mod session;
pub mod signature;
pub mod slug;
pub mod text;
pub mod validation;

pub use completeness::{Completeness, Indicator1Item};
pub use import::{ImportError, decode_page, parse_catalogue_page};
pub use program::{Program, ProgramKind};
pub use slug::Slug;
pub use validation::{FieldError, FieldErrors};
