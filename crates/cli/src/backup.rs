//! `loopdesk backup` and `loopdesk restore`: one archive (`tar`, zstd-compressed) holding a
//! consistent copy of the embedded database — attachments are rows of it — and a manifest
//! with each file's size and SHA-256 and what the copy holds. A backup is written beside its
//! final name and renamed when complete, so a file under that name is always whole; a
//! restore verifies every byte and the database's own integrity before anything is put in
//! place, and never overwrites a database.

use anyhow::{bail, Context};
use chrono::{DateTime, Days, NaiveDate, NaiveTime, TimeZone, Utc};
use loopdesk_app::Config;
use loopdesk_store::snapshot::{self, SnapshotFacts};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

const MANIFEST: &str = "manifest.json";
const DATABASE: &str = "loopdesk.db";
const FORMAT: u32 = 1;

/// What an archive says of itself.
#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    format: u32,
    created_at: chrono::DateTime<chrono::Utc>,
    loopdesk_version: String,
    facts: SnapshotFacts,
    files: Vec<FileEntry>,
}

#[derive(Debug, Serialize, Deserialize)]
struct FileEntry {
    path: String,
    bytes: u64,
    sha256: String,
}

/// The database file of a configuration, refusing PostgreSQL (its tools do this).
fn sqlite_file(config: &Config) -> anyhow::Result<PathBuf> {
    let url = config.database_url();
    if !url.starts_with("sqlite:") {
        bail!(
            "this installation uses PostgreSQL: back it up with pg_dump (logical) or pg_basebackup \
             (physical), as the README shows; attachments are rows of the database and come with it"
        );
    }
    Ok(config.data.join(DATABASE))
}

fn sha256_of(path: &Path) -> anyhow::Result<(u64, String)> {
    let mut file = BufReader::new(File::open(path).with_context(|| format!("reading {}", path.display()))?);
    let mut hasher = Sha256::new();
    let bytes = std::io::copy(&mut file, &mut hasher)?;
    Ok((bytes, hex::encode(hasher.finalize())))
}

/// What a backup wrote.
pub struct Written {
    pub archive_bytes: u64,
    pub database_bytes: u64,
    pub seconds: f64,
    pub facts: SnapshotFacts,
}

/// `loopdesk backup --to FILE`: safe while a server runs on the same data directory.
pub async fn backup(config: &Config, to: &Path) -> anyhow::Result<()> {
    let w = write_backup(config, to).await?;
    println!(
        "backup written to {} ({:.1} MB, database {:.1} MB) in {:.1} s: {} tickets (last {}), {} attachments",
        to.display(),
        w.archive_bytes as f64 / 1e6,
        w.database_bytes as f64 / 1e6,
        w.seconds,
        w.facts.tickets,
        w.facts.last_tracking_no.as_deref().unwrap_or("none"),
        w.facts.attachments
    );
    Ok(())
}

/// Writes the archive to `to`, which must not exist yet.
pub async fn write_backup(config: &Config, to: &Path) -> anyhow::Result<Written> {
    let db = sqlite_file(config)?;
    if !db.exists() {
        bail!("no database at {} (is --data right?)", db.display());
    }
    if to.exists() {
        bail!("{} already exists; choose a new file name (a backup never overwrites one)", to.display());
    }
    let started = std::time::Instant::now();
    let dir = to.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let work = tempfile::Builder::new()
        .prefix(".loopdesk-backup")
        .tempdir_in(dir)
        .context("creating a working directory beside the backup")?;
    let copy = work.path().join(DATABASE);
    let facts = snapshot::snapshot(&config.database_url(), &copy).await.context("copying the database")?;
    let (database_bytes, sha256) = sha256_of(&copy)?;
    let manifest = Manifest {
        format: FORMAT,
        created_at: chrono::Utc::now(),
        loopdesk_version: env!("CARGO_PKG_VERSION").to_string(),
        facts,
        files: vec![FileEntry { path: DATABASE.into(), bytes: database_bytes, sha256 }],
    };
    let partial = work.path().join("archive.partial");
    write_archive(&partial, &manifest, &copy)?;
    // A link, not a rename: it fails if a file of that name appeared meanwhile, where a
    // rename would replace it (the working directory and the partial name go after). A
    // file system without links gets the rename.
    match std::fs::hard_link(&partial, to) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            bail!("{} appeared while the backup was written; it was left alone", to.display())
        }
        Err(_) => std::fs::rename(&partial, to).with_context(|| format!("moving the backup to {}", to.display()))?,
    }
    File::open(dir)?.sync_all()?;
    Ok(Written {
        archive_bytes: std::fs::metadata(to)?.len(),
        database_bytes,
        seconds: started.elapsed().as_secs_f64(),
        facts: manifest.facts,
    })
}

fn write_archive(path: &Path, manifest: &Manifest, database: &Path) -> anyhow::Result<()> {
    let file = File::create(path)?;
    let zstd = zstd::Encoder::new(BufWriter::new(file), 3)?;
    let mut tar = tar::Builder::new(zstd);
    let json = serde_json::to_vec_pretty(manifest)?;
    let mut header = tar::Header::new_gnu();
    header.set_size(json.len() as u64);
    header.set_mode(0o600);
    header.set_mtime(u64::try_from(manifest.created_at.timestamp()).unwrap_or(0));
    header.set_cksum();
    tar.append_data(&mut header, MANIFEST, json.as_slice())?;
    tar.append_path_with_name(database, DATABASE)?;
    let zstd = tar.into_inner()?;
    let file = zstd.finish()?.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()?;
    Ok(())
}

/// `loopdesk restore --from FILE`: into a data directory without a database.
pub async fn restore(config: &Config, from: &Path) -> anyhow::Result<()> {
    let db = sqlite_file(config)?;
    if db.exists() {
        bail!(
            "{} already holds a database; restore into an empty data directory (move the old one aside first)",
            config.data.display()
        );
    }
    std::fs::create_dir_all(&config.data).with_context(|| format!("creating {}", config.data.display()))?;
    let work = tempfile::Builder::new().prefix(".loopdesk-restore").tempdir_in(&config.data)?;
    let file = File::open(from).with_context(|| format!("opening {}", from.display()))?;
    let manifest = unpack(file, work.path()).with_context(|| format!("{} is not a usable backup", from.display()))?;
    let copy = work.path().join(DATABASE);
    let facts = snapshot::check(&copy).await.context("checking the restored database")?;
    if facts != manifest.facts {
        bail!("the restored database does not hold what the manifest says ({facts:?} against {:?})", manifest.facts);
    }
    let known = snapshot::schema_version();
    if facts.schema_version > known {
        bail!(
            "the backup was made by a newer Loopdesk (schema {}, this binary knows up to {known}); \
             restore it with that version or newer",
            facts.schema_version
        );
    }
    File::open(&copy)?.sync_all()?;
    std::fs::rename(&copy, &db)?;
    File::open(&config.data)?.sync_all()?;
    println!(
        "restored {} into {}: backup of {}, {} tickets (last {}), {} attachments; start the server on it",
        from.display(),
        config.data.display(),
        manifest.created_at.format("%Y-%m-%d %H:%M:%S UTC"),
        facts.tickets,
        facts.last_tracking_no.as_deref().unwrap_or("none"),
        facts.attachments
    );
    Ok(())
}

/// Reads the archive into `dir`: the manifest first, then only the files it lists, each
/// checked against its size and SHA-256 as it is written. Names come from the manifest,
/// never from the archive, so no entry can write outside `dir`.
fn unpack(file: File, dir: &Path) -> anyhow::Result<Manifest> {
    let zstd = zstd::Decoder::new(BufReader::new(file)).context("not a zstd-compressed archive")?;
    let mut tar = tar::Archive::new(zstd);
    let mut entries = tar.entries()?;
    let mut first = entries.next().context("the archive is empty")??;
    if first.path()?.to_str() != Some(MANIFEST) {
        bail!("the archive does not start with its manifest");
    }
    let mut json = Vec::new();
    first.by_ref().take(1 << 20).read_to_end(&mut json)?;
    let manifest: Manifest = serde_json::from_slice(&json).context("the manifest is not readable")?;
    if manifest.format != FORMAT {
        bail!("archive format {} is not one this version reads ({FORMAT})", manifest.format);
    }
    let mut seen = Vec::new();
    for entry in entries {
        let mut entry = entry?;
        let name = entry.path()?.to_string_lossy().into_owned();
        let Some(expected) = manifest.files.iter().find(|f| f.path == name) else {
            bail!("the archive holds {name}, which its manifest does not list");
        };
        if seen.contains(&name) {
            bail!("the archive holds {name} twice");
        }
        let mut out = BufWriter::new(File::create(dir.join(&expected.path))?);
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 1 << 16];
        let mut bytes = 0u64;
        loop {
            let n = entry.read(&mut buf)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            out.write_all(&buf[..n])?;
            bytes += n as u64;
        }
        out.flush()?;
        let sha256 = hex::encode(hasher.finalize());
        if bytes != expected.bytes || sha256 != expected.sha256 {
            bail!(
                "{name} is damaged: {bytes} bytes with SHA-256 {sha256}, the manifest says {} bytes with {}",
                expected.bytes,
                expected.sha256
            );
        }
        seen.push(name);
    }
    if let Some(missing) = manifest.files.iter().find(|f| !seen.contains(&f.path)) {
        bail!("the archive lacks {}, which its manifest lists", missing.path);
    }
    Ok(manifest)
}

/// The daily backups of `[backup]`.
pub struct Schedule {
    dir: PathBuf,
    keep: usize,
    at: NaiveTime,
}

impl Schedule {
    /// The schedule the configuration asks for, if any; a setting that cannot work is an
    /// error at start, not a silent night without a backup.
    pub fn from_config(config: &Config) -> anyhow::Result<Option<Schedule>> {
        let Some(dir) = config.backup.dir.clone() else {
            return Ok(None);
        };
        sqlite_file(config).context("[backup] dir is set")?;
        let at = NaiveTime::parse_from_str(config.backup.at.trim(), "%H:%M")
            .with_context(|| format!("[backup] at = {:?} is not a time of day (HH:MM)", config.backup.at))?;
        if config.backup.keep == 0 {
            bail!("[backup] keep must be at least 1");
        }
        std::fs::create_dir_all(&dir).with_context(|| format!("creating the backup directory {}", dir.display()))?;
        Ok(Some(Schedule { dir, keep: config.backup.keep, at }))
    }

    /// The first start strictly after `now`: today's or tomorrow's `at` in `zone`.
    fn next_after<Z: TimeZone>(&self, now: DateTime<Utc>, zone: &Z) -> DateTime<Utc> {
        let local = now.with_timezone(zone).date_naive();
        [local, local + Days::new(1), local + Days::new(2)]
            .into_iter()
            .filter_map(|d| zone.from_local_datetime(&d.and_time(self.at)).earliest())
            .map(|t| t.with_timezone(&Utc))
            .find(|t| *t > now)
            .unwrap_or(now + chrono::Duration::days(1))
    }

    /// The archive of `day`.
    fn file_of(&self, day: NaiveDate) -> PathBuf {
        self.dir.join(format!("loopdesk-{}.tar.zst", day.format("%Y-%m-%d")))
    }

    /// Writes `day`'s archive unless it is there, then deletes the oldest beyond `keep`.
    async fn run_once(&self, config: &Config, day: NaiveDate) -> anyhow::Result<PathBuf> {
        let file = self.file_of(day);
        if !file.exists() {
            write_backup(config, &file).await?;
        }
        self.prune()?;
        Ok(file)
    }

    /// Deletes daily archives beyond the newest `keep`; other files are left alone.
    fn prune(&self) -> anyhow::Result<()> {
        let mut days: Vec<(NaiveDate, PathBuf)> = std::fs::read_dir(&self.dir)?
            .filter_map(Result::ok)
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                let day = name.strip_prefix("loopdesk-")?.strip_suffix(".tar.zst")?;
                Some((NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?, e.path()))
            })
            .collect();
        days.sort_unstable_by_key(|d| std::cmp::Reverse(d.0));
        for (_, old) in days.into_iter().skip(self.keep) {
            std::fs::remove_file(&old).with_context(|| format!("deleting the old backup {}", old.display()))?;
        }
        Ok(())
    }
}

/// Runs the schedule until the process ends: one backup a day at `at` in the reports'
/// zone. A failed night is logged as an error and tried again the next day.
pub async fn run_daily(schedule: Schedule, config: Config, app: loopdesk_app::App) {
    loop {
        let now = chrono::Utc::now();
        let zone = app.read().report_zone();
        let next = schedule.next_after(now, &zone);
        tokio::time::sleep((next - now).to_std().unwrap_or_default()).await;
        let day = next.with_timezone(&zone).date_naive();
        match schedule.run_once(&config, day).await {
            Ok(file) => tracing::info!(file = %file.display(), "daily backup written"),
            Err(e) => tracing::error!(error = format!("{e:#}"), "daily backup failed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schedule(dir: &Path, keep: usize, at: &str) -> Schedule {
        Schedule { dir: dir.to_path_buf(), keep, at: NaiveTime::parse_from_str(at, "%H:%M").unwrap() }
    }

    #[test]
    fn the_next_start_is_the_next_local_time_of_day() {
        let s = schedule(Path::new("."), 7, "03:00");
        let shanghai = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
        let at = |t: &str| DateTime::parse_from_rfc3339(t).unwrap().with_timezone(&Utc);
        // 02:59 in Shanghai: today at 03:00; 03:00 exactly and later: tomorrow.
        assert_eq!(s.next_after(at("2026-12-06T18:59:00Z"), &shanghai), at("2026-12-06T19:00:00Z"));
        assert_eq!(s.next_after(at("2026-12-06T19:00:00Z"), &shanghai), at("2026-12-07T19:00:00Z"));
        assert_eq!(s.next_after(at("2026-12-07T10:00:00Z"), &shanghai), at("2026-12-07T19:00:00Z"));
        for minutes in (0..48 * 60).step_by(37) {
            let now = at("2026-12-06T00:00:00Z") + chrono::Duration::minutes(minutes);
            let next = s.next_after(now, &shanghai);
            assert!(next > now && next - now <= chrono::Duration::days(1), "{now} -> {next}");
            assert_eq!(next.with_timezone(&shanghai).time(), s.at);
        }
    }

    #[test]
    fn pruning_keeps_the_newest_daily_archives_and_nothing_else_is_touched() {
        let dir = tempfile::tempdir().unwrap();
        for d in 1..=10 {
            std::fs::write(dir.path().join(format!("loopdesk-2026-11-{d:02}.tar.zst")), b"x").unwrap();
        }
        std::fs::write(dir.path().join("notes.txt"), b"keep me").unwrap();
        std::fs::write(dir.path().join("loopdesk-manual.tar.zst"), b"mine").unwrap();
        schedule(dir.path(), 3, "03:00").prune().unwrap();
        let mut left: Vec<String> =
            std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        left.sort();
        assert_eq!(
            left,
            [
                "loopdesk-2026-11-08.tar.zst",
                "loopdesk-2026-11-09.tar.zst",
                "loopdesk-2026-11-10.tar.zst",
                "loopdesk-manual.tar.zst",
                "notes.txt"
            ]
        );
    }

    #[tokio::test]
    async fn a_scheduled_run_writes_a_whole_archive_once_a_day() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config {
            data: dir.path().join("data"),
            backup: loopdesk_app::BackupSettings { dir: Some(dir.path().join("backups")), ..Default::default() },
            ..Default::default()
        };
        loopdesk_app::App::open(config.clone(), std::sync::Arc::new(loopdesk_app::SystemClock)).await.unwrap();
        let s = Schedule::from_config(&config).unwrap().expect("a directory turns the schedule on");
        let day = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        let file = s.run_once(&config, day).await.unwrap();
        assert_eq!(file.file_name().unwrap(), "loopdesk-2026-12-07.tar.zst");
        let written = std::fs::metadata(&file).unwrap().modified().unwrap();
        // The same day again: the archive is there, nothing is rewritten.
        assert_eq!(s.run_once(&config, day).await.unwrap(), file);
        assert_eq!(std::fs::metadata(&file).unwrap().modified().unwrap(), written);
        let work = tempfile::tempdir().unwrap();
        let manifest = unpack(File::open(&file).unwrap(), work.path()).unwrap();
        assert_eq!(manifest.facts, snapshot::check(&work.path().join(DATABASE)).await.unwrap());
        assert!(manifest.facts.schema_version > 0);
    }

    #[test]
    fn settings_that_cannot_work_are_refused_at_start() {
        let mut config = Config::default();
        config.backup.dir = Some(PathBuf::from("/nonexistent-never/backups"));
        config.backup.at = "25:00".into();
        let e = Schedule::from_config(&config).err().unwrap();
        assert!(format!("{e:#}").contains("HH:MM"), "{e:#}");
        config.backup.at = "03:00".into();
        config.database_url = Some(loopdesk_app::Secret::new("postgres://x@127.0.0.1/db"));
        let e = Schedule::from_config(&config).err().unwrap();
        assert!(format!("{e:#}").contains("pg_dump"), "{e:#}");
    }
}
