//! The start-up check that the data dir can be created and written.
//!
//! Owns turning a missing permission or a full disk into one error naming the path,
//! before any listener is bound. It must not create anything but the dir itself.

use std::io::Write;
use std::path::Path;

use super::ConfigError;

/// Creates `data_dir` when missing and proves a file can be written and removed in it.
///
/// Blocking: call it before the runtime starts serving, or on the blocking pool.
pub fn check_data_dir(data_dir: &Path) -> Result<(), ConfigError> {
    let fail = |problem: String| ConfigError::DataDir {
        path: data_dir.to_owned(),
        problem,
    };
    std::fs::create_dir_all(data_dir).map_err(|e| fail(format!("cannot create: {e}")))?;
    let probe = data_dir.join(format!(".postamt-write-check-{}", std::process::id()));
    let written = std::fs::File::create(&probe)
        .and_then(|mut file| file.write_all(b"postamt").and_then(|()| file.sync_all()));
    let removed = std::fs::remove_file(&probe);
    written.map_err(|e| fail(format!("cannot write: {e}")))?;
    removed.map_err(|e| fail(format!("cannot remove a file: {e}")))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_missing_dir_and_leaves_it_empty() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("a/b");
        check_data_dir(&dir).unwrap();
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
    }

    #[test]
    fn unusable_dir_error_names_the_path() {
        let root = tempfile::tempdir().unwrap();
        let blocker = root.path().join("file");
        std::fs::write(&blocker, b"x").unwrap();
        let dir = blocker.join("data");
        let error = check_data_dir(&dir).unwrap_err().to_string();
        assert!(error.contains(&dir.display().to_string()), "{error}");
    }
}
