//! Server-Sent Events: open status pages receive the re-rendered live section
//! within moments of any change.

use super::public::{request_lang, LangQuery};
use super::state::AppState;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use std::convert::Infallible;
use std::time::Duration;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::StreamExt;

/// `GET /status/events?lang=fr`: a `live` event with the fresh HTML on each change.
pub async fn live(
    State(state): State<AppState>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = request_lang(&q, &headers);
    let first = Event::default()
        .event("live")
        .data(state.live_fragment(lang));
    let updates = BroadcastStream::new(state.subscribe()).filter_map(move |snapshot| {
        // A lagging client skips to the next snapshot, which carries the whole section.
        let snapshot = snapshot.ok()?;
        let html = snapshot.live.get(&lang)?.clone();
        Some(Ok::<_, Infallible>(
            Event::default().event("live").data(html),
        ))
    });
    let stream = tokio_stream::once(Ok(first)).chain(updates);
    let mut response = Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(20)))
        .into_response();
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-cache"),
    );
    response
}
