//! Scores the engine on a labelled feedback file the way `triage-score` does through the
//! API, without a server: items analysed in file order, each one a different customer,
//! clusters found through the same band-key look-up (newest few per key) and similarity
//! test the intake uses. For iterating on the pure crate; the API figures come from
//! `../shared/tools/triage-score`.
//!
//! `cargo run --release -p loopdesk-triage --example devscore -- FILE.jsonl [--verbose] [--exclude] [--confusion]`

use loopdesk_core::{CustomerTier, Priority};
use loopdesk_triage::{Engine, Fingerprint, Input, Relation, TrainingSet, Verdict};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

#[derive(Deserialize)]
struct Item {
    text: String,
    category: String,
    priority: String,
    spam: bool,
    abuse: bool,
    cluster: Option<String>,
}

/// Tickets kept per band key (the store's `PER_BAND`).
const PER_BAND: usize = 4;

fn label<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args.first().ok_or("usage: devscore FILE.jsonl [--verbose]")?;
    let verbose = args.iter().any(|a| a == "--verbose");
    let items: Vec<Item> = std::fs::read_to_string(path)?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    // `--exclude`: the file's items are taken out of the embedded training sets first
    // (cross-validation inside the training half).
    let mut set = TrainingSet::embedded()?;
    if args.iter().any(|a| a == "--exclude") {
        set.feedback.retain(|e| !items.iter().any(|it| it.text == e.text));
    }
    // `--outside-weight N`: how many times each outside-labelled training example counts.
    if let Some(w) = args.iter().position(|a| a == "--outside-weight").and_then(|i| args.get(i + 1)) {
        let w: u32 = w.parse()?;
        let outside = loopdesk_triage::training::OUTSIDE_WEIGHT;
        set.feedback.iter_mut().filter(|e| e.weight == outside).for_each(|e| e.weight = w.max(1));
    }
    let mut engine = Engine::trained(&set)?;
    // `--signals FILE` / `--rules FILE`: edited lists or rules without a rebuild.
    if let Some(f) = args.iter().position(|a| a == "--signals").and_then(|i| args.get(i + 1)) {
        let lists = loopdesk_triage::signals::SignalLists::from_json(&std::fs::read_to_string(f)?)?;
        engine = engine.with_signal_lists(&lists)?;
        engine = engine.clone().with_priority_model(Some(engine.train_priority_model(&set)?));
    }
    if let Some(f) = args.iter().position(|a| a == "--rules").and_then(|i| args.get(i + 1)) {
        engine = engine.with_priority_rules(loopdesk_triage::PriorityRules::from_json(&std::fs::read_to_string(f)?)?);
    }
    if let Some(w) = args.iter().position(|a| a == "--rule-weight").and_then(|i| args.get(i + 1)) {
        let mut cfg = engine.config().classify;
        cfg.rule_weight = w.parse()?;
        engine = engine.clone().with_classifier(engine.taxonomy().clone(), engine.category_model().cloned(), cfg)?;
    }
    // `--cat KEY=VALUE,…`: the category model retrained with other settings
    // (nb_weight, l2, epochs, lr, word_bigrams, char_unigrams, char_bigrams, words).
    if let Some(spec) = args.iter().position(|a| a == "--cat").and_then(|i| args.get(i + 1)) {
        let mut cfg = loopdesk_triage::TrainConfig {
            features: loopdesk_triage::segment::FeatureConfig {
                concepts: true,
                ..loopdesk_triage::segment::FeatureConfig::default()
            },
            ..loopdesk_triage::TrainConfig::default()
        };
        for kv in spec.split(',') {
            let (k, v) = kv.split_once('=').ok_or("--cat KEY=VALUE")?;
            match k {
                "nb_weight" => cfg.nb_weight = v.parse()?,
                "nb_alpha" => cfg.nb_alpha = v.parse()?,
                "l2" => cfg.l2 = v.parse()?,
                "epochs" => cfg.epochs = v.parse()?,
                "lr" => cfg.learning_rate = v.parse()?,
                "word_bigrams" => cfg.features.word_bigrams = v.parse()?,
                "char_unigrams" => cfg.features.char_unigrams = v.parse()?,
                "char_bigrams" => cfg.features.char_bigrams = v.parse()?,
                "words" => cfg.features.words = v.parse()?,
                _ => return Err(format!("unknown --cat key {k}").into()),
            }
        }
        let model = engine.train_category_model_with(&set.category_pairs(), &cfg)?;
        let classify = engine.config().classify;
        engine = engine.clone().with_classifier(engine.taxonomy().clone(), Some(model), classify)?;
    }
    if args.iter().any(|a| a == "--rules-only") {
        engine = engine.with_priority_model(None);
    }
    let t0 = Instant::now();
    let analyses: Vec<_> = items.iter().map(|it| engine.analyze(&Input::new(&it.text))).collect();
    let per_s = items.len() as f64 / t0.elapsed().as_secs_f64();

    // Clustering as the intake does it.
    let prints: Vec<Fingerprint> = analyses.iter().map(|a| a.fingerprint()).collect();
    let mut by_key: HashMap<i64, Vec<usize>> = HashMap::new();
    let mut cluster_of: Vec<usize> = (0..items.len()).collect();
    let mut size: HashMap<usize, u32> = HashMap::new();
    let mut priority: Vec<Priority> = Vec::new();
    let mut config = engine.config().cluster;
    if let Some(t) = args.iter().position(|a| a == "--problem-sim").and_then(|i| args.get(i + 1)) {
        config.problem_similarity = t.parse()?;
    }
    for (i, a) in analyses.iter().enumerate() {
        let rejected = a.moderation.verdict == Verdict::Reject;
        let mut best: Option<(f32, usize)> = None;
        if !rejected {
            let mut seen: Vec<usize> = Vec::new();
            for k in &a.band_keys {
                for &j in by_key.get(k).map(Vec::as_slice).unwrap_or(&[]) {
                    if seen.contains(&j) {
                        continue;
                    }
                    seen.push(j);
                    let (sim, relation) = config.relate(&prints[i], &prints[j], false);
                    if relation != Relation::Unrelated && best.is_none_or(|(s, _)| sim > s) {
                        best = Some((sim, j));
                    }
                }
            }
        }
        let n = match best {
            Some((_, j)) => {
                cluster_of[i] = cluster_of[j];
                let s = size.entry(cluster_of[j]).or_insert(1);
                *s += 1;
                *s
            }
            None => 1,
        };
        if !rejected {
            for k in &a.band_keys {
                let v = by_key.entry(*k).or_default();
                v.insert(0, i);
                v.truncate(PER_BAND);
            }
        }
        priority.push(engine.reprioritize(a, CustomerTier::Standard, n).priority);
    }

    let n = items.len() as f64;
    let cat_ok = items.iter().zip(&analyses).filter(|(it, a)| it.category == a.classification.category).count();
    let pri_ok = items.iter().zip(&priority).filter(|(it, p)| it.priority == label(*p)).count();
    let mut conf: BTreeMap<(String, String), usize> = BTreeMap::new();
    for (it, p) in items.iter().zip(&priority) {
        *conf.entry((it.priority.clone(), label(p))).or_default() += 1;
    }
    let hi_low = items
        .iter()
        .zip(&priority)
        .filter(|(it, p)| matches!(it.priority.as_str(), "urgent" | "high") && **p == Priority::Low)
        .count();
    let rejected = |a: &loopdesk_triage::Analysis| a.moderation.verdict == Verdict::Reject;
    let spam_total = items.iter().filter(|it| it.spam).count();
    let spam_caught = items.iter().zip(&analyses).filter(|(it, a)| it.spam && rejected(a)).count();
    let false_rej = items.iter().zip(&analyses).filter(|(it, a)| !it.spam && rejected(a)).count();
    let abuse_total = items.iter().filter(|it| it.abuse).count();
    let abuse_flagged = items
        .iter()
        .zip(&analyses)
        .filter(|(it, a)| {
            it.abuse && a.moderation.reasons.iter().any(|r| r.detail.contains("insult") || r.detail.contains("abus"))
        })
        .count();
    // Clusters.
    let mut gold: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, it) in items.iter().enumerate() {
        if let Some(c) = &it.cluster {
            gold.entry(c).or_default().push(i);
        }
    }
    let mut members: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, c) in cluster_of.iter().enumerate() {
        members.entry(*c).or_default().push(i);
    }
    let mut found = 0;
    for (name, ks) in &gold {
        let groups: Vec<usize> = {
            let mut g: Vec<usize> = ks.iter().map(|k| cluster_of[*k]).collect();
            g.sort();
            g.dedup();
            g
        };
        let outsiders: Vec<usize> = groups
            .iter()
            .flat_map(|g| members[g].iter().copied())
            .filter(|k| items[*k].cluster.as_deref() != Some(name))
            .collect();
        let ok = groups.len() == 1 && outsiders.is_empty();
        found += usize::from(ok);
        if verbose && !ok {
            println!("cluster {name}: {} groups, {} outsiders", groups.len(), outsiders.len());
            for g in &groups {
                for k in &members[g] {
                    println!("   [{g}] {} {}", items[*k].cluster.as_deref() == Some(name), items[*k].text);
                }
            }
        }
    }
    if verbose {
        for g in members.values().filter(|g| g.len() > 1 && g.iter().all(|k| items[*k].cluster.is_none())) {
            println!("spurious group:");
            for k in g {
                println!("   {}", items[*k].text);
            }
        }
    }
    let pairs = |groups: &mut dyn Iterator<Item = &Vec<usize>>| -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for g in groups {
            for (x, a) in g.iter().enumerate() {
                for b in &g[x + 1..] {
                    out.push((*a.min(b), *a.max(b)));
                }
            }
        }
        out
    };
    let gold_pairs = pairs(&mut gold.values());
    let sys_pairs = pairs(&mut members.values());
    let both = gold_pairs.iter().filter(|p| sys_pairs.contains(p)).count();
    if verbose {
        for (it, (a, p)) in items.iter().zip(analyses.iter().zip(&priority)) {
            let wrong_cat = it.category != a.classification.category;
            let wrong_pri = it.priority != label(p);
            let wrong_spam = it.spam != rejected(a);
            if wrong_cat || wrong_pri || wrong_spam {
                println!(
                    "{}{}{} cat {}→{} pri {}→{} spam {} [{}] {}",
                    if wrong_cat { "C" } else { "." },
                    if wrong_pri { "P" } else { "." },
                    if wrong_spam { "S" } else { "." },
                    it.category,
                    a.classification.category,
                    it.priority,
                    label(p),
                    it.spam,
                    a.priority.reasons.join("; "),
                    it.text
                );
            }
        }
    }
    if args.iter().any(|a| a == "--pairs") {
        // For each threshold: same-cluster pairs above it, and other pairs above it.
        for t in [0.3f32, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7] {
            let (mut same, mut other, mut same_all) = (0, 0, 0);
            for i in 0..items.len() {
                for j in i + 1..items.len() {
                    if rejected(&analyses[i]) || rejected(&analyses[j]) {
                        continue;
                    }
                    let (sim, _) = config.relate(&prints[i], &prints[j], false);
                    let gold = items[i].cluster.is_some() && items[i].cluster == items[j].cluster;
                    same_all += usize::from(gold);
                    if sim >= t {
                        if gold {
                            same += 1;
                        } else {
                            other += 1;
                            if t == 0.5 {
                                println!("  false pair {sim:.2}: {} | {}", items[i].text, items[j].text);
                            }
                        }
                    }
                }
            }
            println!("t={t}: same-cluster pairs {same}/{same_all}, other pairs {other}");
        }
    }
    if args.iter().any(|a| a == "--spam") {
        let mut rows: Vec<(String, bool, &str)> = items
            .iter()
            .zip(&analyses)
            .map(|(it, a)| {
                let r: Vec<String> =
                    a.moderation.reasons.iter().map(|r| format!("{} {:?}", r.detail, r.words)).collect();
                (r.join("; "), it.spam, it.text.as_str())
            })
            .filter(|(r, spam, _)| *spam || !r.is_empty())
            .collect();
        rows.sort();
        for (r, spam, text) in rows {
            println!("{} [{r}] {}", if spam { "SPAM" } else { "ham " }, text.chars().take(70).collect::<String>());
        }
    }
    if args.iter().any(|a| a == "--confusion") {
        // Category mistakes as counts only (safe to print for the held-out half).
        let mut cats: BTreeMap<(&str, &str), usize> = BTreeMap::new();
        for (it, a) in items.iter().zip(&analyses).filter(|(it, a)| it.category != a.classification.category) {
            *cats.entry((it.category.as_str(), a.classification.category.as_str())).or_default() += 1;
        }
        let mut rows: Vec<_> = cats.into_iter().collect();
        rows.sort_by_key(|r| std::cmp::Reverse(r.1));
        println!("category mistakes (labelled -> scored): {rows:?}");
    }
    println!("priority confusion (labelled -> scored): {conf:?}");
    println!(
        "items={} category={:.3} priority={:.3} urgent_high_low={hi_low} spam={spam_caught}/{spam_total} \
         false_rejections={false_rej} abuse={abuse_flagged}/{abuse_total} clusters={found}/{} \
         pair_recall={:.3} pair_precision={:.3} analyse_per_s={per_s:.0}",
        items.len(),
        cat_ok as f64 / n,
        pri_ok as f64 / n,
        gold.len(),
        both as f64 / gold_pairs.len().max(1) as f64,
        both as f64 / sys_pairs.len().max(1) as f64,
    );
    Ok(())
}
