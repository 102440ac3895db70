//! Every string the owner reads in the admin, in English and French.

use crate::domain::{ChannelKind, Impact, Lang};
use serde_json::{Map, Value};

/// `(key, English, French)`.
const STRINGS: &[(&str, &str, &str)] = &[
    ("admin", "Admin", "Administration"),
    ("switch_lang", "Français", "English"),
    ("nav_dashboard", "Now", "Maintenant"),
    ("nav_channels", "Channels", "Canaux"),
    ("nav_incidents", "Incidents", "Incidents"),
    ("nav_maintenance", "Maintenance", "Maintenance"),
    ("nav_settings", "Messages", "Messages"),
    ("nav_keys", "API keys", "Clés d'API"),
    ("nav_monitors", "Monitors", "Surveillance"),
    ("logout", "Log out", "Se déconnecter"),
    ("view_public", "See the public page", "Voir la page publique"),
    // Login.
    ("login_title", "Log in", "Connexion"),
    ("email", "Email", "Adresse e-mail"),
    ("password", "Password", "Mot de passe"),
    ("login_button", "Log in", "Se connecter"),
    ("err_login", "Wrong email or password.", "Adresse e-mail ou mot de passe incorrect."),
    (
        "err_rate",
        "Too many failed attempts. Wait 15 minutes, then try again.",
        "Trop d'essais infructueux. Patientez 15 minutes, puis réessayez.",
    ),
    // Errors.
    ("forbidden_title", "This form has expired", "Ce formulaire a expiré"),
    (
        "forbidden_body",
        "For your security this action was refused, and nothing was changed. Go back, reload the page and try again.",
        "Par sécurité, cette action a été refusée et rien n'a été modifié. Revenez en arrière, rechargez la page et réessayez.",
    ),
    ("not_found_title", "Not found", "Introuvable"),
    (
        "not_found_body",
        "This page does not exist, or what it showed was deleted.",
        "Cette page n'existe pas, ou ce qu'elle montrait a été supprimé.",
    ),
    ("bad_request_title", "Unreadable form", "Formulaire illisible"),
    (
        "bad_request_body",
        "The form could not be read; nothing was changed. Reload the page and try again.",
        "Le formulaire n'a pas pu être lu ; rien n'a été modifié. Rechargez la page et réessayez.",
    ),
    ("back_home", "Back to the admin", "Retour à l'administration"),
    ("err_form", "Please correct the fields below; nothing was saved.", "Corrigez les champs ci-dessous ; rien n'a été enregistré."),
    ("err_required", "This field is required.", "Ce champ est obligatoire."),
    ("err_too_long", "This text is too long.", "Ce texte est trop long."),
    ("err_choice", "Choose one of the proposed values.", "Choisissez une des valeurs proposées."),
    ("err_date", "Enter a date and time, for example 2026-05-01 14:30.", "Indiquez une date et une heure, par exemple 2026-05-01 14:30."),
    ("err_end_before", "The end must be after the start.", "La fin doit être après le début."),
    ("err_end_past", "The end of the window is already past.", "La fin du créneau est déjà passée."),
    ("err_placeholders", "Keep {down} and {alternatives} in this sentence.", "Gardez {down} et {alternatives} dans cette phrase."),
    // Notices after an action.
    ("done_logged_out", "You are logged out.", "Vous êtes déconnecté."),
    ("done_down", "Done: the channel is marked down and visitors see where to reach you.", "C'est fait : le canal est marqué en panne et les visiteurs voient comment vous joindre."),
    ("done_up", "Done: the channel is back up.", "C'est fait : le canal est rétabli."),
    ("done_saved", "Saved.", "Enregistré."),
    ("done_created", "Created.", "Créé."),
    ("done_deleted", "Deleted.", "Supprimé."),
    ("done_published", "Published.", "Publié."),
    ("done_resolved", "Resolved: the channels concerned are operational again.", "Résolu : les canaux concernés fonctionnent de nouveau."),
    ("done_scheduled", "Maintenance scheduled.", "Maintenance planifiée."),
    ("done_revoked", "Key revoked.", "Clé révoquée."),
    ("done_forgotten", "Agent forgotten.", "Agent oublié."),
    // Dashboard.
    ("dash_title", "Your channels right now", "Vos canaux en ce moment"),
    ("is_down", "{name} is down", "{name} est en panne"),
    ("is_back", "{name} is back up", "{name} est rétabli"),
    (
        "down_hint",
        "One tap opens an incident, marks the channel down and tells visitors where to reach you instead.",
        "Un appui ouvre un incident, marque le canal en panne et indique aux visiteurs comment vous joindre autrement.",
    ),
    ("visitors_read", "What visitors read now", "Ce que lisent les visiteurs"),
    ("all_ok", "All your channels work normally.", "Tous vos canaux fonctionnent normalement."),
    ("no_channels", "No channel yet. Add your first one.", "Aucun canal pour l'instant. Ajoutez le premier."),
    ("incident_down_name", "{name} is down", "{name} ne fonctionne pas"),
    ("incident_back_body", "{name} is working again.", "{name} fonctionne à nouveau."),
    ("incident_resolved_body", "This incident is resolved.", "Cet incident est résolu."),
    // Channels and groups.
    ("channels_title", "Channels", "Canaux"),
    ("add_channel", "Add a channel", "Ajouter un canal"),
    ("edit_channel", "Edit the channel", "Modifier le canal"),
    ("name", "Name", "Nom"),
    ("kind", "Type", "Type"),
    ("contact", "Contact (address, number or link)", "Contact (adresse, numéro ou lien)"),
    ("description", "Description", "Description"),
    ("group", "Group", "Groupe"),
    ("no_group", "No group", "Aucun groupe"),
    ("status", "Status", "État"),
    ("save", "Save", "Enregistrer"),
    ("cancel", "Cancel", "Annuler"),
    ("edit", "Edit", "Modifier"),
    ("delete", "Delete", "Supprimer"),
    ("move_up", "Move up", "Monter"),
    ("move_down", "Move down", "Descendre"),
    ("fallback_title", "Fallback order", "Ordre de repli"),
    (
        "fallback_hint",
        "When a channel is down, visitors are sent to the working ones in this order.",
        "Quand un canal est en panne, les visiteurs sont orientés vers ceux qui fonctionnent, dans cet ordre.",
    ),
    ("confirm_title", "Please confirm", "Confirmez"),
    ("yes_delete", "Yes, delete", "Oui, supprimer"),
    ("confirm_delete_channel", "Delete the channel {name}? Its history goes with it.", "Supprimer le canal {name} ? Son historique sera perdu."),
    ("groups_title", "Groups", "Groupes"),
    ("add_group", "Add a group", "Ajouter un groupe"),
    ("edit_group", "Edit the group", "Modifier le groupe"),
    ("group_members", "Channels in this group", "Canaux de ce groupe"),
    ("no_groups", "No group yet.", "Aucun groupe pour l'instant."),
    ("confirm_delete_group", "Delete the group {name}? Its channels stay, without a group.", "Supprimer le groupe {name} ? Ses canaux restent, sans groupe."),
    // Incidents.
    ("incidents_title", "Incidents", "Incidents"),
    ("new_incident", "Report an incident", "Déclarer un incident"),
    ("open_incidents", "In progress", "En cours"),
    ("recent_incidents", "Recent", "Récents"),
    ("no_open", "No incident in progress.", "Aucun incident en cours."),
    ("no_recent", "No incident in the last 90 days.", "Aucun incident ces 90 derniers jours."),
    ("title", "Title", "Titre"),
    ("impact", "Impact", "Impact"),
    ("impact_auto", "Automatic (from the channel statuses)", "Automatique (d'après l'état des canaux)"),
    ("affected", "Channels concerned and their new status", "Canaux concernés et leur nouvel état"),
    ("not_affected", "Not concerned", "Non concerné"),
    ("unchanged", "Unchanged", "Inchangé"),
    ("message", "Message to visitors", "Message aux visiteurs"),
    ("causes", "Cause", "Cause"),
    ("measures", "Measures taken", "Mesures prises"),
    ("publish", "Publish", "Publier"),
    ("timeline", "Timeline", "Chronologie"),
    ("post_update", "Post an update", "Publier une mise à jour"),
    ("resolve", "Mark as resolved", "Marquer comme résolu"),
    (
        "auto_managed",
        "Detected automatically: detection keeps this incident up to date and resolves it when the channel is back, until you edit it.",
        "Détecté automatiquement : la surveillance tient cet incident à jour et le résout quand le canal revient, jusqu'à ce que vous le modifiiez.",
    ),
    (
        "auto_taken_over",
        "Detected automatically; you have taken it over, so detection no longer changes it.",
        "Détecté automatiquement ; vous l'avez repris en main, la surveillance ne le modifie plus.",
    ),
    ("postmortem", "Postmortem", "Analyse après incident"),
    ("postmortem_publish", "Publish the postmortem on the public page", "Publier l'analyse sur la page publique"),
    ("started", "Started", "Début"),
    ("resolved_on", "Resolved", "Résolu"),
    ("all_incidents", "All incidents", "Tous les incidents"),
    ("impact_none", "None", "Aucun"),
    ("impact_minor", "Minor", "Mineur"),
    ("impact_major", "Major", "Majeur"),
    ("impact_critical", "Critical", "Critique"),
    ("impact_maintenance", "Maintenance", "Maintenance"),
    // Maintenance.
    ("maintenance_title", "Scheduled maintenance", "Maintenances planifiées"),
    ("schedule", "Schedule a maintenance", "Planifier une maintenance"),
    ("window_start", "Start (UTC)", "Début (UTC)"),
    ("window_end", "End (UTC)", "Fin (UTC)"),
    ("auto_transition", "Put the channels under maintenance, then back, automatically", "Passer les canaux en maintenance, puis les rétablir, automatiquement"),
    ("upcoming", "Upcoming and in progress", "À venir et en cours"),
    ("none_upcoming", "Nothing scheduled.", "Rien de prévu."),
    ("channels_concerned", "Channels concerned", "Canaux concernés"),
    // Settings.
    ("settings_title", "Page and messages", "Page et messages"),
    ("page_name", "Page name", "Nom de la page"),
    ("tpl_disrupted_en", "When a channel is down (English)", "Quand un canal est en panne (anglais)"),
    ("tpl_disrupted_fr", "When a channel is down (French)", "Quand un canal est en panne (français)"),
    ("tpl_all_down_en", "When every channel is down (English)", "Quand tous les canaux sont en panne (anglais)"),
    ("tpl_all_down_fr", "When every channel is down (French)", "Quand tous les canaux sont en panne (français)"),
    (
        "tpl_hint",
        "{down} becomes the channels that are down, {alternatives} the ways to reach you instead.",
        "{down} devient les canaux en panne, {alternatives} les autres moyens de vous joindre.",
    ),
    ("preview", "Preview", "Aperçu"),
    ("preview_button", "Preview without saving", "Prévisualiser sans enregistrer"),
    ("preview_example", "Example with {name} down:", "Exemple avec {name} en panne :"),
    ("preview_live", "With the channels as they are now:", "Avec les canaux tels qu'ils sont maintenant :"),
    // API keys.
    ("keys_title", "API keys", "Clés d'API"),
    (
        "keys_hint",
        "Monitoring and alerting tools use a key to update your page (Statuspage-compatible API).",
        "Les outils de surveillance et d'alerte utilisent une clé pour mettre à jour votre page (API compatible Statuspage).",
    ),
    ("key_name", "Key name", "Nom de la clé"),
    ("create_key", "Create a key", "Créer une clé"),
    ("key_once", "Copy this key now: it will not be shown again.", "Copiez cette clé maintenant : elle ne sera plus affichée."),
    ("prefix", "Starts with", "Commence par"),
    ("created", "Created", "Créée le"),
    ("last_used", "Last used", "Dernière utilisation"),
    ("never", "Never", "Jamais"),
    ("revoke", "Revoke", "Révoquer"),
    ("confirm_revoke", "Revoke the key {name}? Tools using it will stop working.", "Révoquer la clé {name} ? Les outils qui l'utilisent cesseront de fonctionner."),
    ("no_keys", "No API key yet.", "Aucune clé d'API pour l'instant."),
    // Monitors.
    ("monitors_title", "Monitors", "Surveillance"),
    (
        "monitors_hint",
        "Relais checks your channels by itself and marks one down only once the failure is confirmed.",
        "Relais vérifie vos canaux tout seul et ne marque un canal en panne qu'une fois la panne confirmée.",
    ),
    ("add_monitor", "Add a monitor", "Ajouter une sonde"),
    ("add_monitor_to", "Add a monitor to {name}", "Ajouter une sonde à {name}"),
    ("edit_monitor", "Edit the monitor", "Modifier la sonde"),
    ("show_monitor", "Monitor", "Sonde"),
    ("no_monitors", "No monitor yet. Add one so that a channel is checked automatically.", "Aucune sonde pour l'instant. Ajoutez-en une pour qu'un canal soit vérifié automatiquement."),
    ("not_monitored", "Not monitored.", "Pas surveillé."),
    ("need_channel", "Add a channel first: a monitor watches a channel.", "Ajoutez d'abord un canal : une sonde surveille un canal."),
    ("locations_title", "Where checks run from", "D'où partent les vérifications"),
    ("this_server", "this server", "ce serveur"),
    ("loc_live", "Live", "En ligne"),
    ("loc_lost", "Lost", "Perdu"),
    ("last_seen", "Last seen", "Vu pour la dernière fois"),
    ("forget", "Forget", "Oublier"),
    (
        "forget_hint",
        "Forget an agent you have switched off for good; it comes back if it reports again.",
        "Oubliez un agent arrêté pour de bon ; il réapparaît s'il envoie de nouveau des résultats.",
    ),
    (
        "network_suspect",
        "Every check and the canary fail: Relais suspects its own network and declares nothing down.",
        "Toutes les vérifications et le canari échouent : Relais soupçonne son propre réseau et ne déclare aucune panne.",
    ),
    (
        "not_leader",
        "This instance is not the one running the checks (another instance is, or checks are turned off here). The states below are the last ones recorded.",
        "Cette instance n'est pas celle qui exécute les vérifications (une autre s'en charge, ou elles sont désactivées ici). Les états ci-dessous sont les derniers enregistrés.",
    ),
    ("from_config", "Configuration file", "Fichier de configuration"),
    (
        "from_config_note",
        "This monitor is defined in the configuration file: it cannot be edited or deleted here. Change it in the file.",
        "Cette sonde est définie dans le fichier de configuration : elle ne peut être ni modifiée ni supprimée ici. Changez-la dans le fichier.",
    ),
    ("not_checked", "Not checked yet", "Pas encore vérifiée"),
    ("flapping", "Flapping: its status changes too often", "Instable : son état change trop souvent"),
    ("paused", "Paused", "En pause"),
    ("every_seconds", "every {name} s", "toutes les {name} s"),
    ("since", "since", "depuis"),
    ("last_check", "Last check", "Dernière vérification"),
    ("latency", "Response time", "Temps de réponse"),
    ("last_error", "Last error", "Dernière erreur"),
    ("by_location", "By location", "Par emplacement"),
    ("heartbeat_url", "Address your integration must call", "Adresse que votre intégration doit appeler"),
    ("heartbeat_after", "The address to call appears here once the monitor is saved.", "L'adresse à appeler apparaîtra ici une fois la sonde enregistrée."),
    ("results_title", "Last checks", "Dernières vérifications"),
    ("no_results", "No check recorded yet.", "Aucune vérification enregistrée pour l'instant."),
    ("confirm_delete_monitor", "Delete the monitor {name}? Its check history goes with it.", "Supprimer la sonde {name} ? Son historique de vérifications sera perdu."),
    ("mon_what", "What to check", "Quoi vérifier"),
    ("mon_rules", "When to declare it down", "Quand déclarer la panne"),
    ("mon_opts_hint", "Fill in only the options of the chosen type; a blank field keeps its usual value.", "Ne remplissez que les options du type choisi ; un champ vide garde sa valeur habituelle."),
    ("mon_opts_http", "Options: website or API (HTTP)", "Options : site web ou API (HTTP)"),
    ("mon_opts_speed", "Options: response time (HTTP, TCP, DNS, TLS)", "Options : temps de réponse (HTTP, TCP, DNS, TLS)"),
    ("mon_opts_tls", "Options: certificates (HTTP, TLS)", "Options : certificats (HTTP, TLS)"),
    ("mon_opts_dns", "Options: domain name (DNS)", "Options : nom de domaine (DNS)"),
    ("mon_opts_heartbeat", "Options: heartbeat", "Options : battement de cœur"),
    ("mon_opts_upstream", "Options: provider's status page", "Options : page d'état du fournisseur"),
    ("mon_opts_reports", "Options: visitor reports", "Options : signalements des visiteurs"),
    ("mon_f_channel_id", "Channel", "Canal"),
    ("mon_f_name", "Name", "Nom"),
    ("mon_f_kind", "Type", "Type"),
    ("mon_f_target", "Target", "Cible"),
    ("mon_f_enabled", "Enabled", "Activée"),
    ("mon_f_interval_seconds", "Check every (seconds)", "Vérifier toutes les (secondes)"),
    ("mon_f_timeout_seconds", "Give up after (seconds)", "Abandonner après (secondes)"),
    ("mon_f_retries", "Immediate retries", "Nouvelles tentatives immédiates"),
    ("mon_f_fail_after", "Failures in a row before down", "Échecs d'affilée avant la panne"),
    ("mon_f_recover_after", "Successes in a row before back up", "Succès d'affilée avant le rétablissement"),
    ("mon_f_flap_limit", "Changes tolerated before flapping (0: no limit)", "Changements tolérés avant l'instabilité (0 : sans limite)"),
    ("mon_f_down_status", "Channel status when down", "État du canal en cas de panne"),
    ("mon_f_options", "Options", "Options"),
    ("mon_f_method", "Method", "Méthode"),
    ("mon_f_headers", "Request headers, one per line (Name: value)", "En-têtes de la requête, un par ligne (Nom: valeur)"),
    ("mon_f_expect_status", "Accepted status codes (any 2xx or 3xx when blank)", "Codes de statut acceptés (tout 2xx ou 3xx si vide)"),
    ("mon_f_keyword", "Text the page must contain", "Texte que la page doit contenir"),
    ("mon_f_keyword_absent", "The text must be absent instead", "Le texte doit au contraire être absent"),
    ("mon_f_json_path", "JSON path", "Chemin JSON"),
    ("mon_f_json_expected", "Expected JSON value", "Valeur JSON attendue"),
    ("mon_f_degraded_ms", "Degraded when slower than (ms)", "Dégradé au-delà de (ms)"),
    ("mon_f_ignore_tls_errors", "Accept certificates that do not verify (self-signed)", "Accepter les certificats non vérifiables (auto-signés)"),
    ("mon_f_warning_days", "Degraded when the certificate expires within (days)", "Dégradé si le certificat expire dans moins de (jours)"),
    ("mon_f_record_type", "Record type", "Type d'enregistrement"),
    ("mon_f_expected", "Values the answer must contain, comma separated", "Valeurs que la réponse doit contenir, séparées par des virgules"),
    ("mon_f_nameserver", "Name server, ip:port (the system's when blank)", "Serveur de noms, ip:port (celui du système si vide)"),
    ("mon_f_period_seconds", "Expected at least every (seconds)", "Attendu au moins toutes les (secondes)"),
    ("mon_f_component", "Component name on the provider's page", "Nom du composant sur la page du fournisseur"),
    ("mon_f_threshold", "Visitors reporting before down", "Visiteurs qui signalent avant la panne"),
    ("mon_f_window_seconds", "Counted over (seconds)", "Comptés sur (secondes)"),
    ("mon_kind_http", "Website or API (HTTP)", "Site web ou API (HTTP)"),
    ("mon_kind_tcp", "Open port (TCP)", "Port ouvert (TCP)"),
    ("mon_kind_dns", "Domain name (DNS)", "Nom de domaine (DNS)"),
    ("mon_kind_tls", "Certificate expiry (TLS)", "Expiration du certificat (TLS)"),
    ("mon_kind_heartbeat", "Heartbeat (your system calls Relais)", "Battement de cœur (votre système appelle Relais)"),
    ("mon_kind_upstream", "Provider's status page", "Page d'état du fournisseur"),
    ("mon_kind_reports", "Visitor reports", "Signalements des visiteurs"),
    ("mon_target_hint", "What the target is, by type:", "Ce qu'est la cible, selon le type :"),
    ("mon_target_http", "an address, for example https://example.com/health", "une adresse, par exemple https://example.com/health"),
    ("mon_target_tcp", "host:port, for example example.com:5222", "hôte:port, par exemple example.com:5222"),
    ("mon_target_dns", "a domain name, for example example.com", "un nom de domaine, par exemple example.com"),
    ("mon_target_tls", "host:port, for example example.com:443", "hôte:port, par exemple example.com:443"),
    ("mon_target_heartbeat", "leave blank; your system calls the address shown once saved", "laissez vide ; votre système appelle l'adresse affichée après l'enregistrement"),
    ("mon_target_upstream", "the provider's summary.json, for example https://status.example.com/api/v2/summary.json", "le summary.json du fournisseur, par exemple https://status.example.com/api/v2/summary.json"),
    ("mon_target_reports", "leave blank; visitors' reports about the channel count", "laissez vide ; les signalements des visiteurs sur le canal comptent"),
    // Channel kinds.
    ("kind_whatsapp", "WhatsApp", "WhatsApp"),
    ("kind_email", "Email", "E-mail"),
    ("kind_phone", "Phone", "Téléphone"),
    ("kind_sms", "Text message (SMS)", "SMS"),
    ("kind_facebook", "Facebook", "Facebook"),
    ("kind_instagram", "Instagram", "Instagram"),
    ("kind_messenger", "Messenger", "Messenger"),
    ("kind_telegram", "Telegram", "Telegram"),
    ("kind_signal", "Signal", "Signal"),
    ("kind_website_chat", "Website chat", "Chat du site"),
    ("kind_contact_form", "Contact form", "Formulaire de contact"),
    ("kind_other", "Other", "Autre"),
];

/// Every admin string: these, then the subscribers' and broadcasts'.
fn all() -> impl Iterator<Item = &'static (&'static str, &'static str, &'static str)> {
    STRINGS.iter().chain(super::i18n_reach::STRINGS)
}

/// The admin strings of `lang`, as a template map.
pub fn strings(lang: Lang) -> Value {
    let mut map = Map::new();
    for (key, en, fr) in all() {
        let text = if lang == Lang::Fr { fr } else { en };
        map.insert((*key).to_string(), Value::String((*text).to_string()));
    }
    Value::Object(map)
}

/// One string in `lang`; the key itself when unknown.
pub fn text(lang: Lang, key: &str) -> &str {
    all()
        .find(|(k, _, _)| *k == key)
        .map(|(_, en, fr)| if lang == Lang::Fr { *fr } else { *en })
        .unwrap_or(key)
}

/// The notice key named in `?done=`, when it is one.
pub fn notice(key: &str) -> Option<&'static str> {
    all()
        .find(|(k, _, _)| *k == key && k.starts_with("done_"))
        .map(|(k, _, _)| *k)
}

/// A string with `{name}` replaced.
pub fn named(lang: Lang, key: &str, name: &str) -> String {
    text(lang, key).replace("{name}", name)
}

/// A text for visitors in both languages, the owner's first: "… / …".
pub fn both(lang: Lang, key: &str, name: &str) -> String {
    format!(
        "{} / {}",
        named(lang, key, name),
        named(lang.other(), key, name)
    )
}

/// A channel kind, as read by a person.
pub fn kind(k: ChannelKind, lang: Lang) -> &'static str {
    let key = format!("kind_{}", k.as_str());
    STRINGS
        .iter()
        .find(|(k, _, _)| *k == key)
        .map(|(_, en, fr)| if lang == Lang::Fr { *fr } else { *en })
        .unwrap_or("")
}

/// An incident impact, as read by a person.
pub fn impact(i: Impact, lang: Lang) -> &'static str {
    let key = format!("impact_{}", i.as_str());
    STRINGS
        .iter()
        .find(|(k, _, _)| *k == key)
        .map(|(_, en, fr)| if lang == Lang::Fr { *fr } else { *en })
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_string_exists_in_both_languages_once() {
        let mut seen = std::collections::HashSet::new();
        for (key, en, fr) in all() {
            assert!(!en.is_empty() && !fr.is_empty(), "{key}");
            assert!(seen.insert(*key), "duplicate {key}");
        }
        for k in ChannelKind::ALL {
            assert!(!kind(*k, Lang::Fr).is_empty(), "{k}");
        }
        for i in Impact::ALL {
            assert!(!impact(*i, Lang::En).is_empty(), "{i}");
        }
        assert_eq!(
            named(Lang::Fr, "is_down", "WhatsApp"),
            "WhatsApp est en panne"
        );
        assert_eq!(notice("done_up"), Some("done_up"));
        assert_eq!(notice("admin"), None);
    }
}
