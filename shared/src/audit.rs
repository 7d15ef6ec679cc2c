//! The audit log's hash chain: each entry's hash covers its content and the previous entry's
//! hash, so editing, deleting or reordering any stored entry is detected at that entry.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One recorded event: a login, a reveal of personal data, an export, a change of a record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Position in the chain, from 1, without gaps.
    pub seq: i64,
    /// Milliseconds since the Unix epoch.
    pub at_ms: i64,
    /// Username, or `-` for an anonymous caller.
    pub actor: String,
    /// What happened, e.g. `login`, `login_failed`, `reveal`, `user_create`.
    pub action: String,
    /// What it happened to, e.g. `resident:1234`.
    pub target: String,
    /// Free text: the stated reason of a reveal, the changed fields, the client address.
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash of an entry's content chained to `prev_hash`. The fields are serialised as one
/// `text` cut to at most `max` characters (the last one an ellipsis when cut): what the audit
/// log stores of a field, whatever a caller sent.
pub fn bounded(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => std::borrow::Cow::Borrowed(text),
        Some(_) => {
            let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
            cut.push('…');
            std::borrow::Cow::Owned(cut)
        }
    }
}

/// JSON array, so no choice of field contents can make two different entries hash alike.
pub fn entry_hash(prev_hash: &str, seq: i64, at_ms: i64, actor: &str, action: &str, target: &str, detail: &str) -> String {
    let content = serde_json::to_string(&(prev_hash, seq, at_ms, actor, action, target, detail)).expect("strings and numbers serialise");
    let digest = Sha256::digest(content.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Where and why a chain fails to verify.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainBreak {
    pub seq: i64,
    pub reason: &'static str,
}

/// A checkpoint of the chain's head: the chain must pass through it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: String,
    pub at_ms: i64,
}

/// Verifies entries in `seq` order, continuing a chain whose last verified entry had
/// `prev_hash` and `prev_seq` (use [`GENESIS`] and 0 from the start).
pub fn verify<'a>(entries: impl IntoIterator<Item = &'a AuditEntry>, mut prev_hash: String, mut prev_seq: i64) -> Result<(String, i64), ChainBreak> {
    for e in entries {
        if e.seq != prev_seq + 1 {
            return Err(ChainBreak { seq: e.seq, reason: "missing or reordered entry" });
        }
        if e.prev_hash != prev_hash {
            return Err(ChainBreak { seq: e.seq, reason: "link to the previous entry is broken" });
        }
        if entry_hash(&e.prev_hash, e.seq, e.at_ms, &e.actor, &e.action, &e.target, &e.detail) != e.hash {
            return Err(ChainBreak { seq: e.seq, reason: "content does not match its hash" });
        }
        prev_hash = e.hash.clone();
        prev_seq = e.seq;
    }
    Ok((prev_hash, prev_seq))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_bounded_by_characters_not_bytes() {
        assert_eq!(bounded("zhihui", 64), "zhihui");
        assert_eq!(bounded(&"磁".repeat(64), 64).chars().count(), 64);
        let long = "磁".repeat(100_000);
        let cut = bounded(&long, 64);
        assert_eq!(cut.chars().count(), 64);
        assert!(cut.ends_with('…'));
    }

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let (actor, action, target, detail) = ("admin", "reveal", format!("resident:{seq}"), "核实身份".to_string());
                let hash = entry_hash(&prev, seq, 1000 + seq, actor, action, &target, &detail);
                let e = AuditEntry { seq, at_ms: 1000 + seq, actor: actor.into(), action: action.into(), target, detail, prev_hash: prev.clone(), hash };
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    #[test]
    fn an_untouched_chain_verifies() {
        let c = chain(5);
        assert_eq!(verify(&c, GENESIS.into(), 0).map(|(_, seq)| seq), Ok(5));
        // Verification can resume from a checkpoint.
        let (h, s) = verify(&c[..2], GENESIS.into(), 0).unwrap();
        assert_eq!(verify(&c[2..], h, s).map(|(_, seq)| seq), Ok(5));
    }

    #[test]
    fn tampering_is_found_at_the_tampered_entry() {
        let mut edited = chain(5);
        edited[2].detail = "无".into();
        assert_eq!(verify(&edited, GENESIS.into(), 0).unwrap_err(), ChainBreak { seq: 3, reason: "content does not match its hash" });

        let mut deleted = chain(5);
        deleted.remove(1);
        assert_eq!(verify(&deleted, GENESIS.into(), 0).unwrap_err().seq, 3);

        // Recomputing the edited entry's hash does not help: the next link breaks.
        let mut rehashed = chain(5);
        let e = &mut rehashed[2];
        e.actor = "someone-else".into();
        e.hash = entry_hash(&e.prev_hash, e.seq, e.at_ms, &e.actor, &e.action, &e.target, &e.detail);
        assert_eq!(verify(&rehashed, GENESIS.into(), 0).unwrap_err(), ChainBreak { seq: 4, reason: "link to the previous entry is broken" });
    }
}
