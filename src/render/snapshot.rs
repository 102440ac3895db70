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
    pub mirror_paths: Vec<String>,
}

impl Asset {
    fn new(
        content_type: &'static str,
        cache_control: &'static str,
        body: String,
        mirror_paths: Vec<String>,
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
            mirror_paths,
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

    /// Renders everything from `data`. Documents whose bytes are the same as in
    /// `previous` keep its compressed copies instead of being compressed again.
    pub fn build(
        data: &PageData,
        env: &Environment<'static>,
        version: u64,
        previous: Option<&Snapshot>,
    ) -> Result<Snapshot, minijinja::Error> {
        let mut s = Snapshot {
            version,
            ..Default::default()
        };
        let mut put = |key: String,
                       kind: &'static str,
                       cache: &'static str,
                       body: String,
                       mirror: Vec<String>| {
            let reused = previous
                .and_then(|p| p.assets.get(&key))
                .filter(|a| a.identity == body.as_bytes())
                .cloned();
            let asset = reused.unwrap_or_else(|| Arc::new(Asset::new(kind, cache, body, mirror)));
            s.assets.insert(key, asset);
        };
        let (html, json_type) = (
            "text/html; charset=utf-8",
            "application/json; charset=utf-8",
        );
        let mut live_sections = HashMap::new();
        for lang in Lang::ALL {
            let code = lang.code();
            let live_ctx = view::live(data, lang);
            live_sections.insert(lang, env.get_template("live.html")?.render(&live_ctx)?);
            let page = env.get_template("status.html")?.render(&live_ctx)?;
            let mut mirror = vec![format!("{code}/index.html")];
            if lang == Lang::En {
                mirror.push("index.html".into());
            }
            put(format!("/status@{code}"), html, CACHE_SHORT, page, mirror);
            let history = env
                .get_template("history.html")?
                .render(view::history(data, lang))?;
            put(
                format!("/history@{code}"),
                html,
                CACHE_SHORT,
                history,
                vec![format!("{code}/history/index.html")],
            );
            for incident in &data.incidents {
                let mut ctx = view::base(data, lang);
                ctx["here"] = json!(format!("incidents/{}/", incident.id));
                ctx["incident"] = view::incident(incident, data, lang);
                let body = env.get_template("incident.html")?.render(ctx)?;
                let id = &incident.id;
                put(
                    format!("/incidents/{id}@{code}"),
                    html,
                    CACHE_SHORT,
                    body,
                    vec![format!("{code}/incidents/{id}/index.html")],
                );
            }
        }
        for (name, doc) in statuspage::v2_documents(data) {
            put(
                format!("/api/v2/{name}"),
                json_type,
                CACHE_SHORT,
                doc.to_string(),
                vec![format!("api/v2/{name}")],
            );
        }
        let alternatives = json!({
            "page": statuspage::page(data),
            "status": data.rollup,
            "alternatives": data.alternatives,
        });
        let fixed: [(&str, &'static str, &'static str, String); 6] = [
            (
                "/api/alternatives.json",
                json_type,
                CACHE_SHORT,
                alternatives.to_string(),
            ),
            (
                "/history.atom",
                "application/atom+xml; charset=utf-8",
                CACHE_SHORT,
                feeds::atom(data),
            ),
            (
                "/history.rss",
                "application/rss+xml; charset=utf-8",
                CACHE_SHORT,
                feeds::rss(data),
            ),
            (
                "/widget.js",
                "text/javascript; charset=utf-8",
                CACHE_SHORT,
                widget(data),
            ),
            (
                "/assets/style.css",
                "text/css; charset=utf-8",
                CACHE_ASSET,
                assets::STYLE_CSS.into(),
            ),
            (
                "/assets/live.js",
                "text/javascript; charset=utf-8",
                CACHE_ASSET,
                assets::LIVE_JS.into(),
            ),
        ];
        for (path, kind, cache, body) in fixed {
            put(
                path.to_string(),
                kind,
                cache,
                body,
                vec![path.trim_start_matches('/').to_string()],
            );
        }
        s.live = live_sections;
        Ok(s)
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
            "report": t["report_button"],
            "thanks": t["report_counted"],
            "limit": t["report_limit"],
            "cant_reach": t["cant_reach"],
        })
    };
    // Channels visitors can report from the banner (not those already down).
    let reports: Vec<_> = data
        .channels
        .iter()
        .filter(|c| {
            c.status != crate::domain::ComponentStatus::MajorOutage
                && data.checks.get(&c.id).is_some_and(|k| k.reports)
        })
        .map(|c| json!({ "id": c.id, "name": c.name }))
        .collect();
    let payload = json!({
        "active": data.alternatives.active(),
        "version": assets::etag(data.alternatives.message_en.as_bytes()),
        "url": data.page.url,
        "reports": reports,
        "en": text(Lang::En),
        "fr": text(Lang::Fr),
    });
    let literal = payload.to_string().replace('<', "\\u003c");
    assets::WIDGET_JS.replace("__RELAIS_DATA__", &literal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Channel, ChannelKind, ComponentStatus};
    use std::collections::BTreeMap;

    fn data(status: ComponentStatus) -> PageData {
        let mut c = Channel::new("WhatsApp", ChannelKind::Whatsapp, "+33 6", 0);
        c.status = status;
        let settings = BTreeMap::new();
        PageData::assemble(
            settings,
            vec![c],
            vec![],
            vec![],
            Default::default(),
            "http://x",
            1,
        )
    }

    #[test]
    fn unchanged_documents_keep_their_compressed_copies() {
        let env = super::super::templates::environment(None).unwrap();
        let first = Snapshot::build(&data(ComponentStatus::Operational), &env, 1, None).unwrap();
        let second =
            Snapshot::build(&data(ComponentStatus::MajorOutage), &env, 2, Some(&first)).unwrap();
        let same = |key: &str| Arc::ptr_eq(&first.assets[key], &second.assets[key]);
        assert!(same("/assets/style.css"));
        assert!(same("/history@fr"));
        assert!(!same("/status@fr"));
        assert!(!same("/widget.js"));
        let page = String::from_utf8_lossy(&second.assets["/status@en"].identity).to_string();
        assert!(page.contains("Major outage"));
    }

    #[test]
    fn the_mirror_rewrites_only_what_changed() {
        let env = super::super::templates::environment(None).unwrap();
        let dir = std::env::temp_dir().join(format!(
            "relais-mirror-{}",
            crate::domain::id::random_hex(4)
        ));
        let first = Snapshot::build(&data(ComponentStatus::Operational), &env, 1, None).unwrap();
        let all = super::super::mirror::write(&first, None, &dir).unwrap();
        let second =
            Snapshot::build(&data(ComponentStatus::MajorOutage), &env, 2, Some(&first)).unwrap();
        let changed = super::super::mirror::write(&second, Some(&first), &dir).unwrap();
        assert!(changed > 0 && changed < all, "{changed} of {all}");
        let page = std::fs::read_to_string(dir.join("fr/index.html")).unwrap();
        assert!(page.contains("Panne majeure"));
        assert!(dir.join("assets/style.css").is_file());
        std::fs::remove_dir_all(&dir).ok();
    }
}
