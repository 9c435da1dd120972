//! Attachment limits: how many, how large, and which types (judged by content).

use super::sniff::{sniff, FileKind};
use serde::{Deserialize, Serialize};

/// What an inbound message may carry. Editable as configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AttachmentPolicy {
    /// Largest single attachment, in bytes.
    pub max_bytes: usize,
    /// Most attachments kept from one message; the rest are rejected.
    pub max_count: usize,
    /// Types accepted, as recognised from the bytes.
    pub allowed: Vec<FileKind>,
}

impl Default for AttachmentPolicy {
    fn default() -> Self {
        AttachmentPolicy { max_bytes: 10 * 1024 * 1024, max_count: 10, allowed: FileKind::default_allowed() }
    }
}

/// An attachment that passed the policy, with its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundAttachment {
    /// File name as given by the sender (encoded words decoded), or a generated one.
    pub name: String,
    /// Content type from the bytes ([`FileKind::mime`]), not the sender's claim.
    pub content_type: String,
    /// What the sender declared, kept for the record.
    pub declared_type: String,
    /// What the bytes are.
    pub kind: FileKind,
    /// Size in bytes.
    pub size: usize,
    /// The decoded content.
    pub bytes: Vec<u8>,
}

/// An attachment that was refused, and why; the server records it on the ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectedAttachment {
    /// File name as given by the sender, made safe.
    pub name: String,
    /// Content type the sender declared.
    pub declared_type: String,
    /// Size in bytes.
    pub size: usize,
    /// Why it was refused, in words for the timeline.
    pub reason: String,
}

/// Why one file was refused by [`AttachmentPolicy::accept`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Over the size limit.
    #[error("{size} bytes is over the {limit} byte limit")]
    TooLarge {
        /// The file's size in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// A type recognised but not accepted (its MIME type).
    #[error("file type {0} is not accepted")]
    TypeNotAccepted(&'static str),
    /// A type not recognised from the bytes.
    #[error("file type not recognised from its content")]
    Unrecognised,
}

/// A candidate attachment before the policy is applied.
pub(crate) struct Candidate<'a> {
    pub name: String,
    pub declared_type: String,
    pub bytes: &'a [u8],
}

impl AttachmentPolicy {
    /// Splits candidates into accepted and rejected, in order.
    pub(crate) fn apply(&self, candidates: Vec<Candidate<'_>>) -> (Vec<InboundAttachment>, Vec<RejectedAttachment>) {
        let mut kept = Vec::new();
        let mut refused = Vec::new();
        for c in candidates {
            match self.check(&c, kept.len()) {
                Ok(kind) => kept.push(InboundAttachment {
                    name: c.name,
                    content_type: kind.mime().to_string(),
                    declared_type: c.declared_type,
                    kind,
                    size: c.bytes.len(),
                    bytes: c.bytes.to_vec(),
                }),
                Err(reason) => refused.push(RejectedAttachment {
                    name: c.name,
                    declared_type: c.declared_type,
                    size: c.bytes.len(),
                    reason,
                }),
            }
        }
        (kept, refused)
    }

    fn check(&self, c: &Candidate<'_>, kept: usize) -> Result<FileKind, String> {
        if kept >= self.max_count {
            return Err(format!("more than {} attachments", self.max_count));
        }
        self.kind_of(c.bytes).map_err(|r| r.to_string())
    }

    /// The size limit and the type (recognised from the bytes) for one file.
    pub fn kind_of(&self, bytes: &[u8]) -> Result<FileKind, Refusal> {
        if bytes.len() > self.max_bytes {
            return Err(Refusal::TooLarge { size: bytes.len(), limit: self.max_bytes });
        }
        match sniff(bytes) {
            Some(kind) if self.allowed.contains(&kind) => Ok(kind),
            Some(kind) => Err(Refusal::TypeNotAccepted(kind.mime())),
            None => Err(Refusal::Unrecognised),
        }
    }

    /// Checks one file that did not come by e-mail (an upload, a WeChat picture) against
    /// the same size limit and type check as e-mail attachments.
    pub fn accept(&self, name: &str, declared_type: &str, bytes: Vec<u8>) -> Result<InboundAttachment, Refusal> {
        let kind = self.kind_of(&bytes)?;
        Ok(InboundAttachment {
            name: name.to_string(),
            content_type: kind.mime().to_string(),
            declared_type: declared_type.to_string(),
            kind,
            size: bytes.len(),
            bytes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand<'a>(name: &str, bytes: &'a [u8]) -> Candidate<'a> {
        Candidate { name: name.into(), declared_type: "application/octet-stream".into(), bytes }
    }

    #[test]
    fn judges_by_content_not_by_name() {
        let policy = AttachmentPolicy::default();
        let exe_named_jpg = cand("photo.jpg", b"MZ\x90\0\x03\0\0\0");
        let real_png = cand("x.bin", b"\x89PNG\r\n\x1a\n\0\0");
        let (kept, refused) = policy.apply(vec![exe_named_jpg, real_png]);
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].content_type, "image/png");
        assert_eq!(refused[0].name, "photo.jpg");
        assert!(refused[0].reason.contains("not accepted"), "{refused:?}");
    }

    #[test]
    fn enforces_size_and_count() {
        let policy = AttachmentPolicy { max_bytes: 8, max_count: 1, ..AttachmentPolicy::default() };
        let (kept, refused) =
            policy.apply(vec![cand("a.txt", b"hello"), cand("b.txt", b"world"), cand("c.pdf", b"%PDF-1.7 and more")]);
        assert_eq!(kept.len(), 1);
        assert_eq!(refused.len(), 2);
        assert!(refused[0].reason.contains("more than 1"));
    }
}
