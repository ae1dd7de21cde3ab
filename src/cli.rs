//! The `writ` command line: serve, migrate, registry and accounts import, staff add, verify,
//! audit verify, keys rotate.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::audit::{self, Verdict};
use crate::config::Config;
use crate::db::models::registry::{self, NewGovDomain};
use crate::db::{write_tx, Db};
use crate::domain::clock;
use crate::domain::vocab::Role;
use crate::error::AppError;
use crate::services::staff_auth;

#[derive(Parser)]
#[command(name = "writ", version, about = "Legal-request intake portal")]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the portal (embedded defaults: SQLite and e-mail files under ./var).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the effective configuration (secrets hidden) and check the database, storage,
    /// mail, keys, policy, templates and public address; exit 1 when one fails. Changes nothing.
    Doctor,
    /// Government-domain registry.
    Registry {
        #[command(subcommand)]
        command: RegistryCommand,
    },
    /// The platform's account directory.
    Accounts {
        #[command(subcommand)]
        command: AccountsCommand,
    },
    /// Staff accounts.
    Staff {
        #[command(subcommand)]
        command: StaffCommand,
    },
    /// Audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Check a disclosure bundle: every manifest line, Payload-Oxum, the tag manifest and the
    /// signature; prints each failing file. Exit 0: valid and signed by a trusted key; 1: not
    /// valid; 3: intact, but signed only by the key inside the bundle (give --keys or --key).
    /// Needs no database.
    Verify {
        bundle: PathBuf,
        /// The platform's published key set: its URL
        /// (https://…/.well-known/writ/signing-keys.json) or a saved copy of it.
        #[arg(long, conflicts_with = "key")]
        keys: Option<String>,
        /// One signing key (SPKI PEM) to check the signature with.
        #[arg(long)]
        key: Option<PathBuf>,
    },
    /// Bundle signing keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Retire the active signing key and make a new one; old keys stay published.
    Rotate,
    /// The master key, which seals every key kept in the database.
    Master {
        #[command(subcommand)]
        command: MasterCommand,
    },
}

#[derive(Subcommand)]
enum MasterCommand {
    /// Print the master key (base64), to move it into WRIT_MASTER_KEY or a secret store; the
    /// key file can then be removed.
    Export,
    /// Make a new master key and seal every stored key with it. The new key is written to the
    /// key file (or, when WRIT_MASTER_KEY is set, to KEYFILE.new, to be moved into it).
    Rotate,
}

#[derive(Subcommand)]
enum RegistryCommand {
    /// Import a registry file, replacing the previous import of the same format.
    Import {
        #[arg(long, value_enum)]
        format: RegistryFormat,
        file: PathBuf,
        /// Replace the registry even with an empty, mostly rejected or much smaller file.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum RegistryFormat {
    /// The official US .gov domain list (current-full.csv).
    Dotgov,
}

#[derive(Subcommand)]
enum AccountsCommand {
    /// Import accounts from CSV (header uid,email,phone,name,country,wallets,status) or JSON lines
    /// (`.jsonl`), keyed by uid; reports added, updated, unchanged and rejected rows.
    Import { file: PathBuf },
}

#[derive(Subcommand)]
enum StaffCommand {
    /// Create an account; prints its first password and the TOTP secret as an otpauth:// URI.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long, value_enum)]
        role: RoleArg,
        /// Their title, as the certificates they seal name the custodian (they may record it later).
        #[arg(long)]
        title: Option<String>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum RoleArg {
    Support,
    Legal,
    Admin,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute the hash chain and check it against every stored checkpoint (and the exported
    /// one given); exit 1 naming the first broken event, or the truncation or rewrite.
    Verify {
        /// An exported checkpoint (from `writ audit checkpoint`), kept outside the database.
        #[arg(long)]
        checkpoint: Option<PathBuf>,
    },
    /// Sign the chain's head now and print the checkpoint (JSON) to keep outside the database.
    Checkpoint {
        /// Write it to this file instead of printing it.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Verify { bundle, keys, key } = &cli.command {
        return trust(keys.as_deref(), key.as_deref())
            .and_then(|trust| verify_bundle(bundle, &trust))
            .unwrap_or_else(|e| fail(&e));
    }
    let config = match Config::load() {
        Ok(config) => config,
        Err(e) => return fail(&e),
    };
    let outcome = match cli.command {
        Command::Serve => serve(config),
        Command::Doctor => Ok(crate::doctor::run(&config)),
        Command::Migrate => open(&config).map(|_| {
            println!("database is up to date");
            ExitCode::SUCCESS
        }),
        Command::Registry {
            command:
                RegistryCommand::Import {
                    format: RegistryFormat::Dotgov,
                    file,
                    force,
                },
        } => open(&config).and_then(|db| import_dotgov(&db, &file, force)),
        Command::Audit {
            command: AuditCommand::Verify { checkpoint },
        } => open(&config).and_then(|db| verify_audit(&db, checkpoint.as_deref())),
        Command::Audit {
            command: AuditCommand::Checkpoint { out },
        } => open(&config).and_then(|db| checkpoint_audit(&db, &config, out.as_deref())),
        Command::Accounts {
            command: AccountsCommand::Import { file },
        } => open(&config).and_then(|db| import_accounts(&db, &file)),
        Command::Staff {
            command:
                StaffCommand::Add {
                    email,
                    name,
                    role,
                    title,
                },
        } => open(&config)
            .and_then(|db| add_staff(&db, &config, &email, &name, role, title.as_deref())),
        Command::Keys {
            command: KeysCommand::Rotate,
        } => open(&config).and_then(|db| rotate_keys(&db, &config)),
        Command::Keys {
            command:
                KeysCommand::Master {
                    command: MasterCommand::Export,
                },
        } => crate::crypto::master::load(&config).map(|key| {
            println!("{}", key.to_base64());
            ExitCode::SUCCESS
        }),
        Command::Keys {
            command:
                KeysCommand::Master {
                    command: MasterCommand::Rotate,
                },
        } => open(&config).and_then(|db| rotate_master(&db, &config)),
        Command::Verify { .. } => unreachable!("handled before the configuration is read"),
    };
    outcome.unwrap_or_else(|e| fail(&e))
}

fn fail(e: &AppError) -> ExitCode {
    eprintln!("writ: {}", e.message);
    ExitCode::from(2)
}

/// The keys kept in the database, opened with the configured master key.
/// A progress bar on standard error, drawn only when it is a terminal (indicatif hides it
/// otherwise, so logs and pipes stay clean).
fn progress(len: u64, bytes: bool, message: &'static str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(len),
        indicatif::ProgressDrawTarget::stderr(),
    );
    let template = if bytes {
        "{msg} [{bar:30}] {bytes}/{total_bytes} · {bytes_per_sec} · {eta} left"
    } else {
        "{msg} [{bar:30}] {human_pos}/{human_len} · {eta} left"
    };
    if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(message);
    bar
}

/// A spinner for work of unknown length, on a terminal only.
fn spinner(message: &'static str) -> indicatif::ProgressBar {
    let bar =
        indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
    bar.set_message(message);
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

/// A file to read with a bar of its bytes.
fn read_with_progress(
    file: &std::path::Path,
    message: &'static str,
) -> Result<
    (
        indicatif::ProgressBar,
        indicatif::ProgressBarIter<std::fs::File>,
    ),
    AppError,
> {
    let opened = std::fs::File::open(file)
        .map_err(|e| AppError::config(format!("{}: {e}", file.display())))?;
    let len = opened.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = progress(len, true, message);
    let reader = bar.wrap_read(opened);
    Ok((bar, reader))
}

fn keys(db: &Db, config: &Config) -> Result<crate::crypto::Keys, AppError> {
    let master = crate::crypto::master::load(config)?;
    crate::state::load_keys(&mut *db.get()?, &master)
}

fn open(config: &Config) -> Result<Db, AppError> {
    std::fs::create_dir_all(&config.data_dir)?;
    let db = Db::connect(&config.database_url(), 2)?;
    db.migrate()?;
    Ok(db)
}

fn serve(config: Config) -> Result<ExitCode, AppError> {
    // A broken policy file stops start-up here, with its line and reason.
    config.policy()?;
    with_fixed_mmap_threshold();
    crate::logging::init(&config.log_level);
    if let Some(why) = config.public_url_mismatch() {
        log::warn!("{why}");
    }
    match rocket::execute(crate::rocket(config).launch()) {
        Ok(_) => Ok(ExitCode::SUCCESS),
        Err(e) => Err(AppError::config(format!("the server stopped: {e}"))),
    }
}

/// glibc's malloc raises its mmap threshold each time a large block is freed, after which upload
/// and seal buffers are carved from the heap and kept: the server grew from 22 to 73 MiB over ten
/// production uploads and never gave the memory back. With the threshold fixed (glibc reads
/// `MALLOC_MMAP_THRESHOLD_` once, at process start) large buffers go back to the system when
/// freed and memory stays flat (23 MiB across the same uploads and a 1 GiB seal). So `writ serve`
/// starts itself once more with it set, in place (same process id), unless it is set already.
fn with_fixed_mmap_threshold() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_MMAP_THRESHOLD_").is_none() {
        use std::os::unix::process::CommandExt;
        if let Ok(exe) = std::env::current_exe() {
            let error = std::process::Command::new(exe)
                .args(std::env::args_os().skip(1))
                .env("MALLOC_MMAP_THRESHOLD_", "131072")
                .exec();
            eprintln!("writ: could not restart with a fixed mmap threshold ({error}); going on");
        }
    }
}

/// Why a registry file should not replace the registry: no domain in it, more rows rejected
/// than kept, or less than half the domains the registry holds now (a cut-off download).
pub fn suspicious_import(kept: usize, skipped: usize, held: i64) -> Option<String> {
    if kept == 0 {
        return Some(format!(
            "the file holds no domain ({skipped} rows rejected): the registry would be emptied"
        ));
    }
    if skipped > kept {
        return Some(format!(
            "{skipped} of {} rows were rejected: is this the right file and format?",
            kept + skipped
        ));
    }
    if (kept as i64) * 2 < held {
        return Some(format!(
            "the file holds {kept} domains where the registry holds {held}: is the file complete?"
        ));
    }
    None
}

/// Reads the CSV row by row; the import replaces the previous one in a single transaction,
/// unless the file looks wrong (see [`suspicious_import`]) and `force` is not given.
pub fn import_dotgov(db: &Db, file: &std::path::Path, force: bool) -> Result<ExitCode, AppError> {
    let (bar, input) = read_with_progress(file, "reading")?;
    let mut reader = csv::Reader::from_reader(input);
    let now = clock::now();
    let mut rows = Vec::new();
    let mut skipped = 0;
    for (line, record) in reader.records().enumerate() {
        let record = record
            .map_err(|e| AppError::config(format!("{} line {}: {e}", file.display(), line + 2)))?;
        let field = |i: usize| record.get(i).unwrap_or_default().trim().to_owned();
        let domain = field(0).to_lowercase();
        if !crate::domain::email::is_domain(&domain) {
            eprintln!(
                "line {}: skipped, “{domain}” is not a domain name",
                line + 2
            );
            skipped += 1;
            continue;
        }
        rows.push(NewGovDomain {
            domain,
            source: "dotgov".into(),
            domain_type: field(1),
            organization: field(2),
            suborganization: field(3),
            city: field(4),
            region: field(5),
            imported_at: now,
        });
    }
    bar.finish_and_clear();
    let mut conn = db.get()?;
    let held = registry::count_source(&mut conn, "dotgov")?;
    if let Some(why) = suspicious_import(rows.len(), skipped, held) {
        if !force {
            eprintln!("not imported: {why}. Nothing changed; --force imports it anyway.");
            return Ok(ExitCode::from(1));
        }
        eprintln!("importing anyway (--force): {why}");
    }
    let writing = spinner("replacing the registry");
    let imported = write_tx(&mut conn, |conn| {
        let count = registry::replace_source(conn, "dotgov", &rows)?;
        audit::record(
            conn,
            &audit::Actor::Cli,
            None,
            "registry.imported",
            serde_json::json!({ "format": "dotgov", "entries": count }),
        )?;
        Ok::<_, AppError>(count)
    })?;
    writing.finish_and_clear();
    println!("imported {imported} .gov domains ({skipped} rows skipped)");
    Ok(ExitCode::SUCCESS)
}

fn import_accounts(db: &Db, file: &std::path::Path) -> Result<ExitCode, AppError> {
    let (bar, input) = read_with_progress(file, "importing accounts")?;
    let report = crate::services::directory::import(db, file, input);
    bar.finish_and_clear();
    let report = report?;
    for (line, reason) in &report.rejected {
        println!("line {line}: rejected: {reason}");
    }
    println!(
        "accounts: {} added, {} updated, {} unchanged, {} rejected",
        report.added,
        report.updated,
        report.unchanged,
        report.rejected.len()
    );
    Ok(ExitCode::SUCCESS)
}

fn add_staff(
    db: &Db,
    config: &Config,
    email: &str,
    name: &str,
    role: RoleArg,
    title: Option<&str>,
) -> Result<ExitCode, AppError> {
    let keys = keys(db, config)?;
    let role = match role {
        RoleArg::Support => Role::Support,
        RoleArg::Legal => Role::Legal,
        RoleArg::Admin => Role::Admin,
    };
    let account = rocket::execute(staff_auth::add(db, &keys, email, name, role, title)).map_err(
        |e| match e
            .fields
            .get("email")
            .or(e.fields.get("name"))
            .or(e.fields.get("title"))
        {
            Some(message) => AppError::config(message.to_owned()),
            None => e,
        },
    )?;
    println!(
        "created {} ({}) for {}",
        account.staff.email,
        role.label(),
        account.staff.name
    );
    println!("initial password: {}", account.password);
    println!(
        "TOTP secret (add it to an authenticator app): {}",
        account.otpauth_uri
    );
    Ok(ExitCode::SUCCESS)
}

fn verify_audit(db: &Db, exported: Option<&std::path::Path>) -> Result<ExitCode, AppError> {
    use crate::audit::checkpoint::{self, Checkpoint};
    let exported = match exported {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| AppError::config(format!("{}: {e}", path.display())))?;
            Some(
                Checkpoint::import(&text)
                    .map_err(|e| AppError::config(format!("{}: {e}", path.display())))?,
            )
        }
        None => None,
    };
    let mut conn = db.get()?;
    let total = crate::db::models::audit::head(&mut conn)?.0;
    let bar = progress(total.max(0) as u64, false, "checking the audit chain");
    let verdict = audit::verify_with(&mut conn, |seq| bar.set_position(seq.max(0) as u64));
    bar.finish_and_clear();
    let (events, head) = match verdict? {
        Verdict::Intact { events, head } => (events, head),
        Verdict::Broken { seq, reason } => {
            println!("audit chain BROKEN at event {seq}: {reason}");
            return Ok(ExitCode::from(1));
        }
    };
    // Every stored checkpoint must be signed by a key of the platform and still hold.
    let keys = crate::services::signing::public_keys(&mut conn)?;
    let stored = match checkpoint::check_stored(&mut conn, &keys)? {
        Ok(stored) => stored,
        Err(reason) => {
            println!("audit chain {reason}");
            return Ok(ExitCode::from(1));
        }
    };
    if let Some((cp, key)) = &exported {
        if let Err(reason) = checkpoint::holds(&mut conn, cp)? {
            println!("audit chain {reason}");
            return Ok(ExitCode::from(1));
        }
        let whose = if keys.contains(key) {
            "a platform key"
        } else {
            "a key this database does not list"
        };
        println!(
            "the exported checkpoint of {} (event {}, signed by {} {whose}) holds",
            crate::domain::clock::rfc3339(cp.at),
            cp.seq,
            cp.key_id
        );
    }
    println!("audit chain intact: {events} events, head {head}; {stored} stored checkpoints hold");
    Ok(ExitCode::SUCCESS)
}

fn checkpoint_audit(
    db: &Db,
    config: &Config,
    out: Option<&std::path::Path>,
) -> Result<ExitCode, AppError> {
    let keys = keys(db, config)?;
    let mut conn = db.get()?;
    let mailer = crate::mail::Mailer::load(config.template_dir().as_deref())?;
    let exported = crate::services::signing::checkpoint(&mut conn, &keys.secrets, &mailer)?;
    let text = serde_json::to_string_pretty(&exported).map_err(AppError::internal)? + "\n";
    match out {
        Some(path) => {
            std::fs::write(path, text)
                .map_err(|e| AppError::config(format!("{}: {e}", path.display())))?;
            println!(
                "checkpoint of event {} written to {}",
                exported["seq"],
                path.display()
            );
        }
        None => print!("{text}"),
    }
    Ok(ExitCode::SUCCESS)
}

fn rotate_keys(db: &Db, config: &Config) -> Result<ExitCode, AppError> {
    let keys = keys(db, config)?;
    let id = rocket::execute(crate::services::signing::rotate(db, &keys.secrets))?;
    println!("new signing key {id}; earlier keys are retired and stay published");
    Ok(ExitCode::SUCCESS)
}

/// Seals every stored key with a new master key. The new key reaches disk (KEYFILE.new) before
/// the database changes, so a crash at any point leaves a key that opens the database.
fn rotate_master(db: &Db, config: &Config) -> Result<ExitCode, AppError> {
    use crate::crypto::master::{self, MasterKey};
    let old = master::load(config)?;
    let new = MasterKey::generate();
    let pending = master::pending_file(config);
    master::write_key_file(&pending, &new).map_err(|e| {
        AppError::config(format!(
            "cannot write {}: {e} (an earlier rotation may have left it: move it aside)",
            pending.display()
        ))
    })?;
    let mut conn = db.get()?;
    let resealed = write_tx(&mut conn, |conn| {
        let secrets = crate::db::models::secret::all(conn)?;
        for (name, value) in &secrets {
            let plain = old.open(name, value).ok_or_else(|| {
                AppError::config(format!(
                    "the master key does not open the stored secret {name}"
                ))
            })?;
            crate::db::models::secret::replace(conn, name, value, &new.seal(name, &plain))?;
        }
        audit::record(
            conn,
            &audit::Actor::Cli,
            None,
            "master_key.rotated",
            serde_json::json!({ "secrets": secrets.len() }),
        )?;
        Ok::<_, AppError>(secrets.len())
    })?;
    if config.master_key.is_empty() {
        std::fs::rename(&pending, master::key_file(config))?;
        println!(
            "sealed {resealed} stored keys with a new master key, now in {}",
            master::key_file(config).display()
        );
    } else {
        println!(
            "sealed {resealed} stored keys with a new master key, written to {}: set WRIT_MASTER_KEY to it on every instance, then remove the file",
            pending.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Whose keys `writ verify` trusts: a published key set (URL or file), one key, or none.
fn trust(
    keys: Option<&str>,
    key: Option<&std::path::Path>,
) -> Result<crate::bundle::verify::Trust, AppError> {
    use crate::bundle::keys::PublicKey;
    use crate::bundle::verify::Trust;
    if let Some(source) = keys {
        let text = if source.starts_with("https://") || source.starts_with("http://") {
            fetch_keys(source)?
        } else {
            std::fs::read_to_string(source)
                .map_err(|e| AppError::config(format!("{source}: {e}")))?
        };
        return published_keys(&text)
            .map(Trust::Published)
            .map_err(|reason| AppError::config(format!("{source}: {reason}")));
    }
    match key {
        Some(path) => {
            let pem = std::fs::read_to_string(path)
                .map_err(|e| AppError::config(format!("{}: {e}", path.display())))?;
            PublicKey::from_pem(&pem).map(Trust::Given).ok_or_else(|| {
                AppError::config(format!(
                    "{}: not an Ed25519 public key in PEM form",
                    path.display()
                ))
            })
        }
        None => Ok(Trust::BundleOnly),
    }
}

/// The keys of a `signing-keys.json` document; each key's id must be the one its key gives.
pub fn published_keys(text: &str) -> Result<Vec<crate::bundle::keys::PublicKey>, String> {
    use crate::bundle::keys::PublicKey;
    let document: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("not a published key set: {e}"))?;
    let listed = document["keys"]
        .as_array()
        .ok_or("not a published key set: it has no \"keys\" list")?;
    let keys = listed
        .iter()
        .map(|entry| {
            let key = entry["public_key_pem"]
                .as_str()
                .and_then(PublicKey::from_pem)
                .ok_or("a listed key is not an Ed25519 public key in PEM form")?;
            match entry["id"].as_str() {
                Some(id) if id == key.id() => Ok(key),
                _ => Err(format!(
                    "the key listed as {} is key {}",
                    entry["id"],
                    key.id()
                )),
            }
        })
        .collect::<Result<Vec<_>, String>>()?;
    if keys.is_empty() {
        return Err("the published key set lists no key".into());
    }
    Ok(keys)
}

fn fetch_keys(url: &str) -> Result<String, AppError> {
    let failed = |e: ureq::Error| AppError::config(format!("{url}: {e}"));
    let mut response = ureq::get(url).call().map_err(failed)?;
    response
        .body_mut()
        .with_config()
        .limit(1024 * 1024)
        .read_to_string()
        .map_err(failed)
}

fn verify_bundle(
    bundle: &std::path::Path,
    trust: &crate::bundle::verify::Trust,
) -> Result<ExitCode, AppError> {
    use crate::bundle::verify::{Control, LISTED};
    use crate::domain::text::escape_controls as safe;
    std::fs::File::open(bundle)
        .map_err(|e| AppError::config(format!("{}: {e}", bundle.display())))?;
    let len = std::fs::metadata(bundle).map(|m| m.len()).unwrap_or(0);
    let bar = progress(len, true, "verifying");
    // Every reader counts what it reads (the payload is read once, on every core).
    let open = || {
        std::fs::File::open(bundle).map(|f| {
            std::io::BufReader::new(Counted {
                inner: f,
                bar: bar.clone(),
            })
        })
    };
    let report = crate::bundle::verify::verify(open, trust, &Control::default());
    bar.finish_and_clear();
    // Everything printed from the bundle goes through `safe`: its names and fields are the
    // sender's, and must not drive the terminal.
    for failure in report.failures() {
        println!("FAIL {}: {}", safe(&failure.file), safe(&failure.message));
    }
    if report.failed > LISTED as u64 {
        println!("… and {} more failures", report.failed - LISTED as u64);
    }
    let checked = report.failed + report.passed;
    if let (Some(reference), Some(n)) = (&report.reference, &report.bundle) {
        println!("bundle {} of case {}", safe(n), safe(reference));
    }
    if let Some(id) = &report.key_id {
        let whose = match report.key_source {
            Some("published") => "a key the platform publishes",
            Some("given") => "the key given",
            _ => "the key inside the bundle itself, which anyone could have made",
        };
        println!("signature checked with key {} ({whose})", safe(id));
    }
    if report.valid {
        println!("VALID: {checked} checks hold");
        Ok(ExitCode::SUCCESS)
    } else if report.intact {
        println!(
            "INTACT BUT NOT AUTHENTICATED: {checked} checks hold, but the signing key came from the bundle itself and is not trusted. Check it against the platform's keys: writ verify BUNDLE --keys https://PLATFORM/.well-known/writ/signing-keys.json"
        );
        Ok(ExitCode::from(3))
    } else {
        println!("NOT VALID: {} of {checked} checks fail", report.failed);
        Ok(ExitCode::from(1))
    }
}

/// A file whose reads advance a progress bar; seeks pass through without moving it.
struct Counted {
    inner: std::fs::File,
    bar: indicatif::ProgressBar,
}

impl std::io::Read for Counted {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bar.inc(n as u64);
        Ok(n)
    }
}

impl std::io::Seek for Counted {
    fn seek(&mut self, to: std::io::SeekFrom) -> std::io::Result<u64> {
        self.inner.seek(to)
    }
}
