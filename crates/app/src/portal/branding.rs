//! The `portal` configuration document: the company's branding on the portal and in
//! customer e-mails (name, logo, accent colour), and what an unsatisfied customer is
//! promised. The logo is kept in the document as a `data:` URL and served by the server
//! itself (`/brand/logo`), or is a path on this server: a customer's page never makes a
//! request to another site.

use crate::AppError;
use base64::Engine;
use serde::{Deserialize, Serialize};

/// Largest logo accepted, decoded.
pub const MAX_LOGO_BYTES: usize = 200 * 1024;
/// Longest company name.
const MAX_COMPANY: usize = 100;
/// WCAG AA for normal text.
const AA: f64 = 4.5;
/// Button text is white on the accent colour.
const BUTTON_TEXT: (u8, u8, u8) = (255, 255, 255);

/// The `portal` document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PortalDoc {
    pub branding: Branding,
    pub unsatisfied: UnsatisfiedPromise,
}

/// How the portal and customer e-mails look.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Branding {
    /// The company's name, shown in the portal's header and used in e-mails (instead of
    /// `[channels] company`).
    pub company: Option<String>,
    /// A `data:image/png;base64,…` URL (PNG, JPEG, GIF or WebP, at most 200 KB), or a
    /// path on this server (`/…`).
    pub logo: Option<String>,
    /// `#RRGGBB`; white button text on it must reach 4.5:1 (WCAG AA).
    pub accent: Option<String>,
}

/// What happens after an unsatisfied survey answer, as the customer is told.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnsatisfiedPromise {
    /// Working hours within which a supervisor contacts the customer (1 to 240).
    pub contact_within_working_hours: u32,
}

impl Default for UnsatisfiedPromise {
    fn default() -> Self {
        // One working day, like the approvals of seed 003.
        UnsatisfiedPromise { contact_within_working_hours: 8 }
    }
}

/// A decoded logo.
#[derive(Debug, Clone, PartialEq)]
pub struct Logo {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// The branding in force, checked and with its logo decoded, for the pages and e-mails.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Brand {
    pub company: Option<String>,
    /// Where the logo is fetched from: `/brand/logo?v=<version>` for a stored one.
    pub logo_src: Option<String>,
    pub logo: Option<Logo>,
    pub accent: Option<String>,
    pub contact_within_working_hours: u32,
    /// The document version, so links to the logo and style change when it does.
    pub version: i64,
}

fn invalid(field: &str, message: impl Into<String>) -> AppError {
    AppError::invalid(format!("body.{field}"), message)
}

/// `#RRGGBB` as its three channels.
pub fn parse_colour(s: &str) -> Option<(u8, u8, u8)> {
    let hex = s.strip_prefix('#').filter(|h| h.len() == 6 && h.chars().all(|c| c.is_ascii_hexdigit()))?;
    let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some((channel(0)?, channel(2)?, channel(4)?))
}

fn luminance((r, g, b): (u8, u8, u8)) -> f64 {
    let lin = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
}

/// The WCAG contrast ratio of two colours (1 to 21).
pub fn contrast(a: (u8, u8, u8), b: (u8, u8, u8)) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// Whether `bytes` start like an image of `content_type`.
fn looks_like(content_type: &str, bytes: &[u8]) -> bool {
    match content_type {
        "image/png" => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "image/jpeg" => bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
        "image/gif" => bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a"),
        "image/webp" => bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP",
        _ => false,
    }
}

/// A `data:` URL decoded, checked to be a raster image of its declared type. SVG is
/// refused: it can carry scripts and links to other sites.
fn decode_logo(url: &str) -> Result<Logo, String> {
    let rest = url.strip_prefix("data:").ok_or("must be a data: URL or a path on this server")?;
    let (meta, data) = rest.split_once(',').ok_or("a data: URL has a comma before its data")?;
    let content_type =
        meta.strip_suffix(";base64").ok_or("the image must be base64-encoded (data:image/png;base64,…)")?;
    if !["image/png", "image/jpeg", "image/gif", "image/webp"].contains(&content_type) {
        return Err("the image must be PNG, JPEG, GIF or WebP".into());
    }
    if data.len() > MAX_LOGO_BYTES * 4 / 3 + 4 {
        return Err(format!("the image must be at most {} KB", MAX_LOGO_BYTES / 1024));
    }
    let bytes =
        base64::engine::general_purpose::STANDARD.decode(data.trim()).map_err(|_| "the base64 data does not decode")?;
    if bytes.len() > MAX_LOGO_BYTES {
        return Err(format!("the image must be at most {} KB", MAX_LOGO_BYTES / 1024));
    }
    if !looks_like(content_type, &bytes) {
        return Err(format!("the data is not a {content_type} image"));
    }
    Ok(Logo { content_type: content_type.to_string(), bytes })
}

impl PortalDoc {
    /// Checks every field; the error names the first wrong one (`body.branding.accent`).
    pub fn validate(&self) -> Result<(), AppError> {
        self.brand(0).map(|_| ())
    }

    /// The branding as pages and e-mails use it, for document version `version`.
    pub fn brand(&self, version: i64) -> Result<Brand, AppError> {
        let b = &self.branding;
        let company = b.company.as_deref().map(str::trim).filter(|c| !c.is_empty());
        if company.is_some_and(|c| c.chars().count() > MAX_COMPANY || c.chars().any(char::is_control)) {
            return Err(invalid("branding.company", format!("at most {MAX_COMPANY} characters on one line")));
        }
        let accent = match b.accent.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
            None => None,
            Some(a) => {
                let rgb =
                    parse_colour(a).ok_or_else(|| invalid("branding.accent", "must be a colour written #RRGGBB"))?;
                let ratio = contrast(rgb, BUTTON_TEXT);
                if ratio < AA {
                    return Err(invalid(
                        "branding.accent",
                        format!("white button text on {a} has a contrast of {ratio:.1}:1; WCAG AA needs 4.5:1 (choose a darker colour)"),
                    ));
                }
                Some(a.to_ascii_lowercase())
            }
        };
        let (logo_src, logo) = match b.logo.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
            None => (None, None),
            // A path on this server: one slash, so never another host (`//host/…`).
            Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.contains(['\\', '"', '<', '>', ' ']) => {
                (Some(p.to_string()), None)
            }
            Some(url) => {
                let logo = decode_logo(url).map_err(|m| invalid("branding.logo", m))?;
                (Some(format!("/brand/logo?v={version}")), Some(logo))
            }
        };
        let hours = self.unsatisfied.contact_within_working_hours;
        if !(1..=240).contains(&hours) {
            return Err(invalid("unsatisfied.contact_within_working_hours", "must be between 1 and 240"));
        }
        Ok(Brand {
            company: company.map(str::to_string),
            logo_src,
            logo,
            accent,
            contact_within_working_hours: hours,
            version,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(accent: &str, logo: Option<&str>) -> PortalDoc {
        PortalDoc {
            branding: Branding {
                company: Some("海川电器".into()),
                logo: logo.map(str::to_string),
                accent: Some(accent.into()),
            },
            unsatisfied: UnsatisfiedPromise::default(),
        }
    }

    fn field(e: AppError) -> String {
        match e {
            AppError::Invalid { field: Some(field), .. } => field,
            other => panic!("not a field error: {other:?}"),
        }
    }

    #[test]
    fn contrast_matches_wcag_examples() {
        assert!((contrast((0, 0, 0), (255, 255, 255)) - 21.0).abs() < 0.01);
        // #1d5fbf (the built-in accent) on white is about 6.3:1.
        assert!(contrast(parse_colour("#1d5fbf").unwrap(), BUTTON_TEXT) > AA);
        assert!(contrast(parse_colour("#ffcc00").unwrap(), BUTTON_TEXT) < AA);
    }

    #[test]
    fn accent_must_be_hex_and_keep_aa_contrast() {
        assert!(doc("#0b5394", None).validate().is_ok());
        assert_eq!(field(doc("blue", None).validate().unwrap_err()), "body.branding.accent");
        assert_eq!(field(doc("#12345", None).validate().unwrap_err()), "body.branding.accent");
        assert_eq!(field(doc("#ffcc00", None).validate().unwrap_err()), "body.branding.accent");
    }

    #[test]
    fn logos_are_images_of_this_server() {
        let png = base64::engine::general_purpose::STANDARD.encode(b"\x89PNG\r\n\x1a\n0000");
        let brand = doc("#0b5394", Some(&format!("data:image/png;base64,{png}"))).brand(3).unwrap();
        assert_eq!(brand.logo_src.as_deref(), Some("/brand/logo?v=3"));
        assert_eq!(brand.logo.unwrap().content_type, "image/png");
        assert!(doc("#0b5394", Some("/assets/logo.png")).validate().is_ok());
        for bad in [
            "https://cdn.example.com/logo.png",
            "//cdn.example.com/logo.png",
            "data:image/svg+xml;base64,PHN2Zz4=",
            "data:image/png;base64,AAAA",
        ] {
            assert_eq!(field(doc("#0b5394", Some(bad)).validate().unwrap_err()), "body.branding.logo", "{bad}");
        }
    }
}
