//! The generator: for each reserved id, decides when the feedback came, through which
//! channel, about what, in which language and how far its life has got, then builds it.

use super::catalog::{Dept, SPAM_CATEGORY};
use super::customers::customer;
use super::draft::{self, Fill, Topic};
use super::lifecycle::Walk;
use super::mix::{self, Forced};
use super::paths::{walk_to, Shortcut};
use super::people::Staff;
use super::replies;
use super::text::{self, pick, pick_ref, Lang};
use super::timing::Period;
use loopdesk_core::{
    Actor, Channel, Customer, CustomerTier, Event, State, Ticket, TicketId, Timestamp, TrackingNo, TriageSummary,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::HashMap;

/// How many earlier tickets a duplicate may point back to.
const RECENT: usize = 64;

/// Everything decided about a ticket before its text is written.
struct Plan {
    received: Timestamp,
    channel: Channel,
    topic: Topic,
    customer: Customer,
    /// Said before the core sentence (a duplicate's "sending this again").
    prefix: &'static str,
    core: &'static str,
    state: State,
    shortcut: Shortcut,
}

/// A ticket a later duplicate of the same customer can be merged into.
struct Original {
    id: TicketId,
    customer: Customer,
    topic: Topic,
    received_at: Timestamp,
}

/// Builds demo tickets one after another; all state lives here so batches can be generated
/// on a blocking thread while the previous batch is written.
pub struct Generator {
    rng: StdRng,
    staff: Staff,
    now: Timestamp,
    period: Period,
    index: usize,
    recent: Vec<Original>,
    /// Tickets per language, in `Lang` order.
    langs: [usize; 4],
    /// Problem clusters so far: the ticket that started each and how many reported it.
    clusters: HashMap<ClusterKey, (TicketId, u32)>,
}

/// What makes reports one problem in the demo: category, sub-tag and device, in one week.
type ClusterKey = (usize, usize, Option<usize>, i64);

impl Generator {
    /// A generator of `total` tickets received over the `days` before `now`.
    pub fn new(seed: u64, staff: Staff, now: Timestamp, total: usize, days: i64) -> Generator {
        let period = Period::new(now, days, total);
        Generator {
            rng: StdRng::seed_from_u64(seed),
            staff,
            now: period.now,
            period,
            index: 0,
            recent: Vec::with_capacity(RECENT),
            langs: [0; 4],
            clusters: HashMap::new(),
        }
    }

    /// Tickets generated so far per language: simplified, English, traditional, mixed.
    pub fn languages(&self) -> [usize; 4] {
        self.langs
    }

    /// Builds the tickets for `ids`, in order.
    pub fn batch(&mut self, ids: &[i64]) -> anyhow::Result<Vec<(Ticket, Vec<Event>)>> {
        ids.iter().map(|&id| self.ticket(TicketId(id))).collect()
    }

    fn ticket(&mut self, id: TicketId) -> anyhow::Result<(Ticket, Vec<Event>)> {
        let i = self.index;
        self.index += 1;
        let forced = Forced::for_index(i);
        let received = self.period.received_at(&mut self.rng, i);
        let age_hours = (self.now - received).num_hours();
        let mut state = forced.state.unwrap_or_else(|| mix::state_for_age(&mut self.rng, age_hours));
        if state == State::Merged && self.recent.is_empty() {
            state = State::Closed;
        }
        match state {
            State::Rejected => self.spam(id, received, &forced),
            State::Merged => {
                let plan = self.duplicate(received, &forced);
                self.build(id, plan, &forced)
            }
            _ => {
                let plan = self.fresh(received, state, &forced);
                self.build(id, plan, &forced)
            }
        }
    }

    /// A new feedback about a fresh topic.
    fn fresh(&mut self, received: Timestamp, state: State, forced: &Forced) -> Plan {
        let rng = &mut self.rng;
        let (topic, core) = mix::topic(rng, forced);
        let channel = forced.channel.unwrap_or_else(|| mix::channel(rng, topic.lang));
        let wants_address = matches!(topic.category().dept, Dept::AfterSales | Dept::Logistics);
        let mut customer = customer(rng, topic.lang, channel, wants_address);
        if forced.category.is_some() {
            // The forced priorities must come out exactly: no raise for the tier.
            customer.tier = CustomerTier::Standard;
        }
        Plan { received, channel, topic, customer, prefix: "", core, state, shortcut: Shortcut::None }
    }

    /// The same customer again about an earlier ticket's topic, to be merged into it.
    fn duplicate(&mut self, received: Timestamp, forced: &Forced) -> Plan {
        let rng = &mut self.rng;
        let original = &self.recent[rng.gen_range(0..self.recent.len())];
        let received = received.max(original.received_at + chrono::Duration::minutes(20)).min(self.now);
        let (zh, en) = replies::DUPLICATE_PREFIX;
        let topic = original.topic;
        let channel = forced.channel.unwrap_or_else(|| mix::channel(rng, topic.lang));
        Plan {
            received,
            channel,
            topic,
            customer: original.customer.clone(),
            prefix: if topic.lang.is_en() { en } else { zh },
            core: draft::core_template(rng, &topic),
            state: State::Merged,
            shortcut: Shortcut::MergeInto(original.id),
        }
    }

    fn build(&mut self, id: TicketId, plan: Plan, forced: &Forced) -> anyhow::Result<(Ticket, Vec<Event>)> {
        let Plan { received, channel, topic, customer, prefix, core, state, shortcut } = plan;
        self.langs[topic.lang as usize] += 1;
        let rng = &mut self.rng;
        let fill = Fill::draw(rng, topic.product(), topic.lang, received);
        let when = text::when(rng, topic.lang);
        let slots = fill.slots(when);
        let cues = mix::cues(rng, &topic, forced);
        let mut content = String::from(prefix);
        content.push_str(&draft::compose(rng, &topic, &cues, core, &slots));
        let recorded = self.period.recorded_at(&mut self.rng, channel, received);
        let mut t = Ticket::draft(channel, content, customer, received, recorded);
        t.id = id;
        t.tracking_no = TrackingNo::new(id, received);
        let rng = &mut self.rng;
        t.product = draft::product_info(rng, &topic, &fill, core, received);
        if channel == Channel::Email {
            t.subject = Some(draft::subject(rng, topic.lang, &slots));
        }
        if matches!(channel, Channel::App | Channel::Wechat | Channel::Email) && rng.gen_ratio(1, 12) {
            t.attachments.push(draft::attachment(rng, id.0, received));
        }
        draft::triage(&mut t, rng, &topic, &cues);
        self.cluster(&mut t, &topic);
        if state != State::Merged {
            self.remember(&t, topic);
        }
        self.walk(t, &fill, &topic, state, shortcut)
    }

    /// Spam or out-of-scope text, rejected.
    fn spam(&mut self, id: TicketId, received: Timestamp, forced: &Forced) -> anyhow::Result<(Ticket, Vec<Event>)> {
        let rng = &mut self.rng;
        let (text, reason) = pick(rng, replies::SPAM);
        let lang = if text.is_ascii() { Lang::En } else { Lang::Zh };
        self.langs[lang as usize] += 1;
        let topic = Topic { lang, category: SPAM_CATEGORY, subtag: 1, device: None };
        let fill = Fill::draw(rng, topic.product(), lang, received);
        let content = text::rendered(text, &fill.slots(""));
        let channel = forced.channel.unwrap_or_else(|| mix::channel(rng, lang));
        let c = customer(rng, lang, channel, false);
        let recorded = self.period.recorded_at(&mut self.rng, channel, received);
        let mut t = Ticket::draft(channel, content, c, received, recorded);
        t.id = id;
        t.tracking_no = TrackingNo::new(id, received);
        draft::triage(&mut t, &mut self.rng, &topic, &[]);
        let reject = Shortcut::Reject(reason.to_string());
        self.walk(t, &fill, &topic, State::Rejected, reject)
    }

    /// Records the ticket (by the customer, or by staff for calls and visits) and walks it
    /// to `state`.
    fn walk(
        &mut self,
        draft: Ticket,
        fill: &Fill,
        topic: &Topic,
        state: State,
        shortcut: Shortcut,
    ) -> anyhow::Result<(Ticket, Vec<Event>)> {
        let dept = topic.category().dept;
        let actor = if draft.channel.is_staff_entered() {
            let desk = if draft.channel == Channel::Phone { Dept::Service } else { dept };
            pick_ref(&mut self.rng, &self.staff.agents[desk.index()]).actor()
        } else {
            Actor::Customer
        };
        let mut walk = Walk::start(&mut self.rng, &self.staff, fill, self.now, draft, actor, topic);
        walk_to(&mut walk, state, shortcut)?;
        Ok(walk.finish())
    }

    /// Puts the ticket in its problem cluster as intake would have (the triage summary that
    /// names it), so the dashboard's top problems and the cluster figures have something to
    /// show: reports of one sub-topic in one week share the cluster of the first of them.
    fn cluster(&mut self, t: &mut Ticket, topic: &Topic) {
        let week = t.recorded_at.timestamp().div_euclid(7 * 86_400);
        let (first, size) =
            self.clusters.entry((topic.category, topic.subtag, topic.device, week)).or_insert((t.id, 0));
        *size += 1;
        t.triage = Some(TriageSummary {
            language: if topic.lang.is_en() { "en" } else { "zh" }.into(),
            confidence: 0.9,
            moderation: "accept".into(),
            rules_version: 1,
            cluster_id: (*first != t.id).then_some(first.0),
            cluster_size: *size,
            ..TriageSummary::default()
        });
    }

    fn remember(&mut self, t: &Ticket, topic: Topic) {
        let original = Original { id: t.id, customer: t.customer.clone(), topic, received_at: t.received_at };
        if self.recent.len() < RECENT {
            self.recent.push(original);
        } else {
            let slot = self.index % RECENT;
            self.recent[slot] = original;
        }
    }
}
