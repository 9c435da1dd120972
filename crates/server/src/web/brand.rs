//! The company's branding as the portal loads it from this server: the stored logo and a
//! style sheet with the accent colour (the pages' policy allows no inline style and no
//! other site). Both carry the document version in their links, so they are cached for long.

use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

const CACHE: &str = "public, max-age=86400";

/// `GET /brand/logo`: the logo stored in the `portal` document.
pub async fn logo(State(state): State<AppState>) -> Response {
    let brand = state.documents.brand();
    match &brand.logo {
        Some(logo) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, logo.content_type.clone()),
                (header::CACHE_CONTROL, CACHE.to_string()),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            ],
            logo.bytes.clone(),
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// `GET /brand/style.css`: the accent colour over the built-in one. The colour was checked
/// to be `#rrggbb` when the document was saved, so nothing else reaches the sheet.
pub async fn style(State(state): State<AppState>) -> Response {
    let brand = state.documents.brand();
    let css = match &brand.accent {
        Some(accent) => format!(":root {{ --accent: {accent}; --accent-ink: #fff; }}\n"),
        None => String::new(),
    };
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, CACHE)], css).into_response()
}
