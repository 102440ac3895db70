//! Every interface string a visitor reads, in English and French.

use crate::domain::{ComponentStatus, Impact, IncidentStatus, Lang};
use serde_json::{Map, Value};

/// `(key, English, French)`.
const STRINGS: &[(&str, &str, &str)] = &[
    ("status_page", "Status", "État des services"),
    ("channels", "Our channels", "Nos canaux"),
    (
        "how_to_reach",
        "How to reach us right now",
        "Comment nous joindre maintenant",
    ),
    (
        "active_incidents",
        "Ongoing incidents",
        "Incidents en cours",
    ),
    (
        "active_maintenance",
        "Maintenance in progress",
        "Maintenance en cours",
    ),
    (
        "upcoming_maintenance",
        "Scheduled maintenance",
        "Maintenances prévues",
    ),
    ("history", "Incident history", "Historique des incidents"),
    (
        "no_incidents",
        "No incidents in the last 90 days.",
        "Aucun incident ces 90 derniers jours.",
    ),
    (
        "uptime_90",
        "uptime over 90 days",
        "de disponibilité sur 90 jours",
    ),
    ("days_ago_90", "90 days ago", "il y a 90 jours"),
    ("days_ago_30", "30 days ago", "il y a 30 jours"),
    ("colon", ": ", "\u{a0}: "),
    ("today", "Today", "Aujourd'hui"),
    ("uptime", "Uptime", "Disponibilité"),
    (
        "report_button",
        "I can't reach you on",
        "Je n'arrive pas à vous joindre sur",
    ),
    (
        "report_thanks",
        "Thank you: your report is counted. When enough visitors report the same problem, this page says so.",
        "Merci : votre signalement est pris en compte. Quand assez de visiteurs signalent le même problème, cette page l'indique.",
    ),
    (
        "report_counted",
        "Thank you: your report is counted.",
        "Merci : votre signalement est pris en compte.",
    ),
    ("cant_reach", "Can't reach us?", "Vous n'arrivez pas à nous joindre ?"),
    (
        "report_limit",
        "Thank you: your reports are already counted.",
        "Merci : vos signalements sont déjà pris en compte.",
    ),
    (
        "push_button",
        "Get browser notifications",
        "Recevoir les notifications",
    ),
    (
        "push_explain",
        "Your browser tells you when one of our channels has a problem, and when it works again.",
        "Votre navigateur vous prévient quand l'un de nos canaux a un problème, et quand il fonctionne de nouveau.",
    ),
    (
        "push_on",
        "Notifications are on for this browser.",
        "Les notifications sont activées pour ce navigateur.",
    ),
    (
        "push_off_button",
        "Stop notifications",
        "Arrêter les notifications",
    ),
    (
        "push_denied",
        "Notifications are blocked in this browser's settings.",
        "Les notifications sont bloquées dans les réglages de ce navigateur.",
    ),
    (
        "push_failed",
        "Notifications could not be turned on; please try again later.",
        "Impossible d'activer les notifications ; réessayez plus tard.",
    ),
    (
        "detected_automatically",
        "Detected automatically",
        "Détecté automatiquement",
    ),
    ("no_data", "No data", "Pas de données"),
    ("no_outage", "No outage", "Aucune panne"),
    ("minutes_outage", "min of outage", "min de panne"),
    ("affects", "Affects", "Concerne"),
    ("updated", "Last updated", "Dernière mise à jour"),
    (
        "live",
        "Live: this page updates by itself.",
        "En direct : cette page se met à jour toute seule.",
    ),
    ("back", "Back to the status page", "Retour à la page d'état"),
    ("causes", "Cause", "Cause"),
    ("measures", "Measures taken", "Mesures prises"),
    ("postmortem", "Postmortem", "Analyse après incident"),
    ("started", "Started", "Début"),
    ("resolved_after", "Resolved after", "Résolu après"),
    ("window", "Window", "Créneau"),
    ("contact", "Contact", "Contact"),
    ("feeds", "Subscribe to the feed", "S'abonner au flux"),
    ("switch_lang", "Français", "English"),
    ("dismiss", "Dismiss", "Fermer"),
    ("see_status", "See the status page", "Voir la page d'état"),
    (
        "powered",
        "Status page powered by Relais",
        "Page d'état propulsée par Relais",
    ),
    (
        "all_ok",
        "All our channels work normally.",
        "Tous nos canaux fonctionnent normalement.",
    ),
    ("email_read_more", "Read more:", "En savoir plus :"),
    (
        "email_why",
        "You receive this email because you subscribed to our status updates.",
        "Vous recevez cet e-mail car vous êtes abonné(e) à nos alertes d'état des services.",
    ),
    ("email_unsubscribe", "Unsubscribe:", "Se désabonner :"),
    (
        "email_confirm_subject",
        "Confirm your subscription",
        "Confirmez votre abonnement",
    ),
    (
        "email_confirm_intro",
        "You asked to be told by email when our channels have trouble.",
        "Vous avez demandé à être prévenu(e) par e-mail quand nos canaux rencontrent un problème.",
    ),
    (
        "email_confirm_action",
        "To confirm, open this link:",
        "Pour confirmer, ouvrez ce lien :",
    ),
    ("email_confirm_button", "Confirm my subscription", "Confirmer mon abonnement"),
    (
        "email_confirm_ignore",
        "If you did not ask for this, ignore this email: nothing will be sent.",
        "Si vous n'êtes pas à l'origine de cette demande, ignorez cet e-mail : rien ne vous sera envoyé.",
    ),
    ("subscribe_title", "Get alerts by email", "Recevoir les alertes par e-mail"),
    ("subscribe_email", "Email address", "Adresse e-mail"),
    ("subscribe_lang", "Language", "Langue"),
    ("subscribe_channels", "Channels", "Canaux"),
    ("subscribe_all_channels", "All channels", "Tous les canaux"),
    (
        "subscribe_some_channels",
        "Only the channels ticked below:",
        "Seulement les canaux cochés ci-dessous :",
    ),
    ("subscribe_interests", "I want to hear about", "Je veux être informé(e) de"),
    ("interest_incidents", "Incidents", "Incidents"),
    ("interest_articles", "New articles", "Nouveaux articles"),
    ("interest_promotions", "Promotions", "Promotions"),
    ("interest_events", "Events", "Événements"),
    (
        "subscribe_consent",
        "I agree to receive these emails. I can unsubscribe at any time with one click.",
        "J'accepte de recevoir ces e-mails. Je peux me désabonner à tout moment en un clic.",
    ),
    ("subscribe_button", "Subscribe", "S'abonner"),
    (
        "subscribe_sent",
        "Almost done: we sent you an email. Open the link in it to confirm your subscription.",
        "C'est presque fini : nous vous avons envoyé un e-mail. Ouvrez le lien qu'il contient pour confirmer votre abonnement.",
    ),
    (
        "subscribe_bad_email",
        "This email address does not look right. Please check it.",
        "Cette adresse e-mail ne semble pas correcte. Merci de la vérifier.",
    ),
    (
        "subscribe_need_consent",
        "Please tick the box to agree to receive these emails.",
        "Merci de cocher la case pour accepter de recevoir ces e-mails.",
    ),
    (
        "subscribe_limit",
        "Too many sign-ups from your connection; please try again later.",
        "Trop d'inscriptions depuis votre connexion ; merci de réessayer plus tard.",
    ),
    (
        "subscribe_unavailable",
        "Email subscriptions are not available on this page.",
        "Les abonnements par e-mail ne sont pas disponibles sur cette page.",
    ),
    (
        "subscribe_confirmed",
        "Thank you: your subscription is confirmed.",
        "Merci : votre abonnement est confirmé.",
    ),
    (
        "subscribe_bad_link",
        "This link is not valid (it may be incomplete).",
        "Ce lien n'est pas valide (il est peut-être incomplet).",
    ),
    (
        "unsubscribe_question",
        "Stop receiving our emails?",
        "Ne plus recevoir nos e-mails ?",
    ),
    ("unsubscribe_button", "Unsubscribe", "Me désabonner"),
    ("preferences_title", "Your email preferences", "Vos préférences d'e-mail"),
    (
        "preferences_intro",
        "Choose what we send you and in which language.",
        "Choisissez ce que nous vous envoyons et dans quelle langue.",
    ),
    ("preferences_save", "Save my preferences", "Enregistrer mes préférences"),
    (
        "preferences_saved",
        "Saved: we will send you only what you chose.",
        "C'est enregistré : nous ne vous enverrons que ce que vous avez choisi.",
    ),
    (
        "preferences_none",
        "Tick at least one subject, or unsubscribe below.",
        "Cochez au moins un sujet, ou désabonnez-vous ci-dessous.",
    ),
    ("preferences_link", "Manage your preferences:", "Gérer vos préférences :"),
    ("preferences_unsubscribe", "Unsubscribe from everything", "Me désabonner de tout"),
    (
        "unsubscribed",
        "You are unsubscribed: you will receive no more emails from us.",
        "Vous êtes désabonné(e) : vous ne recevrez plus d'e-mails de notre part.",
    ),
];

/// The interface strings of `lang`, as a template map.
pub fn strings(lang: Lang) -> Value {
    let mut map = Map::new();
    for (key, en, fr) in STRINGS {
        let text = match lang {
            Lang::En => en,
            Lang::Fr => fr,
        };
        map.insert((*key).to_string(), Value::String((*text).to_string()));
    }
    Value::Object(map)
}

/// One interface string in `lang` (the key itself when unknown).
pub fn text(lang: Lang, key: &str) -> &str {
    STRINGS
        .iter()
        .find(|(k, _, _)| *k == key)
        .map(|(_, en, fr)| match lang {
            Lang::En => *en,
            Lang::Fr => *fr,
        })
        .unwrap_or(key)
}

/// A channel status, as read by a person.
pub fn component_status(s: ComponentStatus, lang: Lang) -> &'static str {
    use ComponentStatus::*;
    match (lang, s) {
        (Lang::En, Operational) => "Operational",
        (Lang::En, DegradedPerformance) => "Degraded performance",
        (Lang::En, PartialOutage) => "Partial outage",
        (Lang::En, MajorOutage) => "Major outage",
        (Lang::En, UnderMaintenance) => "Under maintenance",
        (Lang::Fr, Operational) => "Opérationnel",
        (Lang::Fr, DegradedPerformance) => "Performances dégradées",
        (Lang::Fr, PartialOutage) => "Panne partielle",
        (Lang::Fr, MajorOutage) => "Panne majeure",
        (Lang::Fr, UnderMaintenance) => "En maintenance",
    }
}

/// An incident or maintenance status, as read by a person.
pub fn incident_status(s: IncidentStatus, lang: Lang) -> &'static str {
    use IncidentStatus::*;
    match (lang, s) {
        (Lang::En, Investigating) => "Investigating",
        (Lang::En, Identified) => "Identified",
        (Lang::En, Monitoring) => "Monitoring",
        (Lang::En, Resolved) => "Resolved",
        (Lang::En, Postmortem) => "Postmortem",
        (Lang::En, Scheduled) => "Scheduled",
        (Lang::En, InProgress) => "In progress",
        (Lang::En, Verifying) => "Verifying",
        (Lang::En, Completed) => "Completed",
        (Lang::Fr, Investigating) => "Analyse en cours",
        (Lang::Fr, Identified) => "Cause identifiée",
        (Lang::Fr, Monitoring) => "Sous surveillance",
        (Lang::Fr, Resolved) => "Résolu",
        (Lang::Fr, Postmortem) => "Analyse publiée",
        (Lang::Fr, Scheduled) => "Planifiée",
        (Lang::Fr, InProgress) => "En cours",
        (Lang::Fr, Verifying) => "Vérification",
        (Lang::Fr, Completed) => "Terminée",
    }
}

/// The page-wide headline for an indicator.
pub fn headline(indicator: Impact, lang: Lang) -> &'static str {
    match (lang, indicator) {
        (Lang::En, Impact::None) => "All channels operational",
        (Lang::En, Impact::Minor) => "Some channels are degraded",
        (Lang::En, Impact::Major) => "Partial outage of our channels",
        (Lang::En, Impact::Critical) => "Major outage of our channels",
        (Lang::En, Impact::Maintenance) => "Maintenance in progress",
        (Lang::Fr, Impact::None) => "Tous nos canaux fonctionnent",
        (Lang::Fr, Impact::Minor) => "Certains canaux sont perturbés",
        (Lang::Fr, Impact::Major) => "Panne partielle de nos canaux",
        (Lang::Fr, Impact::Critical) => "Panne majeure de nos canaux",
        (Lang::Fr, Impact::Maintenance) => "Maintenance en cours",
    }
}

/// `25 Nov 2026, 14:05 UTC` / `25 nov. 2026, 14:05 UTC`.
pub fn datetime(ms: i64, lang: Lang) -> String {
    let t = crate::domain::time::rfc3339(ms);
    let (year, month, day) = (&t[0..4], &t[5..7], &t[8..10]);
    let months_en = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let months_fr = [
        "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
        "déc.",
    ];
    let m = month.parse::<usize>().unwrap_or(1).clamp(1, 12) - 1;
    let name = match lang {
        Lang::En => months_en[m],
        Lang::Fr => months_fr[m],
    };
    format!(
        "{} {name} {year}, {} UTC",
        day.trim_start_matches('0'),
        &t[11..16]
    )
}

/// `2 h 05 min` style durations (`3 d 4 h` / `3 j 4 h` past a day).
pub fn duration(ms: i64, lang: Lang) -> String {
    let minutes = (ms / 60_000).max(0);
    let day = match lang {
        Lang::En => "d",
        Lang::Fr => "j",
    };
    match (minutes / 1440, minutes / 60 % 24, minutes % 60) {
        (0, 0, m) => format!("{m} min"),
        (0, h, m) => format!("{h} h {m:02} min"),
        (d, h, _) => format!("{d} {day} {h} h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_string_exists_in_both_languages() {
        for (key, en, fr) in STRINGS {
            assert!(!en.is_empty() && !fr.is_empty(), "{key}");
        }
        assert_eq!(strings(Lang::Fr)["history"], "Historique des incidents");
    }

    #[test]
    fn dates_and_durations_read_naturally() {
        assert_eq!(
            datetime(1_712_138_527_274, Lang::En),
            "3 Apr 2024, 10:02 UTC"
        );
        assert_eq!(
            datetime(1_712_138_527_274, Lang::Fr),
            "3 avr. 2024, 10:02 UTC"
        );
        assert_eq!(duration(3_900_000, Lang::En), "1 h 05 min");
        assert_eq!(duration(600_000, Lang::Fr), "10 min");
        assert_eq!(duration(90_000_000, Lang::Fr), "1 j 1 h");
    }
}
