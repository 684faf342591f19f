//! `forma.toml`: settings for an installation, below flags and environment variables. Each key is
//! handed to the matching `FORMA_*` variable when that variable is not already set, so that the
//! order flags > environment > file > defaults falls out of the command-line parser.

use std::path::Path;

use anyhow::Context;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub database_url: Option<String>,
    pub addr: Option<String>,
    pub public_url: Option<String>,
    pub organisation_name: Option<String>,
    pub smtp_url: Option<String>,
    pub mail_from: Option<String>,
}

impl ConfigFile {
    pub fn read(path: &Path) -> anyhow::Result<Option<ConfigFile>> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("lecture de {}", path.display())),
        };
        let file = toml::from_str(&text).with_context(|| format!("fichier de configuration {} invalide", path.display()))?;
        Ok(Some(file))
    }

    /// The `FORMA_*` variables this file would set, for those not already in the environment.
    pub fn missing_env(&self, present: impl Fn(&str) -> bool) -> Vec<(&'static str, String)> {
        [
            ("FORMA_DATABASE_URL", &self.database_url),
            ("FORMA_ADDR", &self.addr),
            ("FORMA_PUBLIC_URL", &self.public_url),
            ("FORMA_ORGANISATION_NAME", &self.organisation_name),
            ("FORMA_SMTP_URL", &self.smtp_url),
            ("FORMA_MAIL_FROM", &self.mail_from),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.clone().filter(|_| !present(name)).map(|v| (name, v)))
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_wins_over_the_file() {
        let file: ConfigFile = toml::from_str("database_url = \"postgres://db/forma\"\norganisation_name = \"EGOC\"").unwrap();
        let env = file.missing_env(|name| name == "FORMA_ORGANISATION_NAME");
        assert_eq!(env, vec![("FORMA_DATABASE_URL", "postgres://db/forma".to_owned())]);
        assert!(toml::from_str::<ConfigFile>("port = 3").is_err(), "unknown keys are refused");
    }
}
