//! The layers stay apart (DESIGN.md "Architecture"): core, triage and channels do no IO;
//! the store and this application crate know no HTTP server; the server reaches the
//! database only through this crate, which gives it read access and nothing else. Checked
//! on the declared dependencies (`cargo metadata`) and on the server's sources.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn metadata() -> Value {
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--no-deps", "--format-version", "1", "--offline"])
        .current_dir(workspace())
        .output()
        .expect("run cargo metadata");
    assert!(out.status.success(), "cargo metadata: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("cargo metadata JSON")
}

/// The normal (not dev or build) dependencies of a workspace crate: (name, features).
fn dependencies(meta: &Value, krate: &str) -> Vec<(String, Vec<String>)> {
    let package = meta["packages"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == krate))
        .unwrap_or_else(|| panic!("no crate {krate} in the workspace"));
    package["dependencies"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["kind"].is_null())
        .map(|d| {
            let features = d["features"].as_array().into_iter().flatten().filter_map(|f| f.as_str()).map(String::from);
            (d["name"].as_str().unwrap_or_default().to_string(), features.collect())
        })
        .collect()
}

fn forbid(meta: &Value, krate: &str, forbidden: &[&str], why: &str) {
    let bad: Vec<String> =
        dependencies(meta, krate).into_iter().map(|(n, _)| n).filter(|n| forbidden.contains(&n.as_str())).collect();
    assert!(bad.is_empty(), "{krate} depends on {bad:?}, but {why}");
}

const HTTP_SERVER: &[&str] = &["axum", "axum-core", "axum-extra", "hyper", "http", "http-body", "tower", "tower-http"];
const IO: &[&str] = &["tokio", "sqlx", "reqwest", "async-imap", "axum", "hyper", "tokio-rustls"];

#[test]
fn the_crate_graph_points_one_way() {
    let meta = metadata();
    for pure in ["loopdesk-core", "loopdesk-triage", "loopdesk-channels"] {
        forbid(&meta, pure, IO, "it is pure: no IO");
        // lettre builds messages (pure) or sends them (IO): only its builder may be used.
        if let Some((_, features)) = dependencies(&meta, pure).into_iter().find(|(n, _)| n == "lettre") {
            assert!(features == ["builder"], "{pure} uses lettre with {features:?}; only its message builder is pure");
        }
    }
    forbid(&meta, "loopdesk-store", HTTP_SERVER, "the store knows no HTTP");
    forbid(&meta, "loopdesk-app", HTTP_SERVER, "the application crate knows no HTTP server");
    forbid(
        &meta,
        "loopdesk-server",
        &["loopdesk-store", "sqlx"],
        "the server reaches the database through loopdesk-app",
    );
    let app = dependencies(&meta, "loopdesk-server").into_iter().find(|(n, _)| n == "loopdesk-app");
    let (_, features) = app.expect("the server depends on loopdesk-app");
    assert!(
        !features.iter().any(|f| f == "direct-store" || f == "testing"),
        "the server must not enable direct store access on loopdesk-app: {features:?}"
    );
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn server_code_never_writes_to_the_store() {
    let mut files = Vec::new();
    rust_files(&workspace().join("crates/server/src"), &mut files);
    assert!(files.len() > 20, "found the server's sources");
    // `App::store()` is the maintenance tools' door (feature `direct-store`); the server
    // gets `App::read()`, whose type has no writing method.
    let forbidden = [".store()", "Store::connect", "loopdesk_store", "direct-store", ".store."];
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read source");
        for (n, line) in text.lines().enumerate() {
            for word in forbidden {
                assert!(!line.contains(word), "{}:{}: `{word}` in server code: {line}", f.display(), n + 1);
            }
        }
    }
}
