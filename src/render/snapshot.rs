//! The whole public surface, rendered and compressed once per change.

use super::{assets, feeds, statuspage, view, PageData};
use crate::domain::Lang;
use axum::body::Bytes;
use axum::http::HeaderValue;
use minijinja::Environment;
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;

/// Cache policy of pages and JSON: shared caches may keep them briefly and
/// serve stale copies while they refresh (the outage rush hits CDNs first).
pub const CACHE_SHORT: &str = "public, max-age=5, stale-while-revalidate=30, stale-if-error=86400";
/// Cache policy of versioned-by-content assets.
pub const CACHE_ASSET: &str = "public, max-age=300, stale-while-revalidate=86400";

/// One pre-rendered response.
#[derive(Debug)]
pub struct Asset {
    pub content_type: &'static str,
    pub cache_control: &'static str,
    pub etag: String,
    /// The ETag as a ready header value.
    pub etag_header: HeaderValue,
    pub identity: Bytes,
    pub gzip: Bytes,
    pub br: Bytes,
    /// Where the static mirror writes it, relative to the mirror folder.
    pub mirror_path: Option<String>,
}

impl Asset {
    fn new(
        content_type: &'static str,
        cache_control: &'static str,
        body: String,
        mirror_path: Option<String>,
    ) -> Asset {
        let identity = Bytes::from(body);
        let etag = assets::etag(&identity);
        Asset {
            content_type,
            cache_control,
            // An ETag is quoted hex: always a valid header value.
            etag_header: HeaderValue::from_str(&etag).unwrap_or(HeaderValue::from_static("\"0\"")),
            etag,
            gzip: assets::gzip(&identity),
            br: assets::brotli(&identity),
            identity,
            mirror_path,
        }
    }
}

/// Everything served to visitors at one version of the page.
#[derive(Debug, Default)]
pub struct Snapshot {
    pub version: u64,
    /// Keyed by path, with `@en`/`@fr` appended for language-specific ones.
    pub assets: HashMap<String, Arc<Asset>>,
    /// The live section of the status page, per language, pushed over SSE.
    pub live: HashMap<Lang, String>,
}

impl Snapshot {
    /// The asset for a path (and language, for pages).
    pub fn get(&self, path: &str, lang: Option<Lang>) -> Option<Arc<Asset>> {
        match lang {
            Some(l) => self.assets.get(&format!("{path}@{}", l.code())).cloned(),
            None => self.assets.get(path).cloned(),
        }
    }

    /// Renders everything from `data`.
    pub fn build(
        data: &PageData,
        env: &Environment<'static>,
        version: u64,
    ) -> Result<Snapshot, minijinja::Error> {
        let mut s = Snapshot {
            version,
            ..Default::default()
        };
        let html = "text/html; charset=utf-8";
        for lang in Lang::ALL {
            let code = lang.code();
            let live_ctx = view::live(data, lang);
            let live = env.get_template("live.html")?.render(&live_ctx)?;
            let page = env.get_template("status.html")?.render(&live_ctx)?;
            let mirror = match lang {
                Lang::En => "index.html".to_string(),
                Lang::Fr => "fr/index.html".to_string(),
            };
            s.put(
                &format!("/status@{code}"),
                Asset::new(html, CACHE_SHORT, page, Some(mirror)),
            );
            s.live.insert(lang, live);
            let history = env
                .get_template("history.html")?
                .render(view::history(data, lang))?;
            s.put(
                &format!("/history@{code}"),
                Asset::new(
                    html,
                    CACHE_SHORT,
                    history,
                    Some(format!("{code}/history.html")),
                ),
            );
            for incident in &data.incidents {
                let mut ctx = view::base(data, lang);
                ctx["incident"] = view::incident(incident, data, lang);
                let body = env.get_template("incident.html")?.render(ctx)?;
                s.put(
                    &format!("/incidents/{}@{code}", incident.id),
                    Asset::new(
                        html,
                        CACHE_SHORT,
                        body,
                        Some(format!("{code}/incidents/{}.html", incident.id)),
                    ),
                );
            }
        }
        let json_type = "application/json; charset=utf-8";
        for (name, doc) in statuspage::v2_documents(data) {
            s.put(
                &format!("/api/v2/{name}"),
                Asset::new(
                    json_type,
                    CACHE_SHORT,
                    doc.to_string(),
                    Some(format!("api/v2/{name}")),
                ),
            );
        }
        let alternatives = json!({
            "page": statuspage::page(data),
            "status": data.rollup,
            "alternatives": data.alternatives,
        });
        s.put(
            "/api/alternatives.json",
            Asset::new(
                json_type,
                CACHE_SHORT,
                alternatives.to_string(),
                Some("api/alternatives.json".into()),
            ),
        );
        s.put(
            "/history.atom",
            Asset::new(
                "application/atom+xml; charset=utf-8",
                CACHE_SHORT,
                feeds::atom(data),
                Some("history.atom".into()),
            ),
        );
        s.put(
            "/history.rss",
            Asset::new(
                "application/rss+xml; charset=utf-8",
                CACHE_SHORT,
                feeds::rss(data),
                Some("history.rss".into()),
            ),
        );
        s.put(
            "/widget.js",
            Asset::new(
                "text/javascript; charset=utf-8",
                CACHE_SHORT,
                widget(data),
                Some("widget.js".into()),
            ),
        );
        s.put(
            "/assets/style.css",
            Asset::new(
                "text/css; charset=utf-8",
                CACHE_ASSET,
                assets::STYLE_CSS.into(),
                Some("assets/style.css".into()),
            ),
        );
        s.put(
            "/assets/live.js",
            Asset::new(
                "text/javascript; charset=utf-8",
                CACHE_ASSET,
                assets::LIVE_JS.into(),
                Some("assets/live.js".into()),
            ),
        );
        Ok(s)
    }

    fn put(&mut self, key: &str, asset: Asset) {
        self.assets.insert(key.to_string(), Arc::new(asset));
    }
}

/// The banner script with the current outage and alternatives baked in.
fn widget(data: &PageData) -> String {
    let text = |lang: Lang| {
        let t = super::i18n::strings(lang);
        json!({
            "lang": lang.code(),
            "message": data.alternatives.message(lang),
            "see_status": t["see_status"],
            "dismiss": t["dismiss"],
        })
    };
    let payload = json!({
        "active": data.alternatives.active(),
        "version": assets::etag(data.alternatives.message_en.as_bytes()),
        "url": data.page.url,
        "en": text(Lang::En),
        "fr": text(Lang::Fr),
    });
    let literal = payload.to_string().replace('<', "\\u003c");
    assets::WIDGET_JS.replace("__RELAIS_DATA__", &literal)
}
