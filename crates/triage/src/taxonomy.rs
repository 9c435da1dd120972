//! The two-level category taxonomy (category › sub-tags) with keyword rules: an editable,
//! versioned record.

use crate::error::TriageError;
use serde::{Deserialize, Serialize};

/// The default taxonomy of the design, embedded.
pub const DEFAULT_TAXONOMY_JSON: &str = include_str!("../data/taxonomy.json");

/// A sub-tag of a category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubTag {
    /// Machine name, unique within the category.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Words or phrases that attach the sub-tag.
    #[serde(default)]
    pub keywords: Vec<String>,
}

/// A top-level category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Category {
    /// Machine name, unique.
    pub id: String,
    /// Display name (Chinese).
    pub name: String,
    /// Display name (English).
    #[serde(default)]
    pub name_en: String,
    /// Words or phrases that vote for this category.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Sub-tags.
    #[serde(default)]
    pub subtags: Vec<SubTag>,
}

/// The whole taxonomy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Taxonomy {
    /// Version of this record.
    pub version: u32,
    /// Category used when nothing fits.
    pub fallback: String,
    /// Categories in display order.
    pub categories: Vec<Category>,
}

impl Taxonomy {
    /// The embedded default taxonomy.
    pub fn defaults() -> Result<Taxonomy, TriageError> {
        Taxonomy::from_json(DEFAULT_TAXONOMY_JSON)
    }

    /// Parses and validates a taxonomy.
    pub fn from_json(json: &str) -> Result<Taxonomy, TriageError> {
        let t: Taxonomy = serde_json::from_str(json).map_err(TriageError::json("taxonomy"))?;
        t.validate()?;
        Ok(t)
    }

    /// Checks ids are unique and the fallback exists.
    pub fn validate(&self) -> Result<(), TriageError> {
        let mut ids: Vec<&str> = self.categories.iter().map(|c| c.id.as_str()).collect();
        ids.sort_unstable();
        if ids.windows(2).any(|w| w[0] == w[1]) {
            return Err(TriageError::Config("duplicate category id".into()));
        }
        if self.position(&self.fallback).is_none() {
            return Err(TriageError::Config(format!("fallback category {:?} is not defined", self.fallback)));
        }
        Ok(())
    }

    /// Index of a category by id.
    pub fn position(&self, id: &str) -> Option<usize> {
        self.categories.iter().position(|c| c.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_taxonomy_has_the_design_categories() {
        let t = Taxonomy::defaults().unwrap();
        let ids: Vec<&str> = t.categories.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "technical",
                "feature_request",
                "ux",
                "payment",
                "product_quality",
                "service_complaint",
                "logistics",
                "inquiry",
                "suggestion",
                "other"
            ]
        );
        assert!(t.categories.iter().all(|c| !c.subtags.is_empty()));
        let pq = &t.categories[4];
        let subs: Vec<&str> = pq.subtags.iter().map(|s| s.name.as_str()).collect();
        assert!(subs.contains(&"外观") && subs.contains(&"性能") && subs.contains(&"软件"));
    }

    #[test]
    fn rejects_bad_taxonomies() {
        assert!(Taxonomy::from_json("{").is_err());
        let no_fallback = r#"{"version":1,"fallback":"x","categories":[{"id":"a","name":"A"}]}"#;
        assert!(Taxonomy::from_json(no_fallback).is_err());
        let dup = r#"{"version":1,"fallback":"a","categories":[{"id":"a","name":"A"},{"id":"a","name":"B"}]}"#;
        assert!(Taxonomy::from_json(dup).is_err());
    }
}
