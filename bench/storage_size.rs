//! Storage size: does "100 monitors every 30 s for 90 days" fit in under
//! 100 MB of database?
//!
//! Feeds synthetic check results, in time order, through the real write path
//! (`Store::save_results`, which also maintains the minute/hour/day roll-ups)
//! and prunes them as the detection engine does (`Store::prune_results` with
//! the raw retention and `detect::engine::KEEP`, every 10 simulated minutes).
//! Then prints the rows per table and the size of the database: as left by
//! the run, after a WAL checkpoint, and after VACUUM.
//!
//! Runs on SQLite, and on PostgreSQL too when `RELAIS_TEST_POSTGRES_URL` is
//! set (a fresh database is created on that server, and dropped at the end).
//!
//! Usage: cargo bench --bench storage_size
//!
//! Environment (all optional):
//!   DAYS=90              simulated days
//!   MONITORS=100         monitors
//!   INTERVAL_SECONDS=30  check interval
//!   RAW_RETENTION_HOURS=24  as `[detect] raw_retention_hours`
//!   BACKENDS=sqlite,postgres  which databases to run (postgres needs the URL)
//!   KEEP_DB=1            keep the SQLite folder / PostgreSQL database

use relais::detect::engine::KEEP;
use relais::domain::monitor::{Monitor, MonitorKind};
use relais::domain::time::{now, Millis};
use relais::domain::{Channel, ChannelKind, ComponentStatus, Id};
use relais::storage::{ResultRow, Store};
use sqlx::{Connection, Executor, Row};
use std::path::{Path, PathBuf};
use std::time::Instant;

const TARGET_BYTES: u64 = 100 * 1_000_000;
/// How often the engine prunes (`PRUNE_EVERY_MS` in the engine); one batch
/// of results is written per period.
const PRUNE_EVERY_MS: Millis = 10 * 60_000;
const DAY_MS: Millis = 86_400_000;
const LOCATION: &str = "server";

struct Params {
    days: i64,
    monitors: usize,
    interval_ms: Millis,
    raw_retention_ms: Millis,
    keep_db: bool,
}

fn env_num(name: &str, default: i64) -> i64 {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a whole number, got `{v}`")),
        _ => default,
    }
}

/// A small deterministic generator (SplitMix64): the same run every time.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// One simulated monitor: where its checks land and how its target behaves.
struct Sim {
    id: Id,
    /// Offset of its checks within the interval (the engine spreads the
    /// first check over a second).
    offset_ms: Millis,
    /// Typical response time of its target.
    base_ms: f64,
    /// Checks left in the current outage.
    outage_left: u32,
    outage_error: usize,
}

const ERRORS: [&str; 4] = [
    "cannot connect: Connection refused (os error 111)",
    "timed out",
    "HTTP 503 (expected 2xx or 3xx)",
    "cannot connect: dns error: failed to lookup address information: Name or service not known",
];

impl Sim {
    /// The result of the check that starts at `tick`: about 1% failures
    /// (isolated blips and outages of 2.5 to 30 minutes), about 0.3% slow
    /// answers, and response times spread around the target's own.
    fn check(&mut self, rng: &mut Rng, tick: Millis, timeout_ms: Millis) -> ResultRow {
        if self.outage_left == 0 && rng.unit() < 0.000_15 {
            self.outage_left = 5 + rng.below(56) as u32;
            self.outage_error = rng.below(ERRORS.len() as u64) as usize;
        }
        let (status, latency, error) = if self.outage_left > 0 || rng.unit() < 0.005 {
            let which = if self.outage_left > 0 {
                self.outage_left -= 1;
                self.outage_error
            } else {
                rng.below(ERRORS.len() as u64) as usize
            };
            let latency = match which {
                0 => 1 + rng.below(3) as i64,
                1 => timeout_ms,
                2 => (self.base_ms * (0.5 + rng.unit())) as i64,
                _ => 5 + rng.below(40) as i64,
            };
            (
                ComponentStatus::MajorOutage,
                latency,
                Some(ERRORS[which].to_string()),
            )
        } else {
            // Mostly near the target's typical time, with a long tail.
            let spread = 0.7 + 0.6 * rng.unit();
            let tail = if rng.unit() < 0.02 {
                1.0 + 6.0 * rng.unit()
            } else {
                1.0
            };
            let latency = (self.base_ms * spread * tail).max(1.0) as i64;
            if rng.unit() < 0.003 {
                let slow = 2_000 + rng.below(6_000) as i64;
                (
                    ComponentStatus::DegradedPerformance,
                    slow,
                    Some(format!("slow: {slow} ms (threshold 2000 ms)")),
                )
            } else {
                (ComponentStatus::Operational, latency, None)
            }
        };
        ResultRow {
            monitor_id: self.id.clone(),
            location: LOCATION.to_string(),
            // The result is stamped when the check ends.
            at: tick + self.offset_ms + latency,
            status,
            latency_ms: Some(latency),
            error,
        }
    }
}

/// Where the database lives, and how to measure it.
enum Target {
    Sqlite {
        dir: PathBuf,
        file: PathBuf,
    },
    Postgres {
        admin_url: String,
        name: String,
        url: String,
    },
}

impl Target {
    fn url(&self) -> String {
        match self {
            Target::Sqlite { file, .. } => format!("sqlite://{}", file.display()),
            Target::Postgres { url, .. } => url.clone(),
        }
    }

    fn label(&self) -> &'static str {
        match self {
            Target::Sqlite { .. } => "SQLite",
            Target::Postgres { .. } => "PostgreSQL",
        }
    }

    /// The database's size on disk right now, in bytes.
    async fn size(&self) -> anyhow::Result<u64> {
        match self {
            Target::Sqlite { file, .. } => Ok(sqlite_files(file)),
            Target::Postgres { url, name, .. } => {
                let mut conn = sqlx::PgConnection::connect(url).await?;
                let row = sqlx::query("SELECT pg_database_size($1)::BIGINT AS n")
                    .bind(name)
                    .fetch_one(&mut conn)
                    .await?;
                conn.close().await?;
                Ok(row.try_get::<i64, _>("n")? as u64)
            }
        }
    }
}

/// Size of the SQLite file with its -wal and -shm companions.
fn sqlite_files(file: &Path) -> u64 {
    ["", "-wal", "-shm"]
        .iter()
        .map(|suffix| {
            let mut p = file.as_os_str().to_owned();
            p.push(suffix);
            std::fs::metadata(PathBuf::from(p))
                .map(|m| m.len())
                .unwrap_or(0)
        })
        .sum()
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

fn verdict(bytes: u64) -> &'static str {
    if bytes < TARGET_BYTES {
        "PASS"
    } else {
        "FAIL"
    }
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Stands in for PostgreSQL's autovacuum when the server has it turned off
/// (as test servers often do): after each prune, a table is vacuumed when its
/// dead rows pass autovacuum's default trigger, 50 + 20% of its live rows.
/// Without it, deleted rows are never reclaimed and the database only grows.
struct Autovacuum {
    conn: sqlx::PgConnection,
    runs: u64,
}

impl Autovacuum {
    /// Some(..) when the server at `url` has autovacuum off.
    async fn needed(url: &str) -> anyhow::Result<Option<Autovacuum>> {
        let mut conn = sqlx::PgConnection::connect(url).await?;
        let on: String = sqlx::query("SHOW autovacuum")
            .fetch_one(&mut conn)
            .await?
            .try_get(0)?;
        if on == "on" {
            conn.close().await?;
            return Ok(None);
        }
        Ok(Some(Autovacuum { conn, runs: 0 }))
    }

    async fn step(&mut self) -> anyhow::Result<()> {
        let due: Vec<String> = sqlx::query(
            "SELECT relname::TEXT FROM pg_stat_user_tables \
             WHERE relname IN ('check_results', 'check_rollups') \
             AND n_dead_tup > 50 + 0.2 * n_live_tup",
        )
        .fetch_all(&mut self.conn)
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
        for table in due {
            self.conn
                .execute(format!("VACUUM {table}").as_str())
                .await?;
            self.runs += 1;
        }
        Ok(())
    }
}

/// Writes DAYS of results and returns (results written, failures, seconds).
async fn fill(
    store: &Store,
    target: &Target,
    p: &Params,
    mut vacuum: Option<&mut Autovacuum>,
) -> anyhow::Result<(u64, u64, f64)> {
    let at0 = now();
    let channel = Channel::new("WhatsApp", ChannelKind::Whatsapp, "+33 6 12 34 56 78", at0);
    store.insert_channel(&channel).await?;
    let mut rng = Rng(0x5eed_0f2e_1a15);
    let mut sims = Vec::with_capacity(p.monitors);
    for i in 0..p.monitors {
        let mut m = Monitor::new(
            channel.id.clone(),
            format!("WhatsApp check {}", i + 1),
            MonitorKind::Http,
            format!("https://example{}.com/health", i + 1),
            at0,
        );
        m.interval_ms = p.interval_ms;
        store.insert_monitor(&m).await?;
        sims.push(Sim {
            id: m.id.clone(),
            offset_ms: rng.below(1_000) as Millis,
            base_ms: 20.0 + 280.0 * rng.unit(),
            outage_left: 0,
            outage_error: 0,
        });
    }
    let timeout_ms =
        Monitor::new(channel.id.clone(), "", MonitorKind::Http, String::new(), 0).timeout_ms;

    // Simulated time ends now, so the timestamps look like a real page's.
    let end = at0 - at0.rem_euclid(PRUNE_EVERY_MS);
    let start = end - p.days * DAY_MS;
    let started = Instant::now();
    let mut written: u64 = 0;
    let mut failures: u64 = 0;
    let mut next_tick = start;
    let mut rows: Vec<ResultRow> = Vec::new();
    let mut batch_start = start;
    let mut last_report = Instant::now();
    while batch_start < end {
        let batch_end = batch_start + PRUNE_EVERY_MS;
        rows.clear();
        while next_tick < batch_end {
            for sim in sims.iter_mut() {
                rows.push(sim.check(&mut rng, next_tick, timeout_ms));
            }
            next_tick += p.interval_ms;
        }
        rows.sort_by_key(|r| r.at);
        failures += rows
            .iter()
            .filter(|r| r.status == ComponentStatus::MajorOutage)
            .count() as u64;
        written += rows.len() as u64;
        store.save_results(&rows, &[]).await?;
        let at = batch_end;
        let keep: Vec<(&str, Millis)> = KEEP.iter().map(|(s, d)| (*s, at - d)).collect();
        store.prune_results(at - p.raw_retention_ms, &keep).await?;
        if let Some(v) = vacuum.as_deref_mut() {
            v.step().await?;
        }
        batch_start = batch_end;

        let day_done = (batch_start - start) % DAY_MS == 0;
        if day_done || last_report.elapsed().as_secs() >= 60 {
            last_report = Instant::now();
            let secs = started.elapsed().as_secs_f64();
            let simulated = (batch_start - start) as f64 / DAY_MS as f64;
            let size = target.size().await?;
            eprintln!(
                "  {}: day {:>6.2}/{}: {} results written, {:.0} results/s, {} on disk, {:.0} s elapsed",
                target.label(),
                simulated,
                p.days,
                thousands(written),
                written as f64 / secs,
                mb(size),
                secs
            );
        }
    }
    Ok((written, failures, started.elapsed().as_secs_f64()))
}

async fn run_sqlite(p: &Params) -> anyhow::Result<bool> {
    let dir = std::env::temp_dir().join(format!(
        "relais-storage-size-{}",
        relais::domain::id::random_hex(4)
    ));
    std::fs::create_dir_all(&dir)?;
    let file = dir.join("relais.db");
    let target = Target::Sqlite {
        dir: dir.clone(),
        file: file.clone(),
    };
    let result = measure_sqlite(&target, &file, p).await;
    if p.keep_db {
        eprintln!("kept {}", dir.display());
    } else if let Target::Sqlite { dir, .. } = &target {
        let _ = std::fs::remove_dir_all(dir);
    }
    result
}

async fn measure_sqlite(target: &Target, file: &Path, p: &Params) -> anyhow::Result<bool> {
    let store = Store::connect(&target.url()).await?;
    store.migrate().await?;
    let (written, failures, secs) = fill(&store, target, p, None).await?;
    let as_left = sqlite_files(file);
    store.close().await;

    let mut conn = sqlx::SqliteConnection::connect(&target.url()).await?;
    let rows = sqlite_counts(&mut conn).await?;
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut conn)
        .await?;
    let checkpointed = sqlite_files(file);
    let page_size: i64 = sqlx::query("PRAGMA page_size")
        .fetch_one(&mut conn)
        .await?
        .try_get(0)?;
    let free_pages: i64 = sqlx::query("PRAGMA freelist_count")
        .fetch_one(&mut conn)
        .await?
        .try_get(0)?;
    let per_table = sqlite_table_sizes(&mut conn).await;
    sqlx::query("VACUUM").execute(&mut conn).await?;
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    let vacuumed = sqlite_files(file);

    report(
        "SQLite",
        p,
        written,
        failures,
        secs,
        &rows,
        &per_table,
        &[
            ("as left by the run (db + -wal + -shm)", as_left),
            ("after PRAGMA wal_checkpoint(TRUNCATE)", checkpointed),
            ("after VACUUM", vacuumed),
        ],
        Some(format!(
            "free pages before VACUUM: {} of {} bytes ({})",
            thousands(free_pages as u64),
            page_size,
            mb(free_pages as u64 * page_size as u64)
        )),
    );
    Ok(checkpointed < TARGET_BYTES)
}

async fn sqlite_counts(conn: &mut sqlx::SqliteConnection) -> anyhow::Result<Vec<(String, i64)>> {
    let mut out = Vec::new();
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM check_results")
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
    out.push(("check_results".to_string(), n));
    for row in sqlx::query(
        "SELECT span, COUNT(*) FROM check_rollups GROUP BY span ORDER BY MIN(bucket) DESC",
    )
    .fetch_all(&mut *conn)
    .await?
    {
        let span: String = row.try_get(0)?;
        out.push((format!("check_rollups ({span})"), row.try_get(1)?));
    }
    Ok(out)
}

/// Bytes per table and index, when SQLite has the dbstat table.
async fn sqlite_table_sizes(conn: &mut sqlx::SqliteConnection) -> Vec<(String, i64)> {
    let rows = sqlx::query(
        "SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC LIMIT 6",
    )
    .fetch_all(&mut *conn)
    .await;
    match rows {
        Ok(rows) => rows
            .iter()
            .filter_map(|r| Some((r.try_get(0).ok()?, r.try_get(1).ok()?)))
            .collect(),
        Err(_) => Vec::new(),
    }
}

async fn run_postgres(admin_url: &str, p: &Params) -> anyhow::Result<bool> {
    let name = format!("relais_storage_{}", relais::domain::id::random_hex(4));
    let mut admin = sqlx::PgConnection::connect(admin_url).await?;
    admin
        .execute(format!("CREATE DATABASE {name}").as_str())
        .await?;
    let (base, _) = admin_url
        .rsplit_once('/')
        .ok_or_else(|| anyhow::anyhow!("the PostgreSQL URL needs a /dbname"))?;
    let target = Target::Postgres {
        admin_url: admin_url.to_string(),
        name: name.clone(),
        url: format!("{base}/{name}"),
    };
    let result = measure_postgres(&target, p).await;
    if p.keep_db {
        eprintln!("kept PostgreSQL database {name}");
    } else if let Target::Postgres { admin_url, .. } = &target {
        let mut admin = sqlx::PgConnection::connect(admin_url).await?;
        admin
            .execute(format!("DROP DATABASE IF EXISTS {name}").as_str())
            .await?;
    }
    result
}

async fn measure_postgres(target: &Target, p: &Params) -> anyhow::Result<bool> {
    let store = Store::connect(&target.url()).await?;
    store.migrate().await?;
    let empty = target.size().await?;
    let mut autovacuum = Autovacuum::needed(&target.url()).await?;
    if autovacuum.is_some() {
        eprintln!(
            "  autovacuum is off on this server: the benchmark vacuums the check tables \
             when autovacuum's default threshold (50 + 20% of live rows dead) is crossed"
        );
    }
    let (written, failures, secs) = fill(&store, target, p, autovacuum.as_mut()).await?;
    let vacuum_note = match autovacuum {
        Some(v) => {
            v.conn.close().await?;
            format!(
                "; autovacuum is off on this server: VACUUM ran {} times at its default threshold",
                v.runs
            )
        }
        None => "; the server's own autovacuum ran during the run".to_string(),
    };
    store.close().await;
    let as_left = target.size().await?;

    let mut conn = sqlx::PgConnection::connect(&target.url()).await?;
    let mut rows = Vec::new();
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM check_results")
        .fetch_one(&mut conn)
        .await?
        .try_get(0)?;
    rows.push(("check_results".to_string(), n));
    for row in sqlx::query(
        "SELECT span, COUNT(*) FROM check_rollups GROUP BY span ORDER BY MIN(bucket) DESC",
    )
    .fetch_all(&mut conn)
    .await?
    {
        let span: String = row.try_get(0)?;
        rows.push((format!("check_rollups ({span})"), row.try_get(1)?));
    }
    let per_table: Vec<(String, i64)> = sqlx::query(
        "SELECT relname::TEXT, pg_relation_size(c.oid)::BIGINT AS bytes FROM pg_class c \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i') ORDER BY bytes DESC LIMIT 6",
    )
    .fetch_all(&mut conn)
    .await?
    .iter()
    .filter_map(|r| Some((r.try_get(0).ok()?, r.try_get(1).ok()?)))
    .collect();
    conn.execute("VACUUM").await?;
    let vacuumed = target.size().await?;
    conn.execute("VACUUM FULL").await?;
    let full = target.size().await?;
    conn.close().await?;

    report(
        "PostgreSQL",
        p,
        written,
        failures,
        secs,
        &rows,
        &per_table,
        &[
            ("empty database after migrations", empty),
            ("pg_database_size as left by the run", as_left),
            ("after VACUUM (what autovacuum does)", vacuumed),
            ("after VACUUM FULL", full),
        ],
        Some(format!(
            "table and index sizes: pg_relation_size of each, before VACUUM{vacuum_note}"
        )),
    );
    Ok(as_left < TARGET_BYTES)
}

#[allow(clippy::too_many_arguments)]
fn report(
    backend: &str,
    p: &Params,
    written: u64,
    failures: u64,
    secs: f64,
    rows: &[(String, i64)],
    per_table: &[(String, i64)],
    sizes: &[(&str, u64)],
    note: Option<String>,
) {
    println!();
    println!(
        "{backend}: {} monitors every {} s for {} days, raw results kept {} h, roll-ups kept {}",
        p.monitors,
        p.interval_ms / 1000,
        p.days,
        p.raw_retention_ms / 3_600_000,
        KEEP.iter()
            .map(|(s, d)| if d % DAY_MS == 0 {
                format!("{s} {} d", d / DAY_MS)
            } else {
                format!("{s} {} h", d / 3_600_000)
            })
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "written: {} results ({:.2}% failures) in {:.0} s, {:.0} results/s through Store::save_results",
        thousands(written),
        100.0 * failures as f64 / written.max(1) as f64,
        secs,
        written as f64 / secs
    );
    println!();
    println!("{:<28} {:>12}", "table", "rows");
    for (table, n) in rows {
        println!("{table:<28} {:>12}", thousands(*n as u64));
    }
    if !per_table.is_empty() {
        println!();
        println!("{:<28} {:>12}", "table or index", "size");
        for (name, bytes) in per_table {
            println!("{name:<28} {:>12}", mb(*bytes as u64));
        }
    }
    println!();
    println!(
        "{:<44} {:>10}   target < {}",
        "database size",
        "",
        mb(TARGET_BYTES)
    );
    for (what, bytes) in sizes {
        // A fresh database is a baseline, not a result.
        let judged = if what.starts_with("empty") {
            ""
        } else {
            verdict(*bytes)
        };
        println!("{what:<44} {:>10}   {judged}", mb(*bytes));
    }
    if let Some(note) = note {
        println!("{note}");
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let p = Params {
        days: env_num("DAYS", 90).max(1),
        monitors: env_num("MONITORS", 100).max(1) as usize,
        interval_ms: env_num("INTERVAL_SECONDS", 30).max(1) * 1000,
        raw_retention_ms: env_num("RAW_RETENTION_HOURS", 24).max(1) * 3_600_000,
        keep_db: std::env::var("KEEP_DB").is_ok_and(|v| v == "1"),
    };
    let backends = std::env::var("BACKENDS").unwrap_or_else(|_| "sqlite,postgres".into());
    let want = |b: &str| backends.split(',').any(|x| x.trim() == b);
    let mut ok = true;
    if want("sqlite") {
        eprintln!("SQLite: writing {} days of results", p.days);
        ok &= run_sqlite(&p).await?;
    }
    if want("postgres") {
        match std::env::var("RELAIS_TEST_POSTGRES_URL") {
            Ok(url) if !url.is_empty() => {
                eprintln!("PostgreSQL: writing {} days of results", p.days);
                ok &= run_postgres(&url, &p).await?;
            }
            _ => eprintln!(
                "SKIPPED PostgreSQL: set RELAIS_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres)"
            ),
        }
    }
    if !ok {
        eprintln!("the size target was missed");
        std::process::exit(1);
    }
    Ok(())
}
