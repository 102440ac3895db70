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
    }
}
