//! TLS for the mail connections (SMTP out, IMAP in): which certificate authorities are
//! trusted — the public web roots, or a private CA from a PEM file (`ca_file`) instead —
//! and clear words when a server's certificate is refused. Certificates are always
//! verified; there is deliberately no way to accept an invalid one.

use std::path::Path;
use std::sync::Arc;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::CertificateDer;

/// Why TLS could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsSetupError {
    #[error("cannot read the CA file {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("the CA file {path} holds no PEM certificate")]
    Empty { path: String },
    #[error("the CA file {path} holds an unusable certificate: {why}")]
    Bad { path: String, why: String },
    #[error("TLS: {0}")]
    Rustls(String),
}

/// The PEM file's bytes, checked to hold at least one certificate.
pub fn read_ca(path: &Path) -> Result<Vec<u8>, TlsSetupError> {
    let shown = path.display().to_string();
    let pem = std::fs::read(path).map_err(|source| TlsSetupError::Read { path: shown.clone(), source })?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsSetupError::Bad { path: shown.clone(), why: e.to_string() })?;
    if certs.is_empty() {
        return Err(TlsSetupError::Empty { path: shown });
    }
    Ok(pem)
}

/// The roots to verify a server against: the CA file's certificates when given, else the
/// public web roots.
pub fn roots(ca_file: Option<&Path>) -> Result<rustls::RootCertStore, TlsSetupError> {
    let mut roots = rustls::RootCertStore::empty();
    match ca_file {
        Some(path) => {
            let shown = path.display().to_string();
            let pem = read_ca(path)?;
            for cert in CertificateDer::pem_slice_iter(&pem) {
                let cert = cert.map_err(|e| TlsSetupError::Bad { path: shown.clone(), why: e.to_string() })?;
                roots.add(cert).map_err(|e| TlsSetupError::Bad { path: shown.clone(), why: e.to_string() })?;
            }
        }
        None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
    }
    Ok(roots)
}

/// A client configuration verifying servers against [`roots`].
pub fn client_config(ca_file: Option<&Path>) -> Result<Arc<rustls::ClientConfig>, TlsSetupError> {
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsSetupError::Rustls(e.to_string()))?
        .with_root_certificates(roots(ca_file)?)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// An error and its causes in one line; a refused certificate is named as such, with what
/// to check.
pub fn explain(err: &(dyn std::error::Error + 'static), server: &str, ca_file: Option<&Path>) -> String {
    let mut parts = vec![err.to_string()];
    let mut refused = false;
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        if let Some(rustls::Error::InvalidCertificate(_)) = e.downcast_ref::<rustls::Error>() {
            refused = true;
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            if let Some(rustls::Error::InvalidCertificate(_)) =
                io.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>())
            {
                refused = true;
            }
        }
        cur = e.source();
        if let Some(s) = cur {
            let text = s.to_string();
            if !parts.iter().any(|p| p.contains(&text)) {
                parts.push(text);
            }
        }
    }
    let detail = parts.join(": ");
    if !refused && !detail.contains("invalid peer certificate") {
        return detail;
    }
    let trusted = match ca_file {
        Some(p) => format!("the CA file {}", p.display()),
        None => "the public web roots (set ca_file for a private CA)".to_string(),
    };
    format!("TLS certificate of {server} refused: not signed by {trusted} ({detail})")
}
