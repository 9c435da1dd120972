//! Recognising a file's type from its first bytes, so an attachment is judged by what it
//! is rather than by the name or content type the sender claims.

use serde::{Deserialize, Serialize};

/// The file types Loopdesk can tell apart by their magic bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    /// PNG image.
    Png,
    /// JPEG image.
    Jpeg,
    /// GIF image.
    Gif,
    /// WebP image.
    Webp,
    /// BMP image.
    Bmp,
    /// HEIC/HEIF image (iPhone photos).
    Heic,
    /// PDF document.
    Pdf,
    /// ZIP containers, which include .docx/.xlsx/.pptx.
    Zip,
    /// OLE compound files: legacy .doc/.xls/.ppt.
    OleOffice,
    /// MP4/MOV video.
    Mp4,
    /// MP3 audio.
    Mp3,
    /// WAV audio.
    Wav,
    /// AMR audio (phone voice notes).
    Amr,
    /// Text in UTF-8 (or 7-bit ASCII) with no control bytes but whitespace.
    Text,
    /// Windows or Linux executables: never accepted.
    Executable,
}

impl FileKind {
    /// The MIME type Loopdesk records for this kind.
    pub fn mime(self) -> &'static str {
        match self {
            FileKind::Png => "image/png",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Gif => "image/gif",
            FileKind::Webp => "image/webp",
            FileKind::Bmp => "image/bmp",
            FileKind::Heic => "image/heic",
            FileKind::Pdf => "application/pdf",
            FileKind::Zip => "application/zip",
            FileKind::OleOffice => "application/x-ole-storage",
            FileKind::Mp4 => "video/mp4",
            FileKind::Mp3 => "audio/mpeg",
            FileKind::Wav => "audio/wav",
            FileKind::Amr => "audio/amr",
            FileKind::Text => "text/plain",
            FileKind::Executable => "application/x-executable",
        }
    }

    /// Images, documents, audio and video a customer may reasonably send.
    pub fn default_allowed() -> Vec<FileKind> {
        use FileKind::*;
        vec![Png, Jpeg, Gif, Webp, Bmp, Heic, Pdf, Zip, OleOffice, Mp4, Mp3, Wav, Amr, Text]
    }
}

const SIGNATURES: &[(&[u8], FileKind)] = &[
    (b"\x89PNG\r\n\x1a\n", FileKind::Png),
    (b"\xff\xd8\xff", FileKind::Jpeg),
    (b"GIF87a", FileKind::Gif),
    (b"GIF89a", FileKind::Gif),
    (b"%PDF-", FileKind::Pdf),
    (b"PK\x03\x04", FileKind::Zip),
    (b"PK\x05\x06", FileKind::Zip),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", FileKind::OleOffice),
    (b"#!AMR", FileKind::Amr),
    (b"ID3", FileKind::Mp3),
    (b"MZ", FileKind::Executable),
    (b"\x7fELF", FileKind::Executable),
];

/// The kind of `bytes`, or `None` when no known signature matches.
pub fn sniff(bytes: &[u8]) -> Option<FileKind> {
    if let Some(kind) = riff_or_iso(bytes) {
        return Some(kind);
    }
    if let Some((_, kind)) = SIGNATURES.iter().find(|(sig, _)| bytes.starts_with(sig)) {
        return Some(*kind);
    }
    if bytes.starts_with(b"BM") && bytes.get(6..10) == Some(&[0, 0, 0, 0][..]) {
        return Some(FileKind::Bmp); // "BM" alone would match ordinary text
    }
    if bytes.len() >= 2 && bytes[0] == 0xff && bytes[1] & 0xe0 == 0xe0 {
        return Some(FileKind::Mp3); // an MPEG audio frame sync without an ID3 tag
    }
    looks_like_text(bytes).then_some(FileKind::Text)
}

/// RIFF (WebP, WAV) and ISO base media (MP4, HEIC) carry their type after a size field.
fn riff_or_iso(bytes: &[u8]) -> Option<FileKind> {
    let tag = |range: std::ops::Range<usize>| bytes.get(range).unwrap_or_default();
    if tag(0..4) == b"RIFF" {
        return match tag(8..12) {
            b"WEBP" => Some(FileKind::Webp),
            b"WAVE" => Some(FileKind::Wav),
            _ => None,
        };
    }
    if tag(4..8) == b"ftyp" {
        return match tag(8..12) {
            b"heic" | b"heix" | b"mif1" | b"msf1" => Some(FileKind::Heic),
            _ => Some(FileKind::Mp4),
        };
    }
    None
}

fn looks_like_text(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    let text = match std::str::from_utf8(head) {
        Ok(t) => t,
        // The cut may fall inside a multi-byte character: accept an incomplete tail.
        Err(e) if e.error_len().is_none() => match std::str::from_utf8(&head[..e.valid_up_to()]) {
            Ok(t) => t,
            Err(_) => return false,
        },
        Err(_) => return false,
    };
    !text.is_empty() && text.chars().all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t' | '\x0c'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_common_files_by_content() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some(FileKind::Png));
        assert_eq!(sniff(b"\xff\xd8\xff\xe0\0\x10JFIF"), Some(FileKind::Jpeg));
        assert_eq!(sniff(b"%PDF-1.7\n"), Some(FileKind::Pdf));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(FileKind::Webp));
        assert_eq!(sniff(b"\0\0\0\x18ftypmp42"), Some(FileKind::Mp4));
        assert_eq!(sniff(b"\0\0\0\x18ftypheic"), Some(FileKind::Heic));
        assert_eq!(sniff("订单号 12345\n".as_bytes()), Some(FileKind::Text));
    }

    #[test]
    fn executables_and_binary_noise_are_not_text() {
        assert_eq!(sniff(b"MZ\x90\0\x03"), Some(FileKind::Executable));
        assert_eq!(sniff(b"\x7fELF\x02\x01"), Some(FileKind::Executable));
        assert_eq!(sniff(b"\x00\x01\x02\x03"), None);
        assert_eq!(sniff(b""), None);
    }
}
