//! Starting a server: storage, first render, background jobs, HTTP.

use crate::config::Config;
use crate::domain::id::random_hex;
use crate::render::page::keys;
use crate::storage::Store;
use crate::web::{self, AppState};
use std::net::SocketAddr;
use tokio::net::TcpListener;

/// Connects to the configured database, migrates it and seeds page settings.
pub async fn open_store(config: &Config) -> anyhow::Result<Store> {
    if config.database_url.starts_with("sqlite:") {
        std::fs::create_dir_all(&config.data_dir).map_err(|e| {
            anyhow::anyhow!(
                "cannot create data directory {}: {e}",
                config.data_dir.display()
            )
        })?;
    }
    let store = Store::connect(&config.database_url).await?;
    store.migrate().await?;
    store.init_setting(keys::PAGE_ID, &random_hex(6)).await?;
    store.init_setting(keys::PAGE_NAME, "Relais").await?;
    Ok(store)
}

/// A server accepting requests in the background.
pub struct Running {
    pub addr: SocketAddr,
    pub state: AppState,
    pub task: tokio::task::JoinHandle<()>,
}

/// Starts serving on `listener`; returns at once.
pub async fn start(config: Config, listener: TcpListener) -> anyhow::Result<Running> {
    let store = open_store(&config).await?;
    let state = AppState::new(store, config).await?;
    let addr = listener.local_addr()?;
    tokio::spawn(crate::maintenance::run(state.clone()));
    tokio::spawn(state.clone().follow_other_instances());
    let app = web::app(state.clone());
    let task = tokio::spawn(async move {
        if let Err(e) = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown_signal())
        .await
        {
            tracing::error!("server stopped: {e}");
        }
    });
    Ok(Running { addr, state, task })
}

/// Binds the configured address and serves until Ctrl-C or SIGTERM.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.listen))?;
    let running = start(config, listener).await?;
    tracing::info!("Relais listening on http://{}", running.addr);
    running.task.await?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
