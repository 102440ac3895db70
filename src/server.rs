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

/// Opens storage, renders the first snapshot and starts the background jobs.
async fn launch(config: Config) -> anyhow::Result<AppState> {
    // A bad `[email]` table (server URL, sender, DKIM key) stops the start
    // rather than every email after it.
    if let Some(email) = &config.email {
        crate::reach::email::mailer(email)?;
    }
    let store = open_store(&config).await?;
    crate::detect::definition::sync_config(&store, &config).await?;
    crate::reach::sync_outlets(&store, &config).await?;
    let state = AppState::new(store, config).await?;
    tokio::spawn(crate::maintenance::run(state.clone()));
    tokio::spawn(crate::detect::engine::run(state.clone()));
    tokio::spawn(crate::reach::delivery::run(state.clone()));
    tokio::spawn(state.clone().follow_other_instances());
    Ok(state)
}

/// Accepts connections on `listener` until Ctrl-C or SIGTERM.
async fn accept(listener: TcpListener, app: axum::Router) {
    let service = app.into_make_service_with_connect_info::<SocketAddr>();
    if let Err(e) = axum::serve(listener, service)
        .with_graceful_shutdown(shutdown_signal())
        .await
    {
        tracing::error!("server stopped: {e}");
    }
}

/// Starts serving on `listener`; returns at once.
pub async fn start(config: Config, listener: TcpListener) -> anyhow::Result<Running> {
    let addr = listener.local_addr()?;
    let state = launch(config).await?;
    let task = tokio::spawn(accept(listener, web::app(state.clone())));
    Ok(Running { addr, state, task })
}

/// Binds the configured address and serves until Ctrl-C or SIGTERM, with one
/// single-threaded event loop per core, each accepting on its own socket
/// (`SO_REUSEPORT`, as nginx's workers do), so that a request never hops
/// between threads.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let addr = config.listen;
    let state = launch(config).await?;
    let app = web::app(state);
    let workers = if cfg!(unix) {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        1
    };
    let mut threads = Vec::new();
    for n in 0..workers {
        let app = app.clone();
        let (bound_tx, bound_rx) = std::sync::mpsc::channel();
        let thread = std::thread::Builder::new()
            .name(format!("http-{n}"))
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = bound_tx.send(Err(anyhow::anyhow!("cannot start a worker: {e}")));
                        return;
                    }
                };
                runtime.block_on(async move {
                    match reuse_port_listener(addr) {
                        Ok(listener) => {
                            let _ = bound_tx.send(Ok(()));
                            accept(listener, app).await;
                        }
                        Err(e) => {
                            let _ =
                                bound_tx.send(Err(anyhow::anyhow!("cannot listen on {addr}: {e}")));
                        }
                    }
                });
            })?;
        bound_rx
            .recv()
            .map_err(|_| anyhow::anyhow!("a worker stopped before listening"))??;
        threads.push(thread);
    }
    tracing::info!("Relais listening on http://{addr} ({workers} workers)");
    tokio::task::spawn_blocking(move || {
        for t in threads {
            let _ = t.join();
        }
    })
    .await?;
    Ok(())
}

/// A listening socket that other workers may bind too.
fn reuse_port_listener(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    #[cfg(unix)]
    socket.set_reuseport(true)?;
    socket.set_nodelay(true)?;
    socket.bind(addr)?;
    socket.listen(1024)
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
