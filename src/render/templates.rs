//! The page templates: embedded defaults that a theme folder overrides by name.

use minijinja::Environment;
use std::path::Path;

/// The default templates, compiled into the binary.
const EMBEDDED: &[(&str, &str)] = &[
    ("base.html", include_str!("templates/base.html")),
    ("status.html", include_str!("templates/status.html")),
    ("live.html", include_str!("templates/live.html")),
    ("history.html", include_str!("templates/history.html")),
    ("incident.html", include_str!("templates/incident.html")),
    ("admin/base.html", include_str!("templates/admin/base.html")),
    (
        "admin/login.html",
        include_str!("templates/admin/login.html"),
    ),
    (
        "admin/dashboard.html",
        include_str!("templates/admin/dashboard.html"),
    ),
    (
        "admin/channels.html",
        include_str!("templates/admin/channels.html"),
    ),
    (
        "admin/channel_form.html",
        include_str!("templates/admin/channel_form.html"),
    ),
    (
        "admin/group_form.html",
        include_str!("templates/admin/group_form.html"),
    ),
    (
        "admin/confirm.html",
        include_str!("templates/admin/confirm.html"),
    ),
    (
        "admin/incidents.html",
        include_str!("templates/admin/incidents.html"),
    ),
    (
        "admin/incident_new.html",
        include_str!("templates/admin/incident_new.html"),
    ),
    (
        "admin/incident.html",
        include_str!("templates/admin/incident.html"),
    ),
    (
        "admin/maintenance.html",
        include_str!("templates/admin/maintenance.html"),
    ),
    (
        "admin/settings.html",
        include_str!("templates/admin/settings.html"),
    ),
    ("admin/keys.html", include_str!("templates/admin/keys.html")),
    (
        "admin/subscribers.html",
        include_str!("templates/admin/subscribers.html"),
    ),
    (
        "admin/broadcasts.html",
        include_str!("templates/admin/broadcasts.html"),
    ),
    (
        "admin/broadcast.html",
        include_str!("templates/admin/broadcast.html"),
    ),
    (
        "admin/broadcast_row.html",
        include_str!("templates/admin/broadcast_row.html"),
    ),
    (
        "admin/dead_letters.html",
        include_str!("templates/admin/dead_letters.html"),
    ),
    (
        "admin/outlets.html",
        include_str!("templates/admin/outlets.html"),
    ),
    (
        "admin/outlet_form.html",
        include_str!("templates/admin/outlet_form.html"),
    ),
    (
        "admin/announcement.html",
        include_str!("templates/admin/announcement.html"),
    ),
    (
        "admin/monitors.html",
        include_str!("templates/admin/monitors.html"),
    ),
    (
        "admin/monitor_form.html",
        include_str!("templates/admin/monitor_form.html"),
    ),
    (
        "email/broadcast.txt",
        include_str!("templates/email/broadcast.txt"),
    ),
    (
        "email/broadcast.html",
        include_str!("templates/email/broadcast.html"),
    ),
    (
        "email/confirm.txt",
        include_str!("templates/email/confirm.txt"),
    ),
    (
        "email/confirm.html",
        include_str!("templates/email/confirm.html"),
    ),
    ("email/page.html", include_str!("templates/email/page.html")),
    (
        "email/preferences.html",
        include_str!("templates/email/preferences.html"),
    ),
    (
        "email/signup_form.html",
        include_str!("templates/email/signup_form.html"),
    ),
];

/// Builds the template environment; a file named like an embedded template in
/// `theme_dir` replaces it. HTML is escaped automatically.
pub fn environment(theme_dir: Option<&Path>) -> Result<Environment<'static>, minijinja::Error> {
    let mut env = Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Lenient);
    for (name, default) in EMBEDDED {
        let text = theme_dir
            .map(|dir| dir.join(name))
            .filter(|p| p.is_file())
            .and_then(|p| std::fs::read_to_string(p).ok())
            .unwrap_or_else(|| (*default).to_string());
        env.add_template_owned(*name, text)?;
    }
    Ok(env)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn theme_files_override_by_name_and_html_is_escaped() {
        let dir =
            std::env::temp_dir().join(format!("relais-theme-{}", crate::domain::id::random_hex(4)));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("history.html"), "custom {{ page.name }}").unwrap();
        let env = environment(Some(&dir)).unwrap();
        let out = env
            .get_template("history.html")
            .unwrap()
            .render(minijinja::context! { page => minijinja::context! { name => "<b>Café</b>" } })
            .unwrap();
        assert_eq!(out, "custom &lt;b&gt;Café&lt;&#x2f;b&gt;");
        std::fs::remove_dir_all(&dir).ok();
    }
}
