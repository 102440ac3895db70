//! The owner's admin as a test sees it: a cookie-keeping client that logs in
//! and submits forms with their CSRF token, like a browser would.

use super::{unescape, TestApp};
use relais::domain::time::now;
use reqwest::header::{HeaderMap, ACCEPT_LANGUAGE, COOKIE, LOCATION, SET_COOKIE};
use std::collections::BTreeMap;
use std::sync::Mutex;

pub const EMAIL: &str = "owner@example.com";
pub const PASSWORD: &str = "correct horse battery";

/// A browser that keeps cookies and does not follow redirects.
pub struct Browser {
    pub base: String,
    pub lang: &'static str,
    pub client: reqwest::Client,
    pub cookies: Mutex<BTreeMap<String, String>>,
}

/// What came back: status, `Location`, every `Set-Cookie`, body as read.
pub struct Answer {
    pub status: u16,
    pub location: String,
    pub set_cookies: Vec<String>,
    pub body: String,
}

impl Browser {
    pub fn new(app: &TestApp, lang: &'static str) -> Browser {
        Browser {
            base: app.base.clone(),
            lang,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: Mutex::new(BTreeMap::new()),
        }
    }

    pub fn cookie_header(&self) -> String {
        let jar = self.cookies.lock().unwrap();
        jar.iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub async fn absorb(&self, r: reqwest::Response) -> Answer {
        let headers: HeaderMap = r.headers().clone();
        let set_cookies: Vec<String> = headers
            .get_all(SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect();
        {
            let mut jar = self.cookies.lock().unwrap();
            for c in &set_cookies {
                let (pair, attrs) = c.split_once(';').unwrap_or((c, ""));
                let (k, v) = pair.split_once('=').unwrap();
                if attrs.contains("Max-Age=0") {
                    jar.remove(k);
                } else {
                    jar.insert(k.to_string(), v.to_string());
                }
            }
        }
        Answer {
            status: r.status().as_u16(),
            location: headers
                .get(LOCATION)
                .map(|v| v.to_str().unwrap().to_string())
                .unwrap_or_default(),
            set_cookies,
            body: unescape(&r.text().await.unwrap()),
        }
    }

    pub async fn get(&self, path: &str) -> Answer {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .header(ACCEPT_LANGUAGE, self.lang)
            .header(COOKIE, self.cookie_header())
            .send()
            .await
            .unwrap();
        self.absorb(r).await
    }

    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let r = self
            .client
            .post(format!("{}{path}", self.base))
            .header(ACCEPT_LANGUAGE, self.lang)
            .header(COOKIE, self.cookie_header())
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string(fields).unwrap())
            .send()
            .await
            .unwrap();
        self.absorb(r).await
    }

    /// A POST carrying the session's CSRF token, read from a page like a browser would.
    pub async fn submit(&self, page: &str, action: &str, fields: &[(&str, &str)]) -> Answer {
        let token = csrf_of(&self.get(page).await.body);
        let mut all = vec![("csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.post(action, &all).await
    }

    /// A multipart POST (a form with a file), as a browser sends it.
    pub async fn upload(
        &self,
        action: &str,
        fields: &[(&str, &str)],
        file: (&str, &str, &[u8]),
    ) -> Answer {
        let boundary = "----relaisTestBoundary7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        let (name, filename, bytes) = file;
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: text/csv\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let r = self
            .client
            .post(format!("{}{action}", self.base))
            .header(ACCEPT_LANGUAGE, self.lang)
            .header(COOKIE, self.cookie_header())
            .header(
                "Content-Type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .send()
            .await
            .unwrap();
        self.absorb(r).await
    }

    pub async fn login(&self, email: &str, password: &str) -> Answer {
        let form = self.get("/admin/login").await;
        assert_eq!(form.status, 200);
        let token = csrf_of(&form.body);
        self.post(
            "/admin/login",
            &[
                ("csrf", &token),
                ("email", email),
                ("password", password),
                ("next", "/admin"),
            ],
        )
        .await
    }
}

/// The hidden CSRF field of a page.
pub fn csrf_of(html: &str) -> String {
    let start = html.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    html[start..].split('"').next().unwrap().to_string()
}

pub async fn owner(app: &TestApp) {
    let hash = relais::web::auth::hash_password(PASSWORD).unwrap();
    app.running
        .state
        .store()
        .upsert_user(EMAIL, &hash, now())
        .await
        .unwrap();
}

pub async fn logged_in(app: &TestApp, lang: &'static str) -> Browser {
    owner(app).await;
    let b = Browser::new(app, lang);
    let r = b.login(EMAIL, PASSWORD).await;
    assert_eq!(r.status, 303, "{}", r.body);
    b
}
