//! Reading `application/x-www-form-urlencoded` bodies, repeated fields included
//! (checkbox lists), and checking what people typed.

use super::session::request_lang;
use super::view::{AdminError, Errors};
use crate::domain::Lang;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

/// The fields of a submitted form, in order.
pub struct FormData(Vec<(String, String)>);

impl<S: Send + Sync> FromRequest<S> for FormData {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let lang = request_lang(req.uri(), req.headers());
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(IntoResponse::into_response)?;
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
            .map(FormData)
            .map_err(|_| AdminError::BadRequest(lang).into_response())
    }
}

impl FormData {
    /// The first value of `key`, or "".
    pub fn get(&self, key: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Every value of `key`.
    pub fn all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// True when `key` was sent (a ticked checkbox).
    pub fn has(&self, key: &str) -> bool {
        self.0.iter().any(|(k, _)| k == key)
    }

    /// What the person typed, to show again (secrets left out).
    pub fn values(&self) -> Value {
        let mut map = Map::new();
        for (k, v) in &self.0 {
            if k != "csrf" && k != "password" {
                map.entry(k.clone())
                    .or_insert_with(|| Value::String(v.clone()));
            }
        }
        Value::Object(map)
    }

    /// A required single-line text of at most `max` characters, trimmed.
    pub fn text(&self, key: &str, max: usize, errors: &mut Errors, lang: Lang) -> String {
        let v = self.get(key).trim();
        if v.is_empty() {
            errors.add(lang, key, "err_required");
        } else if v.chars().count() > max {
            errors.add(lang, key, "err_too_long");
        }
        v.to_string()
    }

    /// An optional text of at most `max` characters; None when blank.
    pub fn optional(
        &self,
        key: &str,
        max: usize,
        errors: &mut Errors,
        lang: Lang,
    ) -> Option<String> {
        let v = self.get(key).trim();
        if v.chars().count() > max {
            errors.add(lang, key, "err_too_long");
        }
        (!v.is_empty()).then(|| v.replace("\r\n", "\n"))
    }
}
