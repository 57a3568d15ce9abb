//! Reading the files a user names, within bounds: every scenario, data,
//! observed-figure, posterior and result file goes through [`read`], which
//! refuses what is not a regular file (a device such as `/dev/zero`, a
//! pipe, a folder) before reading a byte, and stops at a size cap instead
//! of reading until memory runs out.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// The most bytes of a scenario file: the shipped one is 60 KB.
pub const SCENARIO_BYTES: u64 = 8 << 20;

/// The most bytes of any other input file (data, observed figures,
/// posteriors, results read back): the shipped regions file is 12 KB, a
/// posterior of 100,000 particles about 30 MB.
pub const DATA_BYTES: u64 = 256 << 20;

/// Reads the file at `path`, of at most `cap` bytes. The errors say in
/// words what is wrong: not a regular file, or larger than the cap.
///
/// The file's type is checked before it is opened (opening a named pipe
/// waits for a writer, for ever), and again on what was opened, without
/// waiting, in case the path changed in between.
pub fn read(path: &Path, cap: u64) -> io::Result<Vec<u8>> {
    regular(&std::fs::metadata(path)?.file_type())?;
    let file = open_without_waiting(path)?;
    regular(&file.metadata()?.file_type())?;
    let mut bytes = Vec::new();
    file.take(cap + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "it is larger than the {} MiB such a file may be; is it the right file?",
                cap >> 20
            ),
        ));
    }
    Ok(bytes)
}

/// Refuses what is not a regular file, saying what it is.
fn regular(kind: &std::fs::FileType) -> io::Result<()> {
    if kind.is_file() {
        return Ok(());
    }
    let what = if kind.is_dir() {
        "a folder"
    } else {
        "a device, pipe or socket"
    };
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("it is {what}, not a regular file"),
    ))
}

/// Opens `path` to read; a named pipe put there since it was checked is
/// opened without waiting for a writer (reads of a regular file are the
/// same either way).
fn open_without_waiting(path: &Path) -> io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // `O_NONBLOCK` is a small positive flag on every Unix.
        options.custom_flags(i32::try_from(rustix::fs::OFlags::NONBLOCK.bits()).unwrap_or(0));
    }
    options.open(path)
}

/// Why `dir`, named as a folder of results to read, is not one it could
/// be: it does not exist, or it is a file. `None` when it is a folder.
pub fn not_a_folder(dir: &Path) -> Option<&'static str> {
    match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => None,
        Ok(_) => Some("is a file, not a folder of results"),
        Err(_) => Some("does not exist"),
    }
}

/// [`read`] as UTF-8 text.
pub fn read_text(path: &Path, cap: u64) -> io::Result<String> {
    String::from_utf8(read(path, cap)?).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("it is not valid UTF-8 text ({e}); save it as UTF-8"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_folders_and_oversized_files_are_refused_before_they_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let folder = read(dir.path(), 10).unwrap_err();
        assert!(folder.to_string().contains("a folder"), "{folder}");
        let zero = read(Path::new("/dev/zero"), 10).unwrap_err();
        assert!(zero.to_string().contains("not a regular file"), "{zero}");
        // A named pipe with no writer: refused at once, not waited on.
        let fifo = dir.path().join("s.toml");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let pipe = read(&fifo, 10).unwrap_err();
            assert!(
                pipe.to_string().contains("a device, pipe or socket"),
                "{pipe}"
            );
        }
        let path = dir.path().join("big.csv");
        std::fs::write(&path, vec![b'x'; 11]).unwrap();
        let big = read(&path, 10).unwrap_err();
        assert!(big.to_string().contains("larger than"), "{big}");
        assert_eq!(
            read(&path, 11).unwrap().len(),
            11,
            "a file at the cap is read"
        );
    }
}
