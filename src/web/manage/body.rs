//! Request bodies of the manage API: JSON or Statuspage's form encoding
//! (`incident[components][abc]=major_outage&incident[component_ids][]=abc`),
//! read into one JSON value, then field by field with clear errors.

use crate::domain::status::InvalidEnum;
use crate::domain::time::{self, Millis};
use crate::domain::{ComponentStatus, Id};
use crate::web::problem::Problem;
use axum::http::{header, HeaderMap, StatusCode};
use serde_json::{json, Map, Value};

/// Reads a body as JSON or as a form, by its Content-Type. An empty body is `{}`.
pub fn parse(headers: &HeaderMap, bytes: &[u8]) -> Result<Value, Problem> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        });
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Map::new()));
    }
    match content_type.as_deref() {
        Some("application/json") => json_body(bytes),
        Some(t) if t.starts_with("application/") && t.ends_with("+json") => json_body(bytes),
        Some("application/x-www-form-urlencoded") => form_body(bytes),
        None if bytes.trim_ascii_start().starts_with(b"{") => json_body(bytes),
        None => form_body(bytes),
        Some(_) => Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Unsupported Media Type",
            "Send application/json or application/x-www-form-urlencoded.",
        )),
    }
}

fn json_body(bytes: &[u8]) -> Result<Value, Problem> {
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| Problem::bad_request(format!("The body is not valid JSON: {e}.")))?;
    if !value.is_object() {
        return Err(Problem::bad_request("The body must be a JSON object."));
    }
    Ok(value)
}

/// Decodes `a[b][c]=v` and `a[b][]=v` pairs into nested objects and arrays of strings.
pub fn form_body(bytes: &[u8]) -> Result<Value, Problem> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(bytes)
        .map_err(|e| Problem::bad_request(format!("The form body cannot be decoded: {e}.")))?;
    let mut root = Value::Object(Map::new());
    for (key, value) in pairs {
        let path = key_path(&key)
            .ok_or_else(|| Problem::bad_request(format!("The form key `{key}` is malformed.")))?;
        insert(&mut root, &path, value).map_err(|()| {
            Problem::bad_request(format!("The form key `{key}` conflicts with another key."))
        })?;
    }
    Ok(root)
}

/// How deeply form keys may nest (`a[b][c]` is 3); deeper keys are refused.
const MAX_DEPTH: usize = 6;

/// `incident[components][abc]` → `["incident", "components", "abc"]`; `[]` is an empty segment.
fn key_path(key: &str) -> Option<Vec<&str>> {
    let (head, mut rest) = match key.find('[') {
        Some(i) => (&key[..i], &key[i..]),
        None => (key, ""),
    };
    if head.is_empty() {
        return None;
    }
    let mut path = vec![head];
    while !rest.is_empty() {
        let inner = rest.strip_prefix('[')?;
        let end = inner.find(']')?;
        path.push(&inner[..end]);
        rest = &inner[end + 1..];
        if path.len() > MAX_DEPTH {
            return None;
        }
    }
    Some(path)
}

fn insert(target: &mut Value, path: &[&str], value: String) -> Result<(), ()> {
    let Some((segment, rest)) = path.split_first() else {
        return Err(());
    };
    if segment.is_empty() {
        if target.is_null() {
            *target = Value::Array(Vec::new());
        }
        let Value::Array(items) = target else {
            return Err(());
        };
        let Some(next) = rest.first() else {
            items.push(Value::String(value));
            return Ok(());
        };
        // `a[][x]=1&a[][y]=2` fills the last object until a key repeats.
        let reuse = matches!(items.last(), Some(Value::Object(o)) if !o.contains_key(*next));
        if !reuse {
            items.push(Value::Object(Map::new()));
        }
        let last = items.last_mut().ok_or(())?;
        return insert(last, rest, value);
    }
    if target.is_null() {
        *target = Value::Object(Map::new());
    }
    let Value::Object(map) = target else {
        return Err(());
    };
    if rest.is_empty() {
        if map.get(*segment).is_some_and(|v| !v.is_string()) {
            return Err(());
        }
        map.insert(segment.to_string(), Value::String(value));
        Ok(())
    } else {
        let entry = map.entry(segment.to_string()).or_insert(Value::Null);
        insert(entry, rest, value)
    }
}

/// The fields of one wrapped object (`{"component": {...}}`), read with typed accessors.
pub struct Fields<'a> {
    map: &'a Map<String, Value>,
    wrapper: &'static str,
}

fn invalid_field(field: String, detail: String, expected: &str) -> Problem {
    let mut p = Problem::invalid(detail);
    p.extra = Some(json!({ "field": field, "expected": expected }));
    p
}

impl<'a> Fields<'a> {
    /// The object under `wrapper`; 422 when the body does not wrap its fields.
    pub fn wrapped(body: &'a Value, wrapper: &'static str) -> Result<Fields<'a>, Problem> {
        match body.get(wrapper) {
            Some(Value::Object(map)) => Ok(Fields { map, wrapper }),
            _ => Err(Problem::invalid(format!(
                "Wrap the fields in `{wrapper}`: {{\"{wrapper}\": {{...}}}} in JSON, `{wrapper}[name]=…` in a form."
            ))),
        }
    }

    /// The field's full name in error messages: `incident[name]`.
    pub fn name(&self, field: &str) -> String {
        format!("{}[{field}]", self.wrapper)
    }

    /// True when the field was sent (even as null).
    pub fn has(&self, field: &str) -> bool {
        self.map.contains_key(field)
    }

    fn get(&self, field: &str) -> Option<&'a Value> {
        self.map.get(field).filter(|v| !v.is_null())
    }

    fn wrong(&self, field: &str, expected: &str) -> Problem {
        invalid_field(
            self.name(field),
            format!("`{}` must be {expected}.", self.name(field)),
            expected,
        )
    }

    /// A text field; absent or null is None.
    pub fn text(&self, field: &str) -> Result<Option<String>, Problem> {
        match self.get(field) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(_) => Err(self.wrong(field, "a string")),
        }
    }

    /// A text field that may be cleared: absent is None, null or "" is Some(None).
    pub fn nullable_text(&self, field: &str) -> Result<Option<Option<String>>, Problem> {
        if !self.has(field) {
            return Ok(None);
        }
        Ok(Some(self.text(field)?.filter(|s| !s.trim().is_empty())))
    }

    /// A required, non-blank text field.
    pub fn required_text(&self, field: &str) -> Result<String, Problem> {
        match self.text(field)? {
            Some(s) if !s.trim().is_empty() => Ok(s.trim().to_string()),
            _ => Err(invalid_field(
                self.name(field),
                format!("`{}` is required.", self.name(field)),
                "a non-empty string",
            )),
        }
    }

    /// A boolean: JSON true/false, or "true"/"false"/"t"/"f"/"1"/"0" from a form.
    pub fn boolean(&self, field: &str) -> Result<Option<bool>, Problem> {
        match self.get(field) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
                "true" | "t" | "1" | "yes" | "on" => Ok(Some(true)),
                "false" | "f" | "0" | "no" | "off" => Ok(Some(false)),
                _ => Err(self.wrong(field, "true or false")),
            },
            Some(Value::Number(n)) => match n.as_i64() {
                Some(1) => Ok(Some(true)),
                Some(0) => Ok(Some(false)),
                _ => Err(self.wrong(field, "true or false")),
            },
            Some(_) => Err(self.wrong(field, "true or false")),
        }
    }

    /// An integer, as a JSON number or a form string.
    pub fn integer(&self, field: &str) -> Result<Option<i64>, Problem> {
        match self.get(field) {
            None => Ok(None),
            Some(Value::Number(n)) => n
                .as_i64()
                .map(Some)
                .ok_or_else(|| self.wrong(field, "an integer")),
            Some(Value::String(s)) => s
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| self.wrong(field, "an integer")),
            Some(_) => Err(self.wrong(field, "an integer")),
        }
    }

    /// A number (fractions allowed), as a JSON number or a form string.
    pub fn number(&self, field: &str) -> Result<Option<f64>, Problem> {
        match self.get(field) {
            None => Ok(None),
            Some(Value::Number(n)) => Ok(n.as_f64()),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => s
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
                .map(Some)
                .ok_or_else(|| self.wrong(field, "a number")),
            Some(_) => Err(self.wrong(field, "a number")),
        }
    }

    /// The field as sent, for nested objects read elsewhere.
    pub fn raw(&self, field: &str) -> Option<&'a Value> {
        self.get(field)
    }

    /// An RFC 3339 timestamp; absent, null or "" is None.
    pub fn time(&self, field: &str) -> Result<Option<Millis>, Problem> {
        match self.text(field)? {
            None => Ok(None),
            Some(s) if s.trim().is_empty() => Ok(None),
            Some(s) => time::parse(&s).map(Some).ok_or_else(|| {
                self.wrong(field, "an RFC 3339 timestamp such as 2024-04-03T10:00:00Z")
            }),
        }
    }

    /// One of an enum's spellings; 422 names the allowed values.
    pub fn parsed<T>(
        &self,
        field: &str,
        parse: fn(&str) -> Result<T, InvalidEnum>,
    ) -> Result<Option<T>, Problem> {
        match self.text(field)? {
            None => Ok(None),
            Some(s) => parse(s.trim())
                .map(Some)
                .map_err(|e| enum_problem(e, self.name(field))),
        }
    }

    /// An identifier; 422 when malformed.
    pub fn id(&self, field: &str) -> Result<Option<Id>, Problem> {
        match self.text(field)? {
            None => Ok(None),
            Some(s) if s.trim().is_empty() => Ok(None),
            Some(s) => Id::parse(s.trim())
                .map(Some)
                .ok_or_else(|| self.wrong(field, "an identifier")),
        }
    }

    /// A list of identifiers: a JSON array, a form's `field[]=a&field[]=b`, or one id.
    pub fn ids(&self, field: &str) -> Result<Option<Vec<Id>>, Problem> {
        let items: Vec<&Value> = match self.map.get(field) {
            None => return Ok(None),
            Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items.iter().collect(),
            // `field[0]=a&field[1]=b`
            Some(Value::Object(map)) => map.values().collect(),
            Some(v @ Value::String(_)) => vec![v],
            Some(_) => return Err(self.wrong(field, "a list of identifiers")),
        };
        let mut ids = Vec::with_capacity(items.len());
        for item in items {
            let text = item.as_str().map(str::trim).unwrap_or_default();
            if text.is_empty() {
                continue;
            }
            let id = Id::parse(text).ok_or_else(|| self.wrong(field, "a list of identifiers"))?;
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        Ok(Some(ids))
    }

    /// A map of component id to status: `{"abc": "major_outage"}`.
    pub fn status_map(&self, field: &str) -> Result<Option<Vec<(Id, ComponentStatus)>>, Problem> {
        let map = match self.map.get(field) {
            None => return Ok(None),
            Some(Value::Null) => return Ok(Some(Vec::new())),
            Some(Value::Object(map)) => map,
            Some(_) => return Err(self.wrong(field, "an object mapping component ids to statuses")),
        };
        let mut out = Vec::with_capacity(map.len());
        for (key, value) in map {
            let name = format!("{}[{key}]", self.name(field));
            let id = Id::parse(key.trim()).ok_or_else(|| {
                invalid_field(
                    name.clone(),
                    format!("`{key}` is not a component id."),
                    "an identifier",
                )
            })?;
            let text = value.as_str().ok_or_else(|| {
                invalid_field(
                    name.clone(),
                    format!("`{name}` must be a status."),
                    "a status",
                )
            })?;
            let status = ComponentStatus::parse(text.trim()).map_err(|e| enum_problem(e, name))?;
            out.push((id, status));
        }
        Ok(Some(out))
    }
}

/// 422 naming the field and its allowed values.
pub fn enum_problem(e: InvalidEnum, field: String) -> Problem {
    let mut p = Problem::invalid(format!("`{field}`: {e}"));
    p.extra = Some(json!({ "field": field, "allowed_values": e.allowed }));
    p
}

/// 422 for an identifier in the body that names nothing.
pub fn unknown_reference(field: String, id: &Id, what: &str) -> Problem {
    invalid_field(
        field,
        format!("There is no {what} with id `{id}`."),
        "an existing identifier",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_keys_nest_like_statuspage() {
        let v = form_body(
            b"incident[name]=Down&incident[components][abc123]=major_outage&incident[component_ids][]=abc123&incident[component_ids][]=def&incident[deliver_notifications]=true",
        )
        .unwrap();
        assert_eq!(v["incident"]["name"], "Down");
        assert_eq!(v["incident"]["components"]["abc123"], "major_outage");
        assert_eq!(v["incident"]["component_ids"], json!(["abc123", "def"]));
        let f = Fields::wrapped(&v, "incident").unwrap();
        assert_eq!(f.boolean("deliver_notifications").unwrap(), Some(true));
        assert_eq!(f.ids("component_ids").unwrap().unwrap().len(), 2);
    }

    #[test]
    fn malformed_and_conflicting_keys_are_rejected() {
        assert!(form_body(b"incident[name=x").is_err());
        assert!(form_body(b"a=1&a[b]=2").is_err());
        assert!(form_body(b"[x]=1").is_err());
        let deep = format!("a{}=1", "[]".repeat(100_000));
        assert!(form_body(deep.as_bytes()).is_err());
    }

    #[test]
    fn enum_errors_name_field_and_values() {
        let v = json!({"component": {"status": "down", "showcase": "maybe"}});
        let f = Fields::wrapped(&v, "component").unwrap();
        let p = f.parsed("status", ComponentStatus::parse).unwrap_err();
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(p.detail.contains("component[status]"));
        assert!(f.boolean("showcase").is_err());
        assert!(Fields::wrapped(&json!({"name": "x"}), "component").is_err());
    }
}
