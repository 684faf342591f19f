use std::net::SocketAddr;
use std::time::Duration;

/// What the web layer needs to know about its deployment.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Where to listen; port 0 picks a free port (tests).
    pub addr: SocketAddr,
    /// The public address users reach (`https://formation.example.org`), trusted for
    /// cross-origin checks behind a reverse proxy.
    pub public_url: Option<String>,
    /// The training organisation's name, shown on every page.
    pub organisation_name: String,
    /// How often to look for catalogue changes made elsewhere (`forma import`, another node).
    pub refresh_interval: Duration,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            public_url: None,
            organisation_name: "EGOC".to_owned(),
            refresh_interval: Duration::from_secs(5),
        }
    }
}
