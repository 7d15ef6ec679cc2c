//! The command line: `zhizhi serve` and its configuration, from flags or the environment.

use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Zhizhi (智治): the command centre of a street office.
#[derive(Debug, Parser)]
#[command(name = "zhizhi", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// How the log is written: `text` for people, `json` (one object a line, with the span's
    /// fields) for a log collector.
    #[arg(long, global = true, env = "ZHIZHI_LOG_FORMAT", default_value = "text", value_parser = ["text", "json"])]
    pub log_format: String,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web interface and the API.
    Serve(ServeArgs),
    /// Drive the demo district's devices against a running Zhizhi: everyday traffic at a chosen
    /// rate, and staged stories (elderly, smoke, crowd, river, all).
    Simulate(SimulateArgs),
    /// Archive audit entries older than the retention to a JSON-lines file, then remove them
    /// from the database (the chain goes on from the last one archived).
    AuditArchive(AuditArchiveArgs),
    /// Write a backup of the database to a new file while servers keep running on it (SQLite:
    /// a copy of the file; PostgreSQL: pg_dump's custom format).
    Backup(BackupArgs),
    /// Restore a backup into a new, empty database (then bring its schema up to date).
    Restore(RestoreArgs),
}

/// Configuration of `zhizhi backup`.
#[derive(Debug, Clone, Args)]
pub struct BackupArgs {
    /// The database: `sqlite://FILE` or `postgres://…`.
    #[arg(long, env = "ZHIZHI_DB")]
    pub db: String,

    /// The new file to write (never overwritten).
    #[arg(long)]
    pub out: PathBuf,
}

/// Configuration of `zhizhi restore`.
#[derive(Debug, Clone, Args)]
pub struct RestoreArgs {
    /// The empty database to restore into: `sqlite://NEW-FILE` or `postgres://…`.
    #[arg(long, env = "ZHIZHI_DB")]
    pub db: String,

    /// The backup written by `zhizhi backup` from the same engine.
    #[arg(long)]
    pub from: PathBuf,
}

/// Runs `zhizhi backup`.
pub async fn backup(args: BackupArgs) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    crate::storage::backup::backup(&args.db, &args.out).await?;
    let size = std::fs::metadata(&args.out).map(|m| m.len()).unwrap_or(0);
    println!("已备份至 {}（{:.1} MB，用时 {:.1} 秒）", args.out.display(), size as f64 / 1e6, started.elapsed().as_secs_f64());
    Ok(())
}

/// Runs `zhizhi restore`.
pub async fn restore(args: RestoreArgs) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let store = crate::storage::backup::restore(&args.db, &args.from).await?;
    let s = store.summary().await?;
    println!("已从 {} 恢复：{} 个网格、{} 户、{} 名居民、{} 台设备（用时 {:.1} 秒）", args.from.display(), s.grids, s.households, s.residents, s.devices, started.elapsed().as_secs_f64());
    Ok(())
}

/// Configuration of `zhizhi audit-archive`.
#[derive(Debug, Clone, Args)]
pub struct AuditArchiveArgs {
    /// The database: `sqlite://FILE` or `postgres://…`.
    #[arg(long, env = "ZHIZHI_DB")]
    pub db: String,

    /// Archive entries older than this many days (at least 180).
    #[arg(long, default_value_t = 365)]
    pub older_than_days: u32,

    /// The new file to write (never overwritten).
    #[arg(long)]
    pub out: PathBuf,
}

/// Runs `zhizhi audit-archive`.
pub async fn audit_archive(args: AuditArchiveArgs) -> anyhow::Result<()> {
    let store = crate::storage::open(&args.db).await?;
    let accounts = crate::accounts::Accounts::new(store, std::sync::Arc::new(crate::auth::AuthConfig::default()));
    match accounts.archive_audit(args.older_than_days, &args.out, crate::auth::now_ms()).await? {
        (0, _) => println!("没有 {} 天以前的审计记录，未生成归档", args.older_than_days),
        (n, Some((a, b))) => println!("已归档 {n} 条审计记录（#{a}–#{b}）至 {}", args.out.display()),
        (n, None) => println!("已归档 {n} 条审计记录至 {}", args.out.display()),
    }
    Ok(())
}

/// Configuration of `zhizhi simulate`.
#[derive(Debug, Clone, Args)]
pub struct SimulateArgs {
    /// The running Zhizhi.
    #[arg(long, default_value = "http://127.0.0.1:3000")]
    pub url: String,

    /// `http` (POST /api/v1/ingest) or `mqtt` (publish to the broker Zhizhi subscribes to).
    #[arg(long, default_value = "http", value_parser = ["http", "mqtt"])]
    pub via: String,

    /// The broker, with `--via mqtt`.
    #[arg(long, default_value = "mqtt://127.0.0.1:1883")]
    pub mqtt_url: String,

    /// Messages per second of everyday traffic; 0 sends only the stories.
    #[arg(long, default_value_t = 50)]
    pub rate: u64,

    /// Seconds to run; 0 runs until stopped.
    #[arg(long, default_value_t = 0)]
    pub duration: u64,

    /// Messages per HTTP request.
    #[arg(long, default_value_t = 500)]
    pub batch: usize,

    /// Stories to stage first, comma-separated: elderly, smoke, crowd, river, or all.
    #[arg(long)]
    pub story: Option<String>,

    /// A token with the `ingest` scope; without one, the simulator signs in as `--user` (an
    /// administrator) and creates one.
    #[arg(long, env = "ZHIZHI_INGEST_TOKEN")]
    pub token: Option<String>,

    #[arg(long, default_value = "guanliyuan")]
    pub user: String,

    #[arg(long, env = "ZHIZHI_PASSWORD", default_value = "Ciqikou-141-demo")]
    pub password: String,
}

/// Configuration of `zhizhi serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Database URL: sqlite://FILE (created if missing) or postgres://USER@HOST/DATABASE.
    #[arg(long, env = "ZHIZHI_DB", default_value = "sqlite://zhizhi.db")]
    pub db: String,

    /// Address to listen on.
    #[arg(long, env = "ZHIZHI_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,

    /// Where the other server copies over the same PostgreSQL reach this one (HOST:PORT), when
    /// they run on other hosts: device messages received by any copy go to the one that runs
    /// the ingest engine. By default the listening address (127.0.0.1 for 0.0.0.0).
    #[arg(long, env = "ZHIZHI_ADVERTISE_ADDR")]
    pub advertise_addr: Option<SocketAddr>,

    /// Load the demo district (a fictional street modelled on Ciqikou) if the database is empty.
    #[arg(long, env = "ZHIZHI_DEMO")]
    pub demo: bool,

    /// With `--demo`: make the demo a district of this many streets (1–100; the others are
    /// copies of the demo street's grids beside it), with command staff per street and the
    /// district's command centre (`quzhihui`), for trying and load-testing many streets.
    #[arg(long, env = "ZHIZHI_DEMO_STREETS", default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=100))]
    pub demo_streets: u64,

    /// Folder with the compiled site (wasm, JS, CSS, public files), as cargo-leptos builds it.
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,

    /// Served to browsers over HTTPS (directly or behind a proxy): session cookies get
    /// `Secure` and the `__Host-` prefix.
    #[arg(long, env = "ZHIZHI_HTTPS")]
    pub https: bool,

    /// Minutes of inactivity after which a session ends.
    #[arg(long, env = "ZHIZHI_SESSION_IDLE_MINUTES", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=1440))]
    pub session_idle_minutes: u64,

    /// Hours after login at which a session ends, however active.
    #[arg(long, env = "ZHIZHI_SESSION_LIFETIME_HOURS", default_value_t = 12, value_parser = clap::value_parser!(u64).range(1..=168))]
    pub session_lifetime_hours: u64,

    /// Shortest password accepted.
    #[arg(long, env = "ZHIZHI_PASSWORD_MIN_LENGTH", default_value_t = 12, value_parser = clap::value_parser!(u64).range(8..=128))]
    pub password_min_length: u64,

    /// How many of lower case, upper case, digits and symbols a password must mix.
    #[arg(long, env = "ZHIZHI_PASSWORD_MIN_CLASSES", default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..=4))]
    pub password_min_classes: u64,

    /// Days after which a password must be changed; 0 for never.
    #[arg(long, env = "ZHIZHI_PASSWORD_MAX_AGE_DAYS", default_value_t = 90)]
    pub password_max_age_days: u32,

    /// MQTT broker to ingest device messages from (topics zhizhi/<street>/<device>/up),
    /// e.g. mqtt://127.0.0.1:1883.
    #[arg(long, env = "ZHIZHI_MQTT_URL")]
    pub mqtt_url: Option<String>,

    /// Reverse proxies (addresses or ranges, comma-separated, e.g. 127.0.0.1,10.0.0.0/8) whose
    /// X-Forwarded-For / Forwarded headers name the client; nobody else's are believed.
    #[arg(long, env = "ZHIZHI_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxy: Vec<crate::auth::address::Cidr>,

    /// The broker runs Mosquitto's dynamic-security plugin and the --mqtt-url user administers
    /// it: Zhizhi registers each device (its code, its secret, a role that publishes on its own
    /// topic only) when the secret is issued, and disables retired ones.
    #[arg(long, env = "ZHIZHI_MQTT_PROVISION")]
    pub mqtt_provision: bool,

    /// The MQTT client id: the broker keeps this session's unacknowledged messages while the
    /// server is down.
    #[arg(long, env = "ZHIZHI_MQTT_CLIENT_ID", default_value = "zhizhi-ingest")]
    pub mqtt_client_id: String,

    /// With `--demo` on a new database: days of case history to play through the case flow
    /// in the background (365 for a year; 0 for none).
    #[arg(long, env = "ZHIZHI_DEMO_HISTORY_DAYS", default_value_t = 0, value_parser = clap::value_parser!(i64).range(0..=730))]
    pub history_days: i64,

    /// With `--demo`: a light live simulation — a few reports an hour, dispatched, handled and
    /// closed by simulated staff. `--no-simulation` turns it off.
    #[arg(long, env = "ZHIZHI_DEMO_SIMULATION", overrides_with = "no_simulation")]
    pub simulation: bool,

    /// Turns the live simulation off.
    #[arg(long, overrides_with = "simulation")]
    pub no_simulation: bool,

    /// New cases an hour in the live simulation.
    #[arg(long, env = "ZHIZHI_DEMO_CASES_PER_HOUR", default_value_t = 8.0)]
    pub simulation_per_hour: f64,

    /// Days of device messages kept (alarms, cases and device state are kept for good).
    #[arg(long, env = "ZHIZHI_KEEP_MESSAGES_DAYS", default_value_t = 90, value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub keep_messages_days: u32,

    /// A TURN server the deployment runs for video calls between networks (coturn), e.g.
    /// `turn:turn.example.gov.cn:3478?transport=udp`; several separated by commas. Needs
    /// `--turn-secret`. Without it, calls connect directly (phones and centre on one network).
    #[arg(long, env = "ZHIZHI_TURN_URL", value_delimiter = ',', requires = "turn_secret")]
    pub turn_url: Vec<String>,

    /// The TURN server's shared secret (coturn's `static-auth-secret` with `use-auth-secret`):
    /// each signed-in user gets a credential valid for 12 hours.
    #[arg(long, env = "ZHIZHI_TURN_SECRET", requires = "turn_url", hide_env_values = true)]
    pub turn_secret: Option<String>,
}

impl ServeArgs {
    /// The authentication settings these flags describe.
    pub fn auth_config(&self) -> crate::auth::AuthConfig {
        use std::time::Duration;
        crate::auth::AuthConfig {
            idle_timeout: Duration::from_secs(self.session_idle_minutes * 60),
            lifetime: Duration::from_secs(self.session_lifetime_hours * 3600),
            secure_cookies: self.https,
            password_policy: zhizhi_shared::auth::PasswordPolicy {
                min_length: self.password_min_length as usize,
                min_classes: self.password_min_classes as usize,
                max_age_days: self.password_max_age_days,
            },
            trusted_proxies: self.trusted_proxy.clone(),
            ..Default::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_and_defaults() {
        let cli = Cli::try_parse_from(["zhizhi", "serve", "--demo", "--addr", "127.0.0.1:4000"]).unwrap();
        let Command::Serve(args) = cli.command else { panic!("serve") };
        assert!(args.demo);
        assert_eq!(args.addr.port(), 4000);
        assert!(args.db.starts_with("sqlite://"));
        let auth = args.auth_config();
        assert_eq!(auth.idle_timeout.as_secs(), 30 * 60);
        assert_eq!(auth.password_policy.min_length, 12);
        assert!(!auth.secure_cookies);
    }

    #[test]
    fn session_and_password_rules_are_configurable() {
        let cli = Cli::try_parse_from([
            "zhizhi", "serve", "--https", "--session-idle-minutes", "15", "--password-min-length", "16", "--password-max-age-days", "0",
        ])
        .unwrap();
        let Command::Serve(args) = cli.command else { panic!("serve") };
        let auth = args.auth_config();
        assert_eq!(auth.idle_timeout.as_secs(), 15 * 60);
        assert_eq!(auth.cookie_name(), "__Host-zz_session");
        assert_eq!(auth.password_policy.min_length, 16);
        assert_eq!(auth.password_policy.max_age_days, 0);
        let err = Cli::try_parse_from(["zhizhi", "serve", "--password-min-length", "4"]).unwrap_err();
        assert!(err.to_string().contains("--password-min-length"), "{err}");
    }

    #[test]
    fn unknown_flags_and_bad_addresses_are_refused() {
        let err = Cli::try_parse_from(["zhizhi", "serve", "--colour"]).unwrap_err();
        assert!(err.to_string().contains("--colour"), "{err}");
        let err = Cli::try_parse_from(["zhizhi", "serve", "--addr", "localhost:port"]).unwrap_err();
        assert!(err.to_string().contains("--addr"), "{err}");
    }
}
