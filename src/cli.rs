//! The `relais` command line.

use crate::config::{Config, FileConfig, Overrides};
use crate::domain::time::now;
use crate::web::auth;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Keep your line to your audience open when a channel fails.
#[derive(Parser, Debug)]
#[command(name = "relais", version, about)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Args, Debug, Clone)]
pub struct Global {
    /// TOML configuration file.
    #[arg(long, global = true, env = "RELAIS_CONFIG")]
    pub config: Option<PathBuf>,
    /// Folder for the SQLite database and generated keys.
    #[arg(long = "data", global = true, env = "RELAIS_DATA")]
    pub data_dir: Option<PathBuf>,
    /// sqlite://… (default: a file in the data folder) or postgres://…
    #[arg(long, global = true, env = "RELAIS_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Address to listen on, e.g. 0.0.0.0:8080.
    #[arg(long, global = true, env = "RELAIS_LISTEN")]
    pub listen: Option<String>,
    /// Public base URL, e.g. https://status.example.com
    #[arg(long, global = true, env = "RELAIS_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Folder that receives a static copy of the status page on every change.
    #[arg(long, global = true, env = "RELAIS_MIRROR_DIR")]
    pub mirror_dir: Option<PathBuf>,
    /// Folder of templates overriding the embedded ones by name.
    #[arg(long, global = true, env = "RELAIS_THEME_DIR")]
    pub theme_dir: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the server.
    Serve,
    /// Run a throwaway server with realistic French/English demo data.
    Demo,
    /// Apply database migrations and exit.
    Migrate,
    /// Manage owner accounts.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Manage API keys.
    Token {
        #[command(subcommand)]
        action: TokenAction,
    },
    /// Run one check of a monitor now and print the verdict (exit status 0
    /// when operational, 1 when degraded, 2 when failing).
    Check {
        /// The monitor's id or name.
        monitor: String,
    },
    /// Run the server's network checks from this machine and report them.
    Probe {
        /// The Relais server, e.g. https://status.example.com
        #[arg(long, env = "RELAIS_PROBE_SERVER")]
        server: String,
        /// An API key of that server (`relais token create`).
        #[arg(long, env = "RELAIS_PROBE_TOKEN", hide_env_values = true)]
        token: String,
        /// This probe's location name, e.g. paris or us-east.
        #[arg(long, env = "RELAIS_PROBE_LOCATION")]
        location: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum UserAction {
    /// Add an owner (or reset the password of an existing one).
    Add {
        #[arg(long)]
        email: String,
        /// The password; read from standard input when omitted.
        #[arg(long, env = "RELAIS_USER_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum TokenAction {
    /// Create an API key and print it on standard output.
    Create {
        #[arg(long)]
        name: String,
    },
}

impl Global {
    /// The configuration these options select.
    pub fn resolve(&self) -> anyhow::Result<Config> {
        let file = match &self.config {
            Some(path) => FileConfig::load(path)?,
            None => FileConfig::default(),
        };
        Ok(Config::resolve(
            file,
            Overrides {
                data_dir: self.data_dir.clone(),
                database_url: self.database_url.clone(),
                listen: self.listen.clone(),
                public_url: self.public_url.clone(),
                mirror_dir: self.mirror_dir.clone(),
                theme_dir: self.theme_dir.clone(),
            },
        )?)
    }
}

/// Runs the parsed command.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve => crate::server::serve(cli.global.resolve()?).await,
        Command::Demo => crate::demo::run(cli.global).await,
        Command::Migrate => {
            let config = cli.global.resolve()?;
            let store = crate::server::open_store(&config).await?;
            store.close().await;
            eprintln!("Database is up to date.");
            Ok(())
        }
        Command::User {
            action: UserAction::Add { email, password },
        } => {
            let email = email.trim().to_lowercase();
            if !email.contains('@') {
                anyhow::bail!("`{email}` is not an email address");
            }
            let password = match password {
                Some(p) => p,
                None => {
                    let mut line = String::new();
                    std::io::stdin().read_line(&mut line)?;
                    line.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            if password.chars().count() < 10 {
                anyhow::bail!("the password must have at least 10 characters");
            }
            let store = crate::server::open_store(&cli.global.resolve()?).await?;
            let hash = auth::hash_password(&password).map_err(|e| anyhow::anyhow!("{e}"))?;
            store.upsert_user(&email, &hash, now()).await?;
            store.close().await;
            eprintln!("Owner {email} can now log in.");
            Ok(())
        }
        Command::Token {
            action: TokenAction::Create { name },
        } => {
            let store = crate::server::open_store(&cli.global.resolve()?).await?;
            let key = auth::issue_key(&store, name.trim()).await?;
            store.close().await;
            println!("{key}");
            Ok(())
        }
        Command::Check { monitor } => check(&cli.global.resolve()?, &monitor).await,
        Command::Probe {
            server,
            token,
            location,
        } => crate::detect::probe::run(server, token, location).await,
    }
}

/// `relais check MONITOR`: one check, its verdict on stdout, the verdict as
/// the exit status.
async fn check(config: &Config, wanted: &str) -> anyhow::Result<()> {
    let store = crate::server::open_store(config).await?;
    let monitors = store.monitors().await?;
    let wanted = wanted.trim();
    let found: Vec<_> = monitors
        .iter()
        .filter(|(m, _)| m.id.as_str() == wanted || m.name.eq_ignore_ascii_case(wanted))
        .collect();
    let (m, _) = match found.as_slice() {
        [one] => one,
        [] => {
            let names: Vec<&str> = monitors.iter().map(|(m, _)| m.name.as_str()).collect();
            anyhow::bail!(
                "no monitor `{wanted}`; known monitors: {}",
                if names.is_empty() {
                    "none".to_string()
                } else {
                    names.join(", ")
                }
            )
        }
        _ => anyhow::bail!("several monitors are named `{wanted}`; give its id"),
    };
    let checker = crate::detect::checks::Checker::new(Some(store.clone()), 1)?;
    let outcome = checker.check(m).await;
    store.close().await;
    let latency = outcome
        .latency_ms
        .map(|l| format!(" in {l} ms"))
        .unwrap_or_default();
    let why = outcome
        .error
        .as_deref()
        .map(|e| format!(": {e}"))
        .unwrap_or_default();
    println!(
        "{} ({} {}): {}{latency}{why}",
        m.name, m.kind, m.target, outcome.status
    );
    match outcome.status {
        crate::domain::ComponentStatus::Operational => Ok(()),
        crate::domain::ComponentStatus::DegradedPerformance => std::process::exit(1),
        _ => std::process::exit(2),
    }
}
