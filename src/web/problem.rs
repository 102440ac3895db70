//! RFC 9457 problem details: every API error is `application/problem+json`.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An error answered to an HTTP client.
#[derive(Debug)]
pub struct Problem {
    pub status: StatusCode,
    pub title: &'static str,
    pub detail: String,
    /// Extra members (for example the allowed values of an enum).
    pub extra: Option<serde_json::Value>,
}

impl Problem {
    /// A problem with a status, a short title and a detail for humans.
    pub fn new(status: StatusCode, title: &'static str, detail: impl Into<String>) -> Problem {
        Problem {
            status,
            title,
            detail: detail.into(),
            extra: None,
        }
    }

    /// 404: the named thing does not exist.
    pub fn not_found(what: impl Into<String>) -> Problem {
        Problem::new(StatusCode::NOT_FOUND, "Not Found", what)
    }

    /// 400: the request is malformed.
    pub fn bad_request(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::BAD_REQUEST, "Bad Request", detail)
    }

    /// 422: a value is well-formed but not acceptable.
    pub fn invalid(detail: impl Into<String>) -> Problem {
        Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Unprocessable Entity",
            detail,
        )
    }

    /// 401: a missing or wrong API key.
    pub fn unauthorized(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::UNAUTHORIZED, "Unauthorized", detail)
    }

    /// 500: something failed on our side; the cause is logged, not shown.
    pub fn internal(cause: impl std::fmt::Display) -> Problem {
        tracing::error!("internal error: {cause}");
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Internal Server Error",
            "The server could not complete the request; nothing was changed.",
        )
    }
}

impl From<crate::domain::status::InvalidEnum> for Problem {
    fn from(e: crate::domain::status::InvalidEnum) -> Problem {
        let mut p = Problem::invalid(e.to_string());
        p.extra = Some(json!({ "field": e.field, "allowed_values": e.allowed }));
        p
    }
}

impl From<crate::storage::StoreError> for Problem {
    fn from(e: crate::storage::StoreError) -> Problem {
        Problem::internal(e)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let mut body = json!({
            "type": "about:blank",
            "title": self.title,
            "status": self.status.as_u16(),
            "detail": self.detail,
        });
        if let (Some(obj), Some(serde_json::Value::Object(extra))) =
            (body.as_object_mut(), self.extra)
        {
            obj.extend(extra);
        }
        (
            self.status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body.to_string(),
        )
            .into_response()
    }
}
