//! Settings of a Relais instance: a TOML file, `RELAIS_*` environment variables
//! and command-line flags, in increasing order of precedence.

use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Everything a running instance needs to know.
#[derive(Clone, Debug)]
pub struct Config {
    /// Holds the SQLite database and generated keys.
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`.
    pub database_url: String,
    pub listen: SocketAddr,
    /// The public base URL (no trailing slash), used in links, feeds and the banner.
    pub public_url: String,
    /// Where every change writes a static copy of the status page and v2 JSON.
    pub mirror_dir: Option<PathBuf>,
    /// A folder whose templates override the embedded ones by name.
    pub theme_dir: Option<PathBuf>,
    /// Cookies get `Secure` (set when served over HTTPS).
    pub secure_cookies: bool,
    /// Largest accepted request body, in bytes.
    pub max_body_bytes: usize,
    /// How channels are watched.
    pub detect: DetectConfig,
    /// Monitors defined in the file, kept in the database as they are here.
    pub monitors: Vec<MonitorConfig>,
    /// How broadcasts are delivered.
    pub reach: ReachConfig,
    /// Team chats and social accounts every broadcast is posted to.
    pub outlets: Vec<crate::reach::outlets::Outlet>,
    /// How emails are sent (no email sign-up without it).
    pub email: Option<EmailConfig>,
}

/// The `[reach]` table: delivery of broadcasts.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReachConfig {
    /// First retry delay in milliseconds; it doubles at each attempt (with
    /// jitter), up to an hour.
    pub retry_base_ms: i64,
    /// How long a worker holds a batch; after a crash, its unfinished
    /// deliveries are taken up again once this has passed.
    pub lease_ms: i64,
    /// Outlets may post to loopback and private addresses (off: refused).
    pub allow_private_targets: bool,
    /// Non-urgent push notifications (announcements, maintenance, minor
    /// incidents) one browser gets per 24 hours at most; 0 for no cap.
    /// Outages are always sent.
    pub push_daily_cap: u32,
}

impl Default for ReachConfig {
    fn default() -> Self {
        ReachConfig {
            retry_base_ms: 5_000,
            lease_ms: 60_000,
            allow_private_targets: false,
            push_daily_cap: 3,
        }
    }
}

/// The `[email]` table: the SMTP server emails go through.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailConfig {
    /// `smtp://host:25` (plain), `smtp+starttls://host:587` or
    /// `smtps://host:465`, with an optional `user:password@`.
    pub smtp_url: String,
    /// The sender, as in `Boulangerie <status@example.com>`.
    pub from: String,
    /// DKIM signing domain (`d=`); signing is on when the three are set.
    pub dkim_domain: Option<String>,
    /// DKIM selector (`s=`).
    pub dkim_selector: Option<String>,
    /// A PEM private key: RSA of 2048 to 4096 bits (PKCS#1 `BEGIN RSA PRIVATE
    /// KEY` or PKCS#8 `BEGIN PRIVATE KEY`) or Ed25519 (PKCS#8).
    pub dkim_key_file: Option<PathBuf>,
    /// A second signature's selector, as RFC 8463 advises for an Ed25519 key
    /// beside an RSA one; used with `dkim_second_key_file`.
    pub dkim_second_selector: Option<String>,
    /// The second signature's key (the same forms).
    pub dkim_second_key_file: Option<PathBuf>,
    /// Emails sent per minute at most.
    #[serde(default = "default_per_minute")]
    pub per_minute: u32,
}

fn default_per_minute() -> u32 {
    600
}

/// The `[detect]` table: how checks are run and judged.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DetectConfig {
    /// Run checks at all (off: this instance only serves pages).
    pub enabled: bool,
    /// Name of the location this server checks from.
    pub location: String,
    /// This server runs the network checks itself (off: only probe agents
    /// do, and the server judges what they send).
    pub local_checks: bool,
    /// How many locations must agree before a channel changes (1: any).
    pub quorum: usize,
    /// A probe agent silent for longer than this is lost.
    pub agent_timeout_seconds: u64,
    /// Targets that should always answer (`host:port` or an http(s) URL).
    /// When every monitor and every canary fail at once, Relais suspects its
    /// own network and declares nothing down. Empty: no self-check.
    pub canary: Vec<String>,
    /// How long raw check results are kept.
    pub raw_retention_hours: u64,
    /// Fastest allowed check interval, in milliseconds.
    pub min_interval_ms: i64,
    /// Checks running at once, at most.
    pub concurrency: usize,
    /// Reports one visitor may send per 10 minutes.
    pub reports_per_source: i64,
    /// Behind a reverse proxy: take the visitor's address from the last
    /// `X-Forwarded-For` entry.
    pub trust_forwarded_for: bool,
}

impl Default for DetectConfig {
    fn default() -> Self {
        DetectConfig {
            enabled: true,
            location: "server".into(),
            local_checks: true,
            quorum: 1,
            agent_timeout_seconds: 60,
            canary: Vec::new(),
            raw_retention_hours: 24,
            min_interval_ms: crate::domain::monitor::MIN_INTERVAL_MS,
            concurrency: 256,
            reports_per_source: 5,
            trust_forwarded_for: false,
        }
    }
}

/// A `[[monitors]]` entry of the config file; the kind's own options
/// (`keyword`, `record_type`, …) sit beside the common ones.
#[derive(Clone, Debug, Deserialize)]
pub struct MonitorConfig {
    /// The channel's name (or id).
    pub channel: String,
    pub name: String,
    pub kind: String,
    #[serde(default)]
    pub target: String,
    pub interval_seconds: Option<f64>,
    pub timeout_seconds: Option<f64>,
    pub retries: Option<u32>,
    pub fail_after: Option<u32>,
    pub recover_after: Option<u32>,
    pub flap_limit: Option<u32>,
    pub down_status: Option<String>,
    pub enabled: Option<bool>,
    #[serde(flatten)]
    pub spec: toml::Table,
}

/// The file form of [`Config`]; every field optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub listen: Option<String>,
    pub public_url: Option<String>,
    pub mirror_dir: Option<PathBuf>,
    pub theme_dir: Option<PathBuf>,
    pub secure_cookies: Option<bool>,
    pub max_body_bytes: Option<usize>,
    pub detect: Option<DetectConfig>,
    #[serde(default)]
    pub monitors: Vec<MonitorConfig>,
    pub reach: Option<ReachConfig>,
    #[serde(default)]
    pub outlets: Vec<crate::reach::outlets::Outlet>,
    pub email: Option<EmailConfig>,
}

/// A configuration problem, phrased for the person running the command.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid config file {path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("invalid listen address `{0}` (expected for example 127.0.0.1:8080)")]
    Listen(String),
}

impl FileConfig {
    /// Reads a TOML config file.
    pub fn load(path: &Path) -> Result<FileConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: e.message().to_string(),
        })
    }
}

/// Values given on the command line or in `RELAIS_*` variables (clap reads both).
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub listen: Option<String>,
    pub public_url: Option<String>,
    pub mirror_dir: Option<PathBuf>,
    pub theme_dir: Option<PathBuf>,
}

impl Config {
    /// Merges file values under command-line/environment ones, with defaults last.
    pub fn resolve(file: FileConfig, over: Overrides) -> Result<Config, ConfigError> {
        let data_dir = over
            .data_dir
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from("relais-data"));
        let database_url = over
            .database_url
            .or(file.database_url)
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("relais.db").display()));
        let listen_text = over
            .listen
            .or(file.listen)
            .unwrap_or_else(|| "127.0.0.1:8080".into());
        let listen: SocketAddr = listen_text
            .parse()
            .map_err(|_| ConfigError::Listen(listen_text.clone()))?;
        let public_url = over
            .public_url
            .or(file.public_url)
            .unwrap_or_else(|| format!("http://{listen}"))
            .trim_end_matches('/')
            .to_string();
        Ok(Config {
            secure_cookies: file
                .secure_cookies
                .unwrap_or(public_url.starts_with("https://")),
            data_dir,
            database_url,
            listen,
            public_url,
            mirror_dir: over.mirror_dir.or(file.mirror_dir),
            theme_dir: over.theme_dir.or(file.theme_dir),
            max_body_bytes: file.max_body_bytes.unwrap_or(256 * 1024),
            detect: file.detect.unwrap_or_default(),
            monitors: file.monitors,
            reach: file.reach.unwrap_or_default(),
            outlets: file.outlets,
            email: file.email,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_win_over_file_and_defaults_fill_the_rest() {
        let file: FileConfig = toml::from_str(
            "listen = \"0.0.0.0:9000\"\npublic_url = \"https://status.example.com/\"",
        )
        .unwrap();
        let over = Overrides {
            data_dir: Some("/tmp/x".into()),
            ..Default::default()
        };
        let c = Config::resolve(file, over).unwrap();
        assert_eq!(c.listen.port(), 9000);
        assert_eq!(c.public_url, "https://status.example.com");
        assert!(c.secure_cookies);
        assert_eq!(c.database_url, "sqlite:///tmp/x/relais.db");
    }

    #[test]
    fn unknown_keys_and_bad_addresses_are_reported() {
        assert!(toml::from_str::<FileConfig>("listne = 1").is_err());
        let over = Overrides {
            listen: Some("nowhere".into()),
            ..Default::default()
        };
        let err = Config::resolve(FileConfig::default(), over).unwrap_err();
        assert!(err.to_string().contains("nowhere"));
    }
}
