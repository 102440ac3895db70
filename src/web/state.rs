//! The shared state of a running server and the publish step that follows
//! every change: reload, re-render, swap, notify live pages, mirror.

use crate::config::Config;
use crate::detect::Detection;
use crate::domain::time::now;
use crate::domain::Lang;
use crate::render::{mirror, templates, PageData, Snapshot};
use crate::storage::Store;
use arc_swap::ArcSwap;
use minijinja::Environment;
use std::sync::Arc;
use tokio::sync::{broadcast, Mutex};

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    config: Config,
    env: Environment<'static>,
    snapshot: ArcSwap<Snapshot>,
    data: ArcSwap<PageData>,
    live: broadcast::Sender<Arc<Snapshot>>,
    publish_lock: Mutex<u64>,
    /// Identifies this instance in change notices to the others.
    instance: String,
    detection: Detection,
    /// Wakes the delivery workers when a broadcast is recorded.
    reach: tokio::sync::Notify,
}

impl AppState {
    /// Builds the state and renders the first snapshot.
    pub async fn new(store: Store, config: Config) -> anyhow::Result<AppState> {
        let mut env = templates::environment(config.theme_dir.as_deref())?;
        // The sign-up form only shows where emails can be sent.
        env.add_global("email_signup", config.email.is_some());
        let data = PageData::load(&store, &config.public_url, now()).await?;
        let snapshot = Snapshot::build(&data, &env, 1, None)?;
        let (live, _) = broadcast::channel(16);
        let state = AppState {
            inner: Arc::new(Inner {
                store,
                config,
                env,
                snapshot: ArcSwap::from_pointee(snapshot),
                data: ArcSwap::from_pointee(data),
                live,
                publish_lock: Mutex::new(1),
                instance: crate::domain::id::random_hex(8),
                detection: Detection::default(),
                reach: tokio::sync::Notify::new(),
            }),
        };
        let first = state.clone();
        tokio::task::spawn_blocking(move || first.write_mirror(&first.snapshot(), None)).await?;
        Ok(state)
    }

    /// The database.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The instance configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// What detection shares: its picture of the monitors, counters, wake-up.
    pub fn detection(&self) -> &Detection {
        &self.inner.detection
    }

    /// Wakes the delivery workers (a change may have recorded a broadcast).
    pub fn reach_wake(&self) -> &tokio::sync::Notify {
        &self.inner.reach
    }

    /// After a monitor was created, edited or deleted: the engine reloads its
    /// monitors and the page (report buttons, figures) is rendered again.
    pub async fn monitors_changed(&self) -> anyhow::Result<()> {
        self.inner.detection.wake.notify_one();
        self.publish().await
    }

    /// The template environment (embedded defaults and theme overrides).
    pub fn templates(&self) -> &Environment<'static> {
        &self.inner.env
    }

    /// The current pre-rendered public surface.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.inner.snapshot.load_full()
    }

    /// The page data the current snapshot was rendered from.
    pub fn data(&self) -> Arc<PageData> {
        self.inner.data.load_full()
    }

    /// Subscribes to new snapshots (for live pages).
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Snapshot>> {
        self.inner.live.subscribe()
    }

    /// The live section of the status page in `lang`, as currently rendered.
    pub fn live_fragment(&self, lang: Lang) -> String {
        self.snapshot().live.get(&lang).cloned().unwrap_or_default()
    }

    /// Re-renders the public surface after a change, pushes it to open pages and
    /// tells the other instances. Returns once readers of this instance see it.
    pub async fn publish(&self) -> anyhow::Result<()> {
        self.refresh().await?;
        self.inner.reach.notify_one();
        if let Err(e) = self.inner.store.notify_change(&self.inner.instance).await {
            tracing::warn!("other instances were not told about the change: {e}");
        }
        Ok(())
    }

    /// Re-renders the public surface from the database and pushes it to open pages.
    pub async fn refresh(&self) -> anyhow::Result<()> {
        let mut version = self.inner.publish_lock.lock().await;
        let data = PageData::load(&self.inner.store, &self.inner.config.public_url, now()).await?;
        *version += 1;
        // Rendering and compressing is CPU work: keep it off the threads that
        // answer visitors, so the page keeps serving while it is rebuilt.
        // The mirror is written in the same step, under the lock, so that files
        // are replaced in the order of the changes.
        let (state, number) = (self.clone(), *version);
        let (data, snapshot) = tokio::task::spawn_blocking(move || {
            let previous = state.inner.snapshot.load_full();
            let snapshot = Snapshot::build(&data, &state.inner.env, number, Some(&previous))?;
            state.write_mirror(&snapshot, Some(&previous));
            Ok::<_, minijinja::Error>((data, snapshot))
        })
        .await??;
        let snapshot = Arc::new(snapshot);
        self.inner.data.store(Arc::new(data));
        self.inner.snapshot.store(snapshot.clone());
        drop(version);
        // No live page open is not an error.
        let _ = self.inner.live.send(snapshot);
        Ok(())
    }

    /// Re-renders whenever another instance sharing the database changes the
    /// page (PostgreSQL); returns at once with SQLite.
    pub async fn follow_other_instances(self) {
        loop {
            let mut listener = match self.inner.store.change_listener().await {
                Ok(Some(l)) => l,
                Ok(None) => return,
                Err(e) => {
                    tracing::warn!("cannot listen for changes from other instances: {e}");
                    tokio::time::sleep(std::time::Duration::from_secs(5)).await;
                    continue;
                }
            };
            while let Ok(notice) = listener.recv().await {
                if notice.payload() == self.inner.instance {
                    continue;
                }
                if let Err(e) = self.refresh().await {
                    tracing::warn!("re-render after another instance's change failed: {e}");
                }
            }
        }
    }

    /// Writes what changed since `previous` (everything without it) to the
    /// static mirror, if one is configured. Blocking file I/O.
    fn write_mirror(&self, snapshot: &Snapshot, previous: Option<&Snapshot>) {
        let Some(dir) = &self.inner.config.mirror_dir else {
            return;
        };
        if let Err(e) = mirror::write(snapshot, previous, dir) {
            tracing::warn!("static mirror not written to {}: {e}", dir.display());
        }
    }
}
