//! Channels and groups: list, create, edit, delete with confirmation, the
//! fallback order (move up / down) and group membership.

use super::form::FormData;
use super::i18n;
use super::session::Admin;
use super::view::{self, AdminError, Errors, Page};
use crate::domain::time::now;
use crate::domain::{Channel, ChannelKind, ComponentStatus, Group, Id, Lang};
use crate::render::i18n::component_status;
use crate::web::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{json, Value};

/// Every kind, for a select.
fn kinds(lang: Lang) -> Value {
    ChannelKind::ALL
        .iter()
        .map(|k| json!({ "value": k.as_str(), "label": i18n::kind(*k, lang) }))
        .collect()
}

/// Every channel status, for a select.
pub fn statuses(lang: Lang) -> Value {
    ComponentStatus::ALL
        .iter()
        .map(|s| json!({ "value": s.as_str(), "label": component_status(*s, lang) }))
        .collect()
}

fn group_options(groups: &[Group]) -> Value {
    groups
        .iter()
        .map(|g| json!({ "value": g.id, "label": g.name }))
        .collect()
}

fn channel_values(c: &Channel) -> Value {
    json!({
        "name": c.name,
        "kind": c.kind.as_str(),
        "contact": c.contact,
        "description": c.description.clone().unwrap_or_default(),
        "group": c.group_id.as_ref().map(Id::as_str).unwrap_or(""),
        "status": c.status.as_str(),
    })
}

/// The channel list page, with its group form possibly showing errors.
async fn list_page(
    state: &AppState,
    admin: &Admin,
    group_values: Value,
    group_errors: Errors,
    status: StatusCode,
) -> Page {
    let lang = admin.lang;
    let channels = state.store().channels().await?;
    let groups = state.store().groups().await?;
    let group_name = |id: &Option<Id>| {
        id.as_ref()
            .and_then(|id| groups.iter().find(|g| g.id == *id))
            .map(|g| g.name.clone())
    };
    let list: Vec<_> = channels
        .iter()
        .map(|c| {
            json!({
                "id": c.id,
                "name": c.name,
                "kind": i18n::kind(c.kind, lang),
                "contact": c.contact,
                "status": c.status.as_str(),
                "status_label": component_status(c.status, lang),
                "group": group_name(&c.group_id),
            })
        })
        .collect();
    let mut fallback = channels.clone();
    fallback.sort_by_key(|c| (c.fallback_rank, c.position));
    let last = fallback.len().saturating_sub(1);
    let fallback: Vec<_> = fallback
        .iter()
        .enumerate()
        .map(|(i, c)| json!({ "id": c.id, "name": c.name, "rank": i + 1, "first": i == 0, "last": i == last }))
        .collect();
    let groups: Vec<_> = groups
        .iter()
        .map(|g| {
            let n = channels
                .iter()
                .filter(|c| c.group_id.as_ref() == Some(&g.id))
                .count();
            json!({ "id": g.id, "name": g.name, "count": n })
        })
        .collect();
    let ctx = view::with(
        view::base(admin, "channels"),
        json!({
            "channels": list,
            "fallback": fallback,
            "groups": groups,
            "values": group_values,
            "errors": group_errors.into_value(),
        }),
    );
    view::render(state, "admin/channels.html", ctx, status)
}

/// GET /admin/channels.
pub async fn list(State(state): State<AppState>, admin: Admin) -> Page {
    list_page(&state, &admin, json!({}), Errors::default(), StatusCode::OK).await
}

async fn form_page(
    state: &AppState,
    admin: &Admin,
    channel_id: Option<&Id>,
    values: Value,
    errors: Errors,
    status: StatusCode,
) -> Page {
    let lang = admin.lang;
    let groups = state.store().groups().await?;
    let failed = !errors.is_empty();
    let ctx = view::with(
        view::base(admin, "channels"),
        json!({
            "channel_id": channel_id,
            "action": channel_id.map_or_else(|| "/admin/channels".to_string(), |id| format!("/admin/channels/{id}")),
            "kinds": kinds(lang),
            "statuses": statuses(lang),
            "groups": group_options(&groups),
            "values": values,
            "errors": errors.into_value(),
            "failed": failed,
        }),
    );
    view::render(state, "admin/channel_form.html", ctx, status)
}

/// GET /admin/channels/new.
pub async fn new_form(State(state): State<AppState>, admin: Admin) -> Page {
    let values = json!({ "kind": "whatsapp", "status": "operational" });
    form_page(
        &state,
        &admin,
        None,
        values,
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

/// GET /admin/channels/{id}.
pub async fn edit_form(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
) -> Page {
    let channel = find(&state, &admin, &id).await?;
    form_page(
        &state,
        &admin,
        Some(&channel.id),
        channel_values(&channel),
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

async fn find(state: &AppState, admin: &Admin, id: &str) -> Result<Channel, AdminError> {
    let id = Id::parse(id).ok_or(AdminError::NotFound(admin.lang))?;
    state
        .store()
        .channel(&id)
        .await?
        .ok_or(AdminError::NotFound(admin.lang))
}

/// What the channel form says, checked.
struct ChannelInput {
    name: String,
    kind: ChannelKind,
    contact: String,
    description: Option<String>,
    group_id: Option<Id>,
    status: ComponentStatus,
}

fn parse_channel(form: &FormData, groups: &[Group], lang: Lang) -> Result<ChannelInput, Errors> {
    let mut errors = Errors::default();
    let name = form.text("name", 120, &mut errors, lang);
    let kind = ChannelKind::parse(form.get("kind"));
    if kind.is_err() {
        errors.add(lang, "kind", "err_choice");
    }
    let status = ComponentStatus::parse(form.get("status"));
    if status.is_err() {
        errors.add(lang, "status", "err_choice");
    }
    let contact = form
        .optional("contact", 500, &mut errors, lang)
        .unwrap_or_default();
    let description = form.optional("description", 1000, &mut errors, lang);
    let group = form.get("group");
    let group_id = if group.is_empty() {
        None
    } else {
        let found = Id::parse(group).filter(|id| groups.iter().any(|g| g.id == *id));
        if found.is_none() {
            errors.add(lang, "group", "err_choice");
        }
        found
    };
    match (kind, status) {
        (Ok(kind), Ok(status)) if errors.is_empty() => Ok(ChannelInput {
            name,
            kind,
            contact,
            description,
            group_id,
            status,
        }),
        _ => Err(errors),
    }
}

/// POST /admin/channels: creates a channel, last in display and fallback order.
pub async fn create(State(state): State<AppState>, admin: Admin, form: FormData) -> Page {
    super::csrf::check(&admin, &form)?;
    let groups = state.store().groups().await?;
    let input = match parse_channel(&form, &groups, admin.lang) {
        Ok(i) => i,
        Err(errors) => {
            return form_page(
                &state,
                &admin,
                None,
                form.values(),
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    };
    let channels = state.store().channels().await?;
    let at = now();
    let channel = Channel {
        description: input.description,
        status: input.status,
        fallback_rank: channels
            .iter()
            .map(|c| c.fallback_rank + 1)
            .max()
            .unwrap_or(0),
        position: channels.iter().map(|c| c.position + 1).max().unwrap_or(0),
        group_id: input.group_id,
        ..Channel::new(input.name, input.kind, input.contact, at)
    };
    state.store().insert_channel(&channel).await?;
    state.publish().await?;
    Ok(view::see_other("/admin/channels?done=done_created"))
}

/// POST /admin/channels/{id}: saves the channel.
pub async fn save(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    form: FormData,
) -> Page {
    super::csrf::check(&admin, &form)?;
    let mut channel = find(&state, &admin, &id).await?;
    let groups = state.store().groups().await?;
    let input = match parse_channel(&form, &groups, admin.lang) {
        Ok(i) => i,
        Err(errors) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return form_page(
                &state,
                &admin,
                Some(&channel.id),
                form.values(),
                errors,
                status,
            )
            .await;
        }
    };
    channel.name = input.name;
    channel.kind = input.kind;
    channel.contact = input.contact;
    channel.description = input.description;
    channel.group_id = input.group_id;
    channel.status = input.status;
    channel.updated_at = now();
    if !state.store().update_channel(&channel).await? {
        return Err(AdminError::NotFound(admin.lang));
    }
    state.publish().await?;
    Ok(view::see_other("/admin/channels?done=done_saved"))
}

/// GET /admin/channels/{id}/delete: asks before deleting.
pub async fn confirm_delete(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
) -> Page {
    let channel = find(&state, &admin, &id).await?;
    let ask = view::Ask {
        question: i18n::named(admin.lang, "confirm_delete_channel", &channel.name),
        action: format!("/admin/channels/{}/delete", channel.id),
        button: "yes_delete",
        back: "/admin/channels",
    };
    view::confirm(&state, &admin, "channels", ask)
}

/// POST /admin/channels/{id}/delete.
pub async fn delete(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    form: FormData,
) -> Page {
    super::csrf::check(&admin, &form)?;
    let channel = find(&state, &admin, &id).await?;
    state.store().delete_channel(&channel.id).await?;
    state.publish().await?;
    Ok(view::see_other("/admin/channels?done=done_deleted"))
}

/// POST /admin/channels/{id}/move (`dir=up|down`): moves the channel in the
/// fallback order and renumbers every rank from 0.
pub async fn move_rank(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    form: FormData,
) -> Page {
    super::csrf::check(&admin, &form)?;
    let id = Id::parse(&id).ok_or(AdminError::NotFound(admin.lang))?;
    let mut list = state.store().channels().await?;
    list.sort_by_key(|c| (c.fallback_rank, c.position));
    let idx = list
        .iter()
        .position(|c| c.id == id)
        .ok_or(AdminError::NotFound(admin.lang))?;
    let other = match form.get("dir") {
        "up" => idx.checked_sub(1),
        "down" => Some(idx + 1).filter(|i| *i < list.len()),
        _ => return Err(AdminError::BadRequest(admin.lang)),
    };
    if let Some(other) = other {
        list.swap(idx, other);
        let at = now();
        for (rank, c) in list.iter_mut().enumerate() {
            let rank = rank as i64;
            if c.fallback_rank != rank {
                c.fallback_rank = rank;
                c.updated_at = at;
                state.store().update_channel(c).await?;
            }
        }
        state.publish().await?;
    }
    Ok(view::see_other("/admin/channels?done=done_saved"))
}

/// POST /admin/groups: creates a group.
pub async fn create_group(State(state): State<AppState>, admin: Admin, form: FormData) -> Page {
    super::csrf::check(&admin, &form)?;
    let mut errors = Errors::default();
    let name = form.text("group_name", 120, &mut errors, admin.lang);
    if !errors.is_empty() {
        return list_page(
            &state,
            &admin,
            form.values(),
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let groups = state.store().groups().await?;
    let at = now();
    let group = Group {
        id: Id::generate(),
        name,
        description: None,
        position: groups.iter().map(|g| g.position + 1).max().unwrap_or(0),
        created_at: at,
        updated_at: at,
    };
    state.store().save_group(&group, None).await?;
    state.publish().await?;
    Ok(view::see_other("/admin/channels?done=done_created"))
}

async fn find_group(state: &AppState, admin: &Admin, id: &str) -> Result<Group, AdminError> {
    let id = Id::parse(id).ok_or(AdminError::NotFound(admin.lang))?;
    state
        .store()
        .groups()
        .await?
        .into_iter()
        .find(|g| g.id == id)
        .ok_or(AdminError::NotFound(admin.lang))
}

async fn group_page(
    state: &AppState,
    admin: &Admin,
    group: &Group,
    values: Value,
    errors: Errors,
    status: StatusCode,
) -> Page {
    let channels = state.store().channels().await?;
    let list: Vec<_> = channels
        .iter()
        .map(|c| json!({ "id": c.id, "name": c.name }))
        .collect();
    let ctx = view::with(
        view::base(admin, "channels"),
        json!({ "group_id": group.id, "channels": list, "values": values, "errors": errors.into_value() }),
    );
    view::render(state, "admin/group_form.html", ctx, status)
}

/// GET /admin/groups/{id}: rename and choose members.
pub async fn group_form(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
) -> Page {
    let group = find_group(&state, &admin, &id).await?;
    let channels = state.store().channels().await?;
    let members: Vec<&str> = channels
        .iter()
        .filter(|c| c.group_id.as_ref() == Some(&group.id))
        .map(|c| c.id.as_str())
        .collect();
    let values = json!({ "group_name": group.name, "members": members });
    group_page(
        &state,
        &admin,
        &group,
        values,
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

/// POST /admin/groups/{id}: saves the name and exactly the ticked members.
pub async fn save_group(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    form: FormData,
) -> Page {
    super::csrf::check(&admin, &form)?;
    let mut group = find_group(&state, &admin, &id).await?;
    let channels = state.store().channels().await?;
    let members: Vec<Id> = form
        .all("members")
        .filter_map(Id::parse)
        .filter(|id| channels.iter().any(|c| c.id == *id))
        .collect();
    let mut errors = Errors::default();
    let name = form.text("group_name", 120, &mut errors, admin.lang);
    if !errors.is_empty() {
        let mut values = form.values();
        if let Some(map) = values.as_object_mut() {
            map.insert("members".into(), json!(members));
        }
        return group_page(
            &state,
            &admin,
            &group,
            values,
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    group.name = name;
    group.updated_at = now();
    state.store().save_group(&group, Some(&members)).await?;
    state.publish().await?;
    Ok(view::see_other("/admin/channels?done=done_saved"))
}

/// GET /admin/groups/{id}/delete: asks before deleting.
pub async fn confirm_delete_group(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
) -> Page {
    let group = find_group(&state, &admin, &id).await?;
    let ask = view::Ask {
        question: i18n::named(admin.lang, "confirm_delete_group", &group.name),
        action: format!("/admin/groups/{}/delete", group.id),
        button: "yes_delete",
        back: "/admin/channels",
    };
    view::confirm(&state, &admin, "channels", ask)
}

/// POST /admin/groups/{id}/delete: its channels stay, ungrouped.
pub async fn delete_group(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    form: FormData,
) -> Page {
    super::csrf::check(&admin, &form)?;
    let group = find_group(&state, &admin, &id).await?;
    state.store().delete_group(&group.id).await?;
    state.publish().await?;
    Ok(view::see_other("/admin/channels?done=done_deleted"))
}
