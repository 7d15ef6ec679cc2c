//! The engine: the one task that owns every device's state. It takes everything queued,
//! stores the messages and what the rules made of them in one transaction, answers only after
//! the commit, opens the cases of new alarms, and runs the timer rules from a heap of due times.

use super::registry::Registry;
use super::{millis, Job, Queued, MAX_FLUSH, STATE_LAG_MS};
use crate::cases::Cases;
use crate::storage::iot::{DeviceRecord, Evaluated, NewAlarm, StoredMessage};
use crate::storage::Store;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet, VecDeque};
use std::sync::{Arc, RwLock};
use tokio::sync::{mpsc, watch};
use zhizhi_shared::iot::{self, Change, Rule};

/// The engine: owns the state of every device.
pub(super) struct Engine {
    pub(super) store: Arc<dyn Store>,
    pub(super) cases: Arc<Cases>,
    pub(super) registry: Arc<RwLock<Registry>>,
    /// (due time, device index); stale entries are skipped when popped.
    pub(super) timers: BinaryHeap<Reverse<(i64, usize)>>,
    /// Whether the registry was loaded once (see [`Engine::load`]).
    pub(super) loaded: bool,
}

/// A raised alarm waiting for its id.
struct Raised {
    dev: usize,
    rule: Rule,
    detail: String,
}

impl Engine {
    pub(super) async fn run(mut self, mut rx: mpsc::UnboundedReceiver<Job>, ready: Arc<watch::Sender<bool>>) {
        loop {
            match self.load(None).await {
                Ok(()) => break,
                Err(e) => {
                    tracing::error!(error = %e, "cannot load the device registry; retrying in 5 s");
                    tokio::time::sleep(std::time::Duration::from_secs(5)).await;
                }
            }
        }
        let _ = ready.send(true);
        self.recover().await;
        // Jobs waiting: urgent ones (possible alarms, registry changes) go first; everyday
        // traffic is taken in transactions of about MAX_FLUSH messages.
        let mut urgent: Vec<Job> = Vec::new();
        let mut backlog: VecDeque<Job> = VecDeque::new();
        let mut last_save = std::time::Instant::now();
        let take = |j: Job, urgent: &mut Vec<Job>, backlog: &mut VecDeque<Job>| match &j {
            Job::Messages { urgent: false, .. } => backlog.push_back(j),
            _ => urgent.push(j),
        };
        loop {
            while let Ok(j) = rx.try_recv() {
                take(j, &mut urgent, &mut backlog);
            }
            if self.timers.peek().is_some_and(|Reverse((t, _))| *t <= millis()) {
                self.run_timers().await;
            }
            if last_save.elapsed() >= std::time::Duration::from_millis(STATE_LAG_MS as u64) {
                self.save_dirty().await;
                last_save = std::time::Instant::now();
            }
            if !urgent.is_empty() {
                self.handle(std::mem::take(&mut urgent)).await;
                continue;
            }
            if !backlog.is_empty() {
                let mut jobs = Vec::new();
                let mut count = 0;
                while let Some(j) = backlog.pop_front() {
                    if let Job::Messages { msgs, .. } = &j {
                        count += msgs.len();
                    }
                    jobs.push(j);
                    if count >= MAX_FLUSH {
                        break;
                    }
                }
                self.handle(jobs).await;
                continue;
            }
            let next = self.timers.peek().map(|Reverse((t, _))| *t);
            crate::metrics::timers(self.timers.len(), next.map_or(0, |t| millis() - t));
            let wait = match next {
                Some(t) => (t - millis()).clamp(0, STATE_LAG_MS),
                None => STATE_LAG_MS,
            };
            tokio::select! {
                job = rx.recv() => match job {
                    Some(j) => take(j, &mut urgent, &mut backlog),
                    None => return,
                },
                _ = tokio::time::sleep(std::time::Duration::from_millis(wait as u64)) => {}
            }
        }
    }

    /// Reads the registry (or one device) from the store and schedules its timers.
    async fn load(&mut self, id: Option<i64>) -> crate::storage::Result<()> {
        let records = self.store.device_records(id).await?;
        let now = millis();
        // The engine's first load takes every device's state as stored, even where the
        // registry already holds one (a copy taking the engine over kept its registry, read
        // for its pages, until now).
        let first = !self.loaded;
        self.loaded = true;
        let mut reg = self.registry.write().expect("registry lock");
        for mut rec in records {
            let stored = first || !reg.by_id.contains_key(&rec.id);
            if stored {
                // Saved up to STATE_LAG_MS late: assume the latest it could have been heard.
                rec.state.last_heard = rec.state.last_heard.map(|h| (h + STATE_LAG_MS).min(now));
            }
            let state = first.then(|| rec.state.clone());
            let i = reg.put(rec);
            if let Some(state) = state {
                let dev = &mut reg.devices[i];
                dev.saved_heard = state.last_heard;
                dev.rec.state = state;
                dev.dirty = false;
            }
            if let Some(t) = iot::next_check(&reg.devices[i].watch(), &reg.devices[i].rec.state) {
                self.timers.push(Reverse((t, i)));
            }
        }
        Ok(())
    }

    /// Opens the cases of alarms raised just before a crash.
    async fn recover(&self) {
        match self.store.alarms_without_case().await {
            Ok(alarms) => {
                for a in alarms {
                    let rec = self.registry.read().expect("registry lock").by_id(a.device_id).map(|d| d.rec.clone());
                    if let Some(rec) = rec {
                        self.open_case(a.id, &rec, a.rule, &a.detail).await;
                    }
                }
            }
            Err(e) => tracing::error!(error = %e, "cannot read alarms without a case"),
        }
    }

    async fn handle(&mut self, jobs: Vec<Job>) {
        let mut batches = Vec::new();
        for job in jobs {
            match job {
                Job::Messages { msgs, reply, .. } => batches.push((msgs, reply)),
                Job::Reload { id, reply } => {
                    if let Err(e) = self.load(id).await {
                        tracing::error!(error = %e, "cannot reload devices");
                    }
                    let _ = reply.send(());
                }
            }
        }
        if batches.is_empty() {
            return;
        }
        // Within one flush a key seen twice is a duplicate of its first appearance.
        let mut seen: HashSet<(i64, &str)> = HashSet::new();
        let mut first: Vec<Vec<bool>> = Vec::with_capacity(batches.len());
        let mut msgs: Vec<&Queued> = Vec::new();
        for (b, _) in &batches {
            first.push(b.iter().map(|q| seen.insert((q.msg.device_id, q.msg.msg_id.as_str()))).collect());
            msgs.extend(b.iter().zip(first.last().unwrap()).filter(|(_, f)| **f).map(|(q, _)| q));
        }
        let stored: Vec<StoredMessage> = msgs.iter().map(|q| q.msg.clone()).collect();
        let now = millis();
        let registry = self.registry.clone();
        let mut undo: HashMap<usize, iot::DeviceState> = HashMap::new();
        let mut raised: Vec<Raised> = Vec::new();
        let mut touched: Vec<usize> = Vec::new();
        let mut saved: Vec<usize> = Vec::new();
        let result = {
            let mut eval = |new: &[bool]| {
                let mut reg = registry.write().expect("registry lock");
                let mut e = Evaluated::default();
                let mut save: HashSet<usize> = HashSet::new();
                for (q, _) in msgs.iter().zip(new).filter(|(_, n)| **n) {
                    let dev = &mut reg.devices[q.dev];
                    let w = dev.watch();
                    undo.entry(q.dev).or_insert_with(|| dev.rec.state.clone());
                    let s = &dev.rec.state;
                    let before = (s.last_open, s.smoke, s.ai_seen.clone(), s.first_ts);
                    let changes = iot::apply(&w, &mut dev.rec.state, &q.parsed, q.msg.ts, now);
                    let s = &dev.rec.state;
                    let heard_lag = s.last_heard.unwrap_or(0) - dev.saved_heard.unwrap_or(0);
                    if !changes.is_empty() || before != (s.last_open, s.smoke, s.ai_seen.clone(), s.first_ts) || heard_lag > STATE_LAG_MS {
                        save.insert(q.dev);
                    }
                    dev.dirty = true;
                    record(&mut e, &mut raised, q.dev, dev.rec.id, changes, now);
                }
                touched.extend(undo.keys().copied());
                for &i in &save {
                    e.states.push((reg.devices[i].rec.id, serde_json::to_string(&reg.devices[i].rec.state).expect("state serialises")));
                }
                saved.extend(save);
                e
            };
            self.store.ingest(&stored, &mut eval).await
        };
        match result {
            Ok((new, alarm_ids)) => {
                let mut k = 0;
                for ((_, reply), first) in batches.into_iter().zip(first) {
                    let flags = first
                        .into_iter()
                        .map(|f| {
                            if f {
                                k += 1;
                                new[k - 1]
                            } else {
                                false
                            }
                        })
                        .collect();
                    let _ = reply.send(Ok(flags));
                }
                self.mark_saved(&saved);
                self.after_commit(&touched, raised, alarm_ids).await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot store device messages");
                let mut reg = self.registry.write().expect("registry lock");
                for (i, s) in undo {
                    reg.devices[i].rec.state = s;
                }
                for (_, reply) in batches {
                    let _ = reply.send(Err(e.to_string()));
                }
            }
        }
    }

    /// Schedules the timers of the devices a commit touched and opens the cases of its alarms.
    async fn after_commit(&mut self, touched: &[usize], raised: Vec<Raised>, alarm_ids: Vec<i64>) {
        let recs: Vec<(i64, Rule, String, DeviceRecord)> = {
            let reg = self.registry.read().expect("registry lock");
            for &i in touched {
                if let Some(t) = iot::next_check(&reg.devices[i].watch(), &reg.devices[i].rec.state) {
                    self.timers.push(Reverse((t, i)));
                }
            }
            raised
                .into_iter()
                .zip(alarm_ids)
                .filter(|(r, _)| r.rule.case_category().is_some())
                .map(|(r, id)| (id, r.rule, r.detail, reg.devices[r.dev].rec.clone()))
                .collect()
        };
        for (id, rule, detail, rec) in recs {
            self.open_case(id, &rec, rule, &detail).await;
        }
    }

    async fn open_case(&self, alarm_id: i64, rec: &DeviceRecord, rule: Rule, detail: &str) {
        if let Err(e) = self.cases.open_for_alarm(alarm_id, rec, rule, detail, millis()).await {
            tracing::error!(alarm = alarm_id, error = %e, "cannot open the case of an alarm; it is retried at the next start");
        }
    }

    fn mark_saved(&self, saved: &[usize]) {
        let mut reg = self.registry.write().expect("registry lock");
        for &i in saved {
            let d = &mut reg.devices[i];
            d.saved_heard = d.rec.state.last_heard;
            d.dirty = false;
        }
    }

    /// Saves the states that changed only in what the rules do not depend on.
    async fn save_dirty(&mut self) {
        let mut saved = Vec::new();
        let result = {
            let registry = self.registry.clone();
            let mut eval = |_: &[bool]| {
                let reg = registry.read().expect("registry lock");
                let mut e = Evaluated::default();
                for (i, d) in reg.devices.iter().enumerate().filter(|(_, d)| d.dirty) {
                    e.states.push((d.rec.id, serde_json::to_string(&d.rec.state).expect("state serialises")));
                    saved.push(i);
                }
                e
            };
            self.store.ingest(&[], &mut eval).await
        };
        match result {
            Ok(_) => self.mark_saved(&saved),
            Err(e) => tracing::warn!(error = %e, "cannot save device states; retrying"),
        }
    }

    /// Runs the timer rules of every device that is due.
    async fn run_timers(&mut self) {
        let now = millis();
        let mut due: Vec<usize> = Vec::new();
        while let Some(Reverse((t, i))) = self.timers.peek().copied() {
            if t > now {
                break;
            }
            self.timers.pop();
            if !due.contains(&i) {
                due.push(i);
            }
        }
        if due.is_empty() {
            return;
        }
        let registry = self.registry.clone();
        let mut undo: HashMap<usize, iot::DeviceState> = HashMap::new();
        let mut raised: Vec<Raised> = Vec::new();
        let mut saved: Vec<usize> = Vec::new();
        let result = {
            let mut eval = |_: &[bool]| {
                let mut reg = registry.write().expect("registry lock");
                let mut e = Evaluated::default();
                for &i in &due {
                    let dev = &mut reg.devices[i];
                    if dev.rec.retired {
                        continue;
                    }
                    let w = dev.watch();
                    let before = dev.rec.state.clone();
                    let changes = iot::check(&w, &mut dev.rec.state, now);
                    if !changes.is_empty() {
                        saved.push(i);
                        undo.insert(i, before);
                        record(&mut e, &mut raised, i, dev.rec.id, changes, now);
                        e.states.push((dev.rec.id, serde_json::to_string(&dev.rec.state).expect("state serialises")));
                    }
                }
                e
            };
            self.store.ingest(&[], &mut eval).await
        };
        match result {
            Ok((_, ids)) => {
                self.mark_saved(&saved);
                self.after_commit(&due, raised, ids).await
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot store timer alarms; retrying in 5 s");
                let mut reg = self.registry.write().expect("registry lock");
                for (i, s) in undo {
                    reg.devices[i].rec.state = s;
                }
                for &i in &due {
                    self.timers.push(Reverse((now + 5_000, i)));
                }
            }
        }
    }
}

/// Turns the rules' changes into rows to write.
fn record(e: &mut Evaluated, raised: &mut Vec<Raised>, dev: usize, device_id: i64, changes: Vec<Change>, now: i64) {
    for c in changes {
        match c {
            Change::Raise { rule, level, detail } => {
                e.raises.push(NewAlarm { device_id, rule, level, detail: detail.clone(), at: now, wants_case: rule.case_category().is_some() });
                raised.push(Raised { dev, rule, detail });
            }
            Change::Level { rule, level, detail } => e.levels.push((device_id, rule, level, detail)),
            Change::Clear { rule } => e.clears.push((device_id, rule, now)),
        }
    }
}
