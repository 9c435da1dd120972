//! What a demo run made, printed at the end (and as progress on stderr on long runs).

use super::people::{Staff, DEMO_PASSWORD};
use super::Batch;
use loopdesk_core::{Role, State};
use std::fmt;
use std::time::Duration;

/// What was generated.
#[derive(Debug, Default)]
pub struct DemoReport {
    /// Tickets written.
    pub tickets: usize,
    /// Timeline events written.
    pub events: usize,
    /// Tickets asked for.
    pub planned: usize,
    /// Tickets per state, in `State::ALL` order.
    pub by_state: [usize; 10],
    /// Tickets per language: simplified Chinese, English, traditional, mixed.
    pub languages: [usize; 4],
    /// Demo accounts: username, display name, role.
    pub accounts: Vec<(String, String, Role)>,
    /// Accounts this run created.
    pub accounts_created: usize,
    pub elapsed: Duration,
}

impl DemoReport {
    /// An empty report for a run of `planned` tickets with these accounts.
    pub fn new(staff: &Staff, planned: usize) -> DemoReport {
        DemoReport {
            planned,
            accounts: staff.accounts.clone(),
            accounts_created: staff.created,
            ..DemoReport::default()
        }
    }

    /// Adds a written batch.
    pub fn count(&mut self, batch: &Batch) {
        self.tickets += batch.len();
        for (ticket, events) in batch {
            self.events += events.len();
            if let Some(i) = State::ALL.iter().position(|s| *s == ticket.state) {
                self.by_state[i] += 1;
            }
        }
    }

    /// Prints progress to stderr.
    pub fn progress(&self, elapsed: Duration) {
        let rate = self.tickets as f64 / elapsed.as_secs_f64().max(0.001);
        eprintln!("demo: {}/{} tickets written ({:.0} tickets/s, {:.0?})", self.tickets, self.planned, rate, elapsed);
    }

    /// Records the totals known only at the end.
    pub fn finish(&mut self, languages: [usize; 4], elapsed: Duration) {
        self.languages = languages;
        self.elapsed = elapsed;
    }
}

impl fmt::Display for DemoReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Added {} demo tickets with {} timeline events in {:.1} s.",
            self.tickets,
            self.events,
            self.elapsed.as_secs_f64()
        )?;
        let states: Vec<String> = State::ALL.iter().zip(self.by_state).map(|(s, n)| format!("{s} {n}")).collect();
        writeln!(f, "  by state: {}", states.join(", "))?;
        let [zh, en, hant, mixed] = self.languages;
        writeln!(f, "  languages: {zh} Chinese, {en} English, {hant} traditional Chinese, {mixed} mixed")?;
        writeln!(f, "Demo accounts ({} new), all with the password {DEMO_PASSWORD}:", self.accounts_created)?;
        for (username, name, role) in &self.accounts {
            writeln!(f, "  {username:<16} {name}  ({role})")?;
        }
        Ok(())
    }
}
