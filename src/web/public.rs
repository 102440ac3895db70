//! Public pages, v2 JSON, feeds and the banner, served from the pre-rendered
//! snapshot: no database access, ETag/304, br/gzip negotiation, open CORS.

use super::state::AppState;
use crate::domain::{Id, Lang};
use crate::render::Asset;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use std::sync::Arc;

/// `?lang=fr` picks a language explicitly.
#[derive(Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
}

/// The public routes.
pub fn router() -> Router<AppState> {
    let mut r = Router::new()
        .route("/", get(status_page))
        .route("/status", get(status_page))
        .route("/history", get(history_page))
        .route("/incidents/{id}", get(incident_page))
        .route("/{lang}", get(localized_status))
        .route("/{lang}/", get(localized_status))
        .route("/{lang}/history/", get(localized_history))
        .route("/{lang}/incidents/{id}/", get(localized_incident));
    for path in FIXED_PATHS {
        r = r.route(
            path,
            get(move |s: State<AppState>, h: HeaderMap| async move { fixed(s, h, path) }),
        );
    }
    r
}

/// The pre-rendered documents served as they are (JSON, feeds, banner, assets).
pub const FIXED_PATHS: [&str; 14] = [
    "/api/v2/summary.json",
    "/api/v2/status.json",
    "/api/v2/components.json",
    "/api/v2/incidents.json",
    "/api/v2/incidents/unresolved.json",
    "/api/v2/scheduled-maintenances.json",
    "/api/v2/scheduled-maintenances/upcoming.json",
    "/api/v2/scheduled-maintenances/active.json",
    "/api/alternatives.json",
    "/history.atom",
    "/history.rss",
    "/widget.js",
    "/assets/style.css",
    "/assets/live.js",
];

/// The language of a page request: `?lang=`, else `Accept-Language`, else English.
pub fn request_lang(query: &LangQuery, headers: &HeaderMap) -> Lang {
    query
        .lang
        .as_deref()
        .and_then(Lang::parse)
        .unwrap_or_else(|| {
            let accept = headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok());
            Lang::negotiate(accept, Lang::En)
        })
}

async fn status_page(
    State(state): State<AppState>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = request_lang(&q, &headers);
    serve(state.snapshot().get("/status", Some(lang)), &headers, true)
}

async fn history_page(
    State(state): State<AppState>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = request_lang(&q, &headers);
    serve(state.snapshot().get("/history", Some(lang)), &headers, true)
}

async fn incident_page(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = request_lang(&q, &headers);
    let asset = Id::parse(&id).and_then(|id| {
        state
            .snapshot()
            .get(&format!("/incidents/{id}"), Some(lang))
    });
    serve(asset, &headers, true)
}

/// `en` or `fr` exactly, as it appears in canonical page addresses.
fn path_lang(code: &str) -> Option<Lang> {
    Lang::ALL.into_iter().find(|l| l.code() == code)
}

async fn localized_status(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Response {
    let asset = path_lang(&code).and_then(|lang| state.snapshot().get("/status", Some(lang)));
    serve(asset, &headers, false)
}

async fn localized_history(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Response {
    let asset = path_lang(&code).and_then(|lang| state.snapshot().get("/history", Some(lang)));
    serve(asset, &headers, false)
}

async fn localized_incident(
    State(state): State<AppState>,
    Path((code, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let asset = path_lang(&code).zip(Id::parse(&id)).and_then(|(lang, id)| {
        state
            .snapshot()
            .get(&format!("/incidents/{id}"), Some(lang))
    });
    serve(asset, &headers, false)
}

fn fixed(State(state): State<AppState>, headers: HeaderMap, path: &str) -> Response {
    serve(state.snapshot().get(path, None), &headers, false)
}

/// Answers with a pre-rendered asset, honouring If-None-Match and Accept-Encoding.
pub fn serve(asset: Option<Arc<Asset>>, headers: &HeaderMap, by_language: bool) -> Response {
    let Some(asset) = asset else {
        return super::problem::Problem::not_found("There is nothing at this address.")
            .into_response();
    };
    let mut h = HeaderMap::new();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(asset.cache_control),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::VARY,
        HeaderValue::from_static(if by_language {
            "Accept-Encoding, Accept-Language"
        } else {
            "Accept-Encoding"
        }),
    );
    h.insert(header::ETAG, asset.etag_header.clone());
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim() == asset.etag || t.trim() == "*")
        });
    if matches {
        return (StatusCode::NOT_MODIFIED, h).into_response();
    }
    let accept = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let body = if accepts(accept, "br") {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("br"));
        asset.br.clone()
    } else if accepts(accept, "gzip") {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        asset.gzip.clone()
    } else {
        asset.identity.clone()
    };
    (StatusCode::OK, h, body).into_response()
}

fn accepts(header: &str, coding: &str) -> bool {
    header.split(',').any(|part| {
        let mut it = part.split(';');
        let name = it.next().unwrap_or("").trim();
        let q_zero = it.any(|p| matches!(p.trim(), "q=0" | "q=0.0" | "q=0.00" | "q=0.000"));
        name.eq_ignore_ascii_case(coding) && !q_zero
    })
}

#[cfg(test)]
mod tests {
    use super::accepts;

    #[test]
    fn encoding_negotiation() {
        assert!(accepts("gzip, deflate, br", "br"));
        assert!(!accepts("gzip, br;q=0", "br"));
        assert!(accepts("GZIP", "gzip"));
        assert!(!accepts("identity", "gzip"));
    }
}
