use std::time::Duration;

/// Where and how the worker sends mail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailConfig {
    /// A lettre connection URL: `smtp://host:25` (plain, for a local relay),
    /// `smtp://user:pass@host:587?tls=required` (STARTTLS) or `smtps://user:pass@host:465` (TLS).
    pub smtp_url: String,
    /// The sender, e.g. `EGOC <formation@example.org>`.
    pub from: String,
    /// How often the worker looks for due messages when nobody wakes it.
    pub poll_interval: Duration,
    /// Attempts before a message is given up (`dead`).
    pub max_attempts: u32,
    /// The delay before the first retry; it doubles with each failed attempt, up to [`MAX_RETRY_DELAY`].
    pub first_retry: Duration,
    /// Messages claimed per round.
    pub batch: u32,
    /// How long one SMTP exchange may take before it counts as a failed attempt.
    pub timeout: Duration,
}

/// A server down for a night is retried a few times a day, not forgotten for days.
pub const MAX_RETRY_DELAY: Duration = Duration::from_secs(6 * 3600);

impl MailConfig {
    /// The defaults: every 5 s, 20 messages a round, 8 attempts from 1 min (the last one about
    /// 2 h after the first failure), 30 s per SMTP exchange.
    pub fn new(smtp_url: impl Into<String>, from: impl Into<String>) -> MailConfig {
        MailConfig {
            smtp_url: smtp_url.into(),
            from: from.into(),
            poll_interval: Duration::from_secs(5),
            max_attempts: 8,
            first_retry: Duration::from_secs(60),
            batch: 20,
            timeout: Duration::from_secs(30),
        }
    }

    /// The delay after `failed` failed attempts (the first failure is `failed = 1`).
    pub fn retry_delay(&self, failed: u32) -> Duration {
        let factor = 2u32.saturating_pow(failed.saturating_sub(1));
        self.first_retry.saturating_mul(factor).min(MAX_RETRY_DELAY)
    }

    /// How long a claimed round is reserved for this worker: long enough to send the whole batch
    /// even if every exchange times out, so that another worker never sends it a second time;
    /// short enough that a crashed worker's messages go out soon after.
    pub(crate) fn lease(&self) -> Duration {
        self.timeout.saturating_mul(self.batch.max(1)) + Duration::from_secs(60)
    }
}

impl Default for MailConfig {
    /// A relay on the local machine, as on a typical Debian server with a local MTA.
    fn default() -> Self {
        MailConfig::new("smtp://localhost:25", "Forma <forma@localhost>")
    }
}

/// `url` with its password masked, for error messages and logs.
pub(crate) fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(user, _)| user);
            let masked = if userinfo.contains(':') { format!("{user}:***") } else { user.to_owned() };
            format!("{scheme}://{masked}@{host}{tail}")
        }
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_delay_doubles_then_stops_at_six_hours() {
        let config = MailConfig::default();
        let minutes: Vec<u64> = (1..=10).map(|n| config.retry_delay(n).as_secs() / 60).collect();
        assert_eq!(minutes, [1, 2, 4, 8, 16, 32, 64, 128, 256, 360]);
        assert_eq!(config.retry_delay(u32::MAX), MAX_RETRY_DELAY, "no overflow");
        assert_eq!(config.retry_delay(0), config.first_retry);
    }

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(redact("smtps://formation:s3cr3t@mail.example.org:465"), "smtps://formation:***@mail.example.org:465");
        assert_eq!(redact("smtp://u:p@ss@host:587?tls=required"), "smtp://u:***@host:587?tls=required");
        assert_eq!(redact("smtp://localhost:25"), "smtp://localhost:25");
        assert_eq!(redact("pas une url"), "pas une url");
    }
}
