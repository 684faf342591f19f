//! Field-level validation results: a French message per form field, so that a form comes back
//! with the message next to the field and an API answer lists them by field name.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field's name in forms and in the API's JSON path (`prices.per_trainee`).
    pub field: String,
    pub message: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError { field: field.into(), message: message.into() });
    }

    /// The first message for `field`, for display next to it.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = &FieldError> {
        self.0.iter()
    }

    pub fn extend(&mut self, other: FieldErrors) {
        self.0.extend(other.0);
    }

    /// The same messages under `prefix` + field name, for a page holding several forms.
    pub fn prefixed(self, prefix: &str) -> FieldErrors {
        FieldErrors(self.0.into_iter().map(|e| FieldError { field: format!("{prefix}{}", e.field), message: e.message }).collect())
    }

    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }
}
