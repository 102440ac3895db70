//! CSRF protection: every admin form carries the session's token in a hidden
//! `csrf` field; the login form uses a double-submit cookie instead.

use super::form::FormData;
use super::session::Admin;
use super::view::AdminError;

/// Compares two tokens in time independent of where they differ.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Refuses the form (403, nothing changed) unless it carries the session's token.
pub fn check(admin: &Admin, form: &FormData) -> Result<(), AdminError> {
    let sent = form.get("csrf");
    if !sent.is_empty() && same(sent, &admin.session.csrf_token) {
        Ok(())
    } else {
        Err(AdminError::Forbidden(admin.lang))
    }
}

#[cfg(test)]
mod tests {
    use super::same;

    #[test]
    fn tokens_must_match_exactly() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "abcd"));
    }
}
