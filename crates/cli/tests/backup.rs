//! `loopdesk backup` and `loopdesk restore` with the real binary: a backup taken while
//! customers keep submitting restores into a server that starts and holds every ticket
//! acknowledged before the backup began, with its attachment byte for byte; a damaged
//! archive and a data directory that already has a database are refused, and nothing is
//! put in place. (SQLite: a PostgreSQL installation is backed up with its own tools, which
//! the command says.)

mod common;

use common::{get, sign_in, Node};
use serde_json::{json, Value};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::process::Command;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0\x90wS\xde";

/// The server, with the public form's per-client limit lifted for the load.
async fn serve(data: &Path) -> Node {
    common::start(data, None, &[("LOOPDESK_LIMITS__FEEDBACK_PER_MINUTE", "1000000")]).await
}

/// Runs a `loopdesk` command; returns whether it succeeded and what it printed.
async fn loopdesk(args: &[&str], data: &Path, env: &[(&str, &str)]) -> (bool, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_loopdesk"));
    cmd.arg("--data").arg(data).args(args).env("LOOPDESK_LOG", "warn").env_remove("LOOPDESK_DATABASE_URL");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().await.expect("run loopdesk");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

/// The bytes of a ticket's first attachment, as staff download it.
async fn first_attachment(http: &reqwest::Client, base: &str, cookie: &str, id: i64) -> Vec<u8> {
    let (status, t) = get(http, format!("{base}/api/v1/tickets/{id}"), cookie).await;
    assert_eq!(status, 200, "{t}");
    let location = t["ticket"]["attachments"][0]["location"].as_str().unwrap_or_else(|| panic!("no attachment: {t}"));
    let r = http.get(format!("{base}{location}")).header("cookie", cookie).send().await.expect("attachment");
    assert_eq!(r.status(), 200);
    r.bytes().await.expect("bytes").to_vec()
}

#[tokio::test]
async fn a_backup_under_load_restores_every_acknowledged_ticket_and_refuses_damage() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (data, restored, archive) =
        (dir.path().join("data"), dir.path().join("restored"), dir.path().join("b.tar.zst"));
    let mut server = serve(&data).await;
    let base = server.base.clone();
    let password = server.password.clone().expect("first start prints the admin password");
    let http = reqwest::Client::new();

    // A ticket with a file, through the public form.
    let boundary = "loopdesk-backup-test";
    let feedback =
        json!({"content": "扫地机器人不充电，照片见附件。", "customer": {"phone": "13800138009"}}).to_string();
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"feedback\"\r\nContent-Type: application/json\r\n\r\n{feedback}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"attachment\"; filename=\"photo.png\"\r\nContent-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(PNG);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let r = http
        .post(format!("{base}/api/v1/feedback"))
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(body)
        .send()
        .await
        .expect("submit");
    assert_eq!(r.status(), 201);
    let with_file = r.json::<Value>().await.expect("json")["id"].as_i64().expect("id");
    let cookie = sign_in(&http, &base, &password).await;
    let original = first_attachment(&http, &base, &cookie, with_file).await;
    assert_eq!(original, PNG);

    // Customers keep submitting while the backup runs; each 201 is noted with its time.
    let stop = Arc::new(AtomicBool::new(false));
    let acked: Arc<Mutex<Vec<(Instant, i64, String)>>> = Arc::default();
    let mut load = Vec::new();
    for client in 0..4 {
        let (http, base, stop, acked) = (http.clone(), base.clone(), stop.clone(), acked.clone());
        load.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let body = json!({"content": format!("第{client}-{n}台洗衣机漏水"), "customer": {"phone": format!("139{client:02}{n:06}")}});
                let Ok(r) = http.post(format!("{base}/api/v1/feedback")).json(&body).send().await else { continue };
                if r.status() == 201 {
                    let v: Value = r.json().await.expect("json");
                    let entry = (Instant::now(), v["id"].as_i64().expect("id"), v["tracking_no"].as_str().expect("no").to_string());
                    acked.lock().expect("lock").push(entry);
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(800)).await;
    let began = Instant::now();
    let (ok, said) = loopdesk(&["backup", "--to", archive.to_str().expect("path")], &data, &[]).await;
    assert!(ok, "backup failed: {said}");
    assert!(said.contains("backup written to"), "{said}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    for t in load {
        t.await.expect("load task");
    }
    let before: Vec<(i64, String)> = acked
        .lock()
        .expect("lock")
        .iter()
        .filter(|(at, _, _)| *at < began)
        .map(|(_, id, no)| (*id, no.clone()))
        .collect();
    let after = acked.lock().expect("lock").len() - before.len();
    assert!(before.len() >= 20 && after > 0, "load before ({}) and during/after ({after}) the backup", before.len());
    // A second backup never overwrites the first.
    let (ok, said) = loopdesk(&["backup", "--to", archive.to_str().expect("path")], &data, &[]).await;
    assert!(!ok && said.contains("already exists"), "{said}");
    server.child.kill().await.expect("stop server");

    // Restored into an empty directory: the server starts on it and has every ticket
    // acknowledged before the backup began, and the file byte for byte.
    let (ok, said) = loopdesk(&["restore", "--from", archive.to_str().expect("path")], &restored, &[]).await;
    assert!(ok, "restore failed: {said}");
    let (ok, said) = loopdesk(&["restore", "--from", archive.to_str().expect("path")], &restored, &[]).await;
    assert!(!ok && said.contains("already holds a database"), "a restore never overwrites: {said}");
    let server = serve(&restored).await;
    let base = server.base.clone();
    assert!(server.password.is_none(), "the restored database has its administrator");
    let cookie = sign_in(&http, &base, &password).await;
    for (id, tracking_no) in &before {
        let (status, t) = get(&http, format!("{base}/api/v1/tickets/{id}"), &cookie).await;
        assert_eq!(status, 200, "ticket {tracking_no} acknowledged before the backup is missing");
        assert_eq!(t["ticket"]["tracking_no"], tracking_no.as_str());
    }
    assert_eq!(first_attachment(&http, &base, &cookie, with_file).await, original);

    // A damaged archive is refused and nothing is put in place.
    let mut bytes = std::fs::read(&archive).expect("read archive");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x5a;
    let damaged = dir.path().join("damaged.tar.zst");
    std::fs::write(&damaged, bytes).expect("write");
    let elsewhere = dir.path().join("elsewhere");
    let (ok, said) = loopdesk(&["restore", "--from", damaged.to_str().expect("path")], &elsewhere, &[]).await;
    assert!(!ok, "a damaged archive must be refused: {said}");
    assert!(!elsewhere.join("loopdesk.db").exists());

    // PostgreSQL installations are pointed at their own tools.
    let pg = [("LOOPDESK_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/none")];
    let (ok, said) =
        loopdesk(&["backup", "--to", dir.path().join("pg.tar.zst").to_str().expect("path")], &data, &pg).await;
    assert!(!ok && said.contains("pg_dump"), "{said}");
}
