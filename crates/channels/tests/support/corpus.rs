//! Locating and loading the SpamAssassin corpus fetched by scripts/fetch-spamassassin.sh.

use std::path::PathBuf;

/// The corpus folder: `LOOPDESK_SPAMASSASSIN_DIR`, else the fetch script's default.
pub fn dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("LOOPDESK_SPAMASSASSIN_DIR") {
        return PathBuf::from(dir);
    }
    let cache = std::env::var_os("LOOPDESK_CACHE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/loopdesk")))
        .unwrap_or_else(|| PathBuf::from(".cache/loopdesk"));
    cache.join("spam-assassin/package/data")
}

/// Every raw message of the corpus (the `*.txt` files of each sub-folder), sorted by path.
pub fn load() -> Option<Vec<(PathBuf, Vec<u8>)>> {
    let root = dir();
    let mut files = Vec::new();
    for folder in std::fs::read_dir(&root).ok()?.flatten() {
        if !folder.path().is_dir() {
            continue;
        }
        for entry in std::fs::read_dir(folder.path()).ok()?.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "txt") {
                files.push(path);
            }
        }
    }
    files.sort();
    let messages: Vec<_> = files.into_iter().filter_map(|p| std::fs::read(&p).ok().map(|bytes| (p, bytes))).collect();
    (!messages.is_empty()).then_some(messages)
}
