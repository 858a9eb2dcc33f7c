//! Paths and durable file operations of the maildir backend. Every path is
//! built from numeric ids (account, mailbox, UID) or names this module
//! generates: no user-chosen string ever becomes a path (invariant 4).

use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use rand::Rng;

use crate::store::AccountId;
use crate::store::types::{MailboxId, Uid};

/// Temporary files older than this belong to no living writer.
pub const STALE_TMP_AGE: Duration = Duration::from_secs(3600);

/// The directory tree of one account.
#[derive(Debug, Clone)]
pub struct AccountDir {
    root: PathBuf,
}

impl AccountDir {
    pub fn new(data_dir: &Path, account: AccountId) -> Self {
        Self {
            root: data_dir.join("users").join(account.0.to_string()),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn index(&self) -> PathBuf {
        self.root.join("index.db")
    }

    /// The mailbox list kept beside the index so a rebuild keeps folder names.
    pub fn manifest(&self) -> PathBuf {
        self.root.join("mailboxes.json")
    }

    pub fn tmp(&self) -> PathBuf {
        self.root.join("tmp")
    }

    pub fn mail(&self) -> PathBuf {
        self.root.join("mail")
    }

    pub fn mailbox(&self, id: MailboxId) -> PathBuf {
        self.mail().join(id.0.to_string())
    }

    pub fn messages(&self, id: MailboxId) -> PathBuf {
        self.mailbox(id).join("cur")
    }

    pub fn message(&self, id: MailboxId, uid: Uid) -> PathBuf {
        self.messages(id).join(uid.0.to_string())
    }

    /// A fresh, unpredictable temporary file name.
    pub fn new_tmp(&self) -> PathBuf {
        let n: u64 = rand::thread_rng().r#gen();
        self.tmp().join(format!("{n:016x}"))
    }
}

/// Creates a directory and any missing ancestors so that each new entry
/// survives a crash: every directory that gained an entry is fsynced.
pub fn create_dir_durable(path: &Path) -> io::Result<()> {
    let mut missing = Vec::new();
    let mut cursor = Some(path);
    while let Some(dir) = cursor.filter(|d| !d.is_dir()) {
        missing.push(dir);
        cursor = dir.parent();
    }
    fs::create_dir_all(path)?;
    for dir in missing {
        match dir.parent() {
            Some(parent) if parent.as_os_str().is_empty() => sync_dir(Path::new("."))?,
            Some(parent) => sync_dir(parent)?,
            None => {}
        }
    }
    Ok(())
}

/// fsync of a directory, so renames and links in it survive a crash.
pub fn sync_dir(path: &Path) -> io::Result<()> {
    File::open(path)?.sync_all()
}

/// Creates a new temporary file for writing.
pub fn create_tmp(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .write(true)
        .read(true)
        .create_new(true)
        .open(path)
}

/// Writes `bytes` to a new file at `path` and fsyncs it.
pub fn write_synced(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = create_tmp(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Writes a small file atomically: temporary, fsync, rename, directory fsync.
pub fn replace_atomically(path: &Path, tmp: &Path, bytes: &[u8]) -> io::Result<()> {
    write_synced(tmp, bytes)?;
    fs::rename(tmp, path)?;
    if let Some(dir) = path.parent() {
        sync_dir(dir)?;
    }
    Ok(())
}

/// Gives `from` a second name `to`; fails with `AlreadyExists` rather than
/// overwrite, so a UID's file is never replaced.
pub fn link_no_replace(from: &Path, to: &Path) -> io::Result<()> {
    fs::hard_link(from, to)
}

/// Removes a file; a file already gone is not an error (recovery may race).
pub fn remove_if_present(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// The message files of a mailbox directory: UID-named ones, and any other
/// regular file (dropped there by hand) that must be indexed under a new UID.
pub fn scan_messages(dir: &Path) -> io::Result<(Vec<Uid>, Vec<PathBuf>)> {
    let mut uids = Vec::new();
    let mut foreign = Vec::new();
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok((uids, foreign)),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        if !entry.file_type()?.is_file() {
            continue;
        }
        let name = entry.file_name();
        match name.to_str().and_then(parse_uid) {
            Some(uid) => uids.push(uid),
            None => foreign.push(entry.path()),
        }
    }
    uids.sort_unstable();
    Ok((uids, foreign))
}

fn parse_uid(name: &str) -> Option<Uid> {
    // Canonical decimal only, so "007" and "7" cannot both claim UID 7.
    let n: u32 = name.parse().ok()?;
    (n > 0 && n.to_string() == name).then_some(Uid(n))
}

/// Numeric subdirectories of `mail/`: the mailboxes present on disk.
pub fn scan_mailbox_dirs(mail: &Path) -> io::Result<Vec<MailboxId>> {
    let mut ids = Vec::new();
    let entries = match fs::read_dir(mail) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(ids),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        if entry.file_type()?.is_dir()
            && let Some(id) = entry
                .file_name()
                .to_str()
                .and_then(|s| s.parse::<i64>().ok())
            && id > 0
        {
            ids.push(MailboxId(id));
        }
    }
    ids.sort_unstable();
    Ok(ids)
}

/// Removes temporary files older than [`STALE_TMP_AGE`]; returns how many.
/// The (device, inode) of every file in `dir`: a message file that shares
/// one with a file in `tmp/` belongs to an append that has not committed.
pub fn inodes(dir: &Path) -> io::Result<HashSet<(u64, u64)>> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(HashSet::new()),
        Err(e) => return Err(e),
    };
    let mut found = HashSet::new();
    for entry in entries {
        match entry?.metadata() {
            Ok(meta) if meta.is_file() => {
                found.insert((meta.dev(), meta.ino()));
            }
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(found)
}

/// The (device, inode) of one file.
pub fn inode(path: &Path) -> io::Result<(u64, u64)> {
    let meta = fs::metadata(path)?;
    Ok((meta.dev(), meta.ino()))
}

pub fn remove_stale_tmp(dir: &Path) -> io::Result<u64> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let now = SystemTime::now();
    let mut removed = 0;
    for entry in entries {
        let entry = entry?;
        // An appender in this or another process removes its own file once the
        // message is linked: one that vanished after read_dir is no error.
        let meta = match entry.metadata() {
            Ok(meta) => meta,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        if !meta.is_file() {
            continue;
        }
        let modified = meta.modified()?;
        if now.duration_since(modified).unwrap_or_default() > STALE_TMP_AGE {
            remove_if_present(&entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_canonical_decimal_names_are_uids() {
        assert_eq!(parse_uid("42"), Some(Uid(42)));
        for bad in ["0", "007", "+5", "4294967296", "1.eml", ""] {
            assert_eq!(parse_uid(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn scan_splits_uid_files_from_foreign_ones_and_skips_directories() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["3", "1", "note.eml"] {
            fs::write(dir.path().join(name), b"x").unwrap();
        }
        fs::create_dir(dir.path().join("2")).unwrap();
        let (uids, foreign) = scan_messages(dir.path()).unwrap();
        assert_eq!(uids, vec![Uid(1), Uid(3)]);
        assert_eq!(foreign, vec![dir.path().join("note.eml")]);
    }

    #[test]
    fn durable_dir_creation_makes_every_missing_level() {
        let dir = tempfile::tempdir().unwrap();
        let deep = dir.path().join("a/b/c");
        create_dir_durable(&deep).unwrap();
        assert!(deep.is_dir());
    }
}
