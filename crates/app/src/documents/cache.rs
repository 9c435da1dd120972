//! The documents the hot paths need, parsed once per saved version: the notification
//! templates, the outbound gateway and the portal's branding (an intake renders its
//! acknowledgement inside its transaction, so they must be at hand without a query), and
//! the key that signs the links in it. A node refreshes them when it
//! saves a version and every few seconds for versions saved by other nodes.

use super::channel::GatewayDoc;
use super::DocumentKind;
use crate::portal::branding::{Brand, PortalDoc};
use crate::App;
use loopdesk_channels::templates::TemplateSet;
use loopdesk_store::{Reader, StoreError};
use std::sync::{Arc, OnceLock, RwLock};
use std::time::Duration;

/// How often a node looks for versions saved elsewhere.
const REFRESH: Duration = Duration::from_secs(2);

/// What is cached, with the versions it was read from.
#[derive(Clone, Default)]
struct InForce {
    templates: Option<Arc<TemplateSet>>,
    gateway: Option<Arc<GatewayDoc>>,
    brand: Option<Arc<Brand>>,
    versions: (i64, i64, i64),
}

/// The cache.
#[derive(Default)]
pub struct Cache {
    current: RwLock<InForce>,
    /// The key survey and status links are signed with: read once (it never changes while
    /// the process runs) so links can be composed inside a transaction.
    link_key: OnceLock<Vec<u8>>,
}

/// The built-in templates, parsed once per process.
fn builtin() -> Arc<TemplateSet> {
    static BUILTIN: OnceLock<Arc<TemplateSet>> = OnceLock::new();
    BUILTIN.get_or_init(|| Arc::new(TemplateSet::builtin())).clone()
}

fn default_brand() -> Brand {
    // The built-in document is valid by construction (tested in `portal::branding`).
    PortalDoc::default().brand(0).unwrap_or_default()
}

impl Cache {
    fn get(&self) -> InForce {
        self.current.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The notification templates in force.
    pub fn templates(&self) -> Arc<TemplateSet> {
        self.get().templates.unwrap_or_else(builtin)
    }

    /// The outbound gateway, if one is configured.
    pub fn gateway(&self) -> Option<Arc<GatewayDoc>> {
        self.get().gateway
    }

    /// The portal's branding in force (the built-in look when none is saved).
    pub fn brand(&self) -> Arc<Brand> {
        self.get().brand.unwrap_or_else(|| Arc::new(default_brand()))
    }

    /// The link key, once read.
    pub fn link_key(&self) -> Option<&[u8]> {
        self.link_key.get().map(Vec::as_slice)
    }

    /// Keeps the link key (the first one given wins; every node reads the same one).
    pub fn set_link_key(&self, key: Vec<u8>) -> &[u8] {
        self.link_key.get_or_init(|| key)
    }

    /// Re-reads what changed since the last look (one small query when nothing did).
    pub async fn refresh(&self, read: &Reader) -> Result<(), StoreError> {
        let names = read.document_names().await?;
        let version = |kind: DocumentKind| names.iter().find(|(n, _)| *n == kind.name()).map_or(0, |(_, v)| *v);
        let versions = (
            version(DocumentKind::Templates),
            version(DocumentKind::Channel(super::kind::ChannelName::outbound())),
            version(DocumentKind::Portal),
        );
        let mut next = self.get();
        if next.templates.is_some() && next.versions == versions {
            return Ok(());
        }
        next.templates = Some(match read.document(&DocumentKind::Templates.name()).await? {
            Some(doc) => match serde_json::from_value::<TemplateSet>(doc.body) {
                Ok(set) => Arc::new(set),
                Err(e) => {
                    tracing::error!(version = doc.version, error = %e, "stored templates do not parse; built-in set used");
                    builtin()
                }
            },
            None => builtin(),
        });
        next.gateway = match read.document(&DocumentKind::Channel(super::kind::ChannelName::outbound()).name()).await? {
            Some(doc) => serde_json::from_value::<GatewayDoc>(doc.body).ok().map(Arc::new),
            None => None,
        };
        next.brand = Some(Arc::new(match read.document(&DocumentKind::Portal.name()).await? {
            Some(doc) => match serde_json::from_value::<PortalDoc>(doc.body).map(|d| d.brand(doc.version)) {
                Ok(Ok(brand)) => brand,
                Ok(Err(e)) => {
                    tracing::error!(version = doc.version, error = %e, "stored branding is not valid; built-in look used");
                    default_brand()
                }
                Err(e) => {
                    tracing::error!(version = doc.version, error = %e, "stored branding does not parse; built-in look used");
                    default_brand()
                }
            },
            None => default_brand(),
        }));
        next.versions = versions;
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = next;
        Ok(())
    }
}

/// Keeps the cache current for the life of the node.
pub async fn maintain(app: App) {
    loop {
        tokio::time::sleep(REFRESH).await;
        if let Err(e) = app.documents.refresh(app.read()).await {
            tracing::warn!(error = %e, "reading the documents in force failed");
        }
    }
}
