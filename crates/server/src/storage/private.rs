//! The SQLite database holds accounts, sessions and tickets: on disk it is
//! readable by the server's own user alone. The data folder is made 0700 when
//! the server creates it; the database file is created 0600 before SQLite
//! opens it, and SQLite gives its `-wal` and `-shm` files the mode of the
//! database file. Files of an earlier version, left world-readable, are
//! tightened at every start.

use std::path::{Path, PathBuf};

/// Prepares the folder and the files of the SQLite database `file`.
pub fn prepare(file: &Path) -> std::io::Result<()> {
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        if !dir.exists() {
            create_dir(dir)?;
        }
    }
    create_file(file)?;
    for path in [
        file.to_path_buf(),
        sibling(file, "-wal"),
        sibling(file, "-shm"),
    ] {
        if path.exists() {
            restrict(&path)?;
        }
    }
    Ok(())
}

fn sibling(file: &Path, suffix: &str) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

#[cfg(unix)]
fn create_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

/// Creates the (empty) database file if it is missing; SQLite takes an
/// empty file for a new database.
#[cfg(unix)]
fn create_file(file: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(file)
    {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(not(unix))]
fn create_file(_file: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(unix)]
fn restrict(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
}

#[cfg(not(unix))]
fn restrict(_path: &Path) -> std::io::Result<()> {
    Ok(())
}
