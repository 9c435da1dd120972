//! Reply templates (标准应答话术): standard replies with variables, kept in the
//! `reply_templates` document (admin-editable) with built-in defaults.

use crate::AppError;
use serde::{Deserialize, Serialize};

/// A template as stored in the document: a title and text per language.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoredTemplate {
    pub name: String,
    pub title_zh: String,
    pub title_en: String,
    pub text_zh: String,
    pub text_en: String,
}

/// The document's body: `{"templates": [...]}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplyTemplates {
    pub templates: Vec<StoredTemplate>,
}

/// The built-in templates, used until an admin saves the document.
pub fn defaults() -> serde_json::Value {
    serde_json::json!({ "templates": [
        { "name": "received", "title_zh": "已收到，正在处理", "title_en": "Received, working on it",
          "text_zh": "{{customer_name}}您好，您的反馈（编号 {{tracking_no}}）我们已收到，正在安排处理，有进展会第一时间告知您。——{{agent_name}}",
          "text_en": "Hello {{customer_name}}, we have your feedback ({{tracking_no}}) and are working on it. We will let you know as soon as there is progress. — {{agent_name}}" },
        { "name": "need_info", "title_zh": "请补充信息", "title_en": "Please tell us more",
          "text_zh": "{{customer_name}}您好，为尽快处理您的问题（编号 {{tracking_no}}），请补充产品型号 {{model}} 的序列号和问题发生时的照片。",
          "text_en": "Hello {{customer_name}}, to solve this quickly ({{tracking_no}}), please send the serial number of your {{model}} and a photo of the problem." },
        { "name": "solved", "title_zh": "问题已解决", "title_en": "Problem solved",
          "text_zh": "{{customer_name}}您好，您反馈的问题（编号 {{tracking_no}}）已处理完毕。如仍有疑问，欢迎随时联系我们。",
          "text_en": "Hello {{customer_name}}, the problem you reported ({{tracking_no}}) has been solved. Contact us any time if anything is still unclear." }
    ]})
}

/// Validates a `reply_templates` document body.
pub fn validate(body: &serde_json::Value) -> Result<ReplyTemplates, AppError> {
    let t: ReplyTemplates = super::parse(body)?;
    if t.templates.iter().any(|x| x.name.trim().is_empty() || x.text_zh.len() > 5000 || x.text_en.len() > 5000) {
        return Err(AppError::invalid("body.templates", "every template needs a name and at most 5000 bytes of text"));
    }
    Ok(t)
}

/// Fills a reply's variables with the ticket's values (`{{customer_name}}`,
/// `{{tracking_no}}`, `{{agent_name}}`, `{{model}}`, `{{product}}`).
pub fn fill(text: &str, t: &loopdesk_core::Ticket, agent: &str) -> String {
    let name = t.customer.name.clone().unwrap_or_default();
    text.replace("{{customer_name}}", &name)
        .replace("{{tracking_no}}", t.tracking_no.as_str())
        .replace("{{agent_name}}", agent)
        .replace("{{model}}", t.product.model.as_deref().unwrap_or(""))
        .replace("{{product}}", t.product.product.as_deref().unwrap_or(""))
}
