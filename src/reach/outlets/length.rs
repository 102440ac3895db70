//! Counting a text the way each platform counts it, and shortening a text
//! at a word boundary with an ellipsis until it fits.
//!
//! Every counter here errs on the long side where a platform's own rule is
//! fuzzier than ours: a text we accept is never refused for its length.

use unicode_segmentation::UnicodeSegmentation;

/// What a shortened text ends with.
pub const ELLIPSIS: &str = "…";

/// What every link in a Mastodon status or an X post counts for.
pub const LINK_LENGTH: usize = 23;

/// Unicode code points (Discord's API, Slack, Facebook).
pub fn chars(s: &str) -> usize {
    s.chars().count()
}

/// UTF-16 code units: how Telegram measures a message's text and entities.
pub fn utf16(s: &str) -> usize {
    s.encode_utf16().count()
}

/// Extended grapheme clusters: what a reader sees as one character.
pub fn graphemes(s: &str) -> usize {
    s.graphemes(true).count()
}

/// Bluesky's post text: at most 300 graphemes and 3,000 UTF-8 bytes, so the
/// larger of the graphemes and a tenth of the bytes, against one limit of 300.
pub fn bluesky(s: &str) -> usize {
    graphemes(s).max(s.len().div_ceil(10))
}

/// Mastodon: graphemes, every `http(s)://` link counting as 23.
pub fn mastodon(s: &str) -> usize {
    with_links(s, graphemes)
}

/// X, after twitter-text's v3 configuration: a code point weighs 1 in
/// U+0000–U+10FF, U+2000–U+200D, U+2010–U+201F and U+2032–U+2037, 2 anywhere
/// else (CJK among them); an emoji sequence weighs 2 whole; a link weighs 23.
pub fn x_weighted(s: &str) -> usize {
    with_links(s, |part| {
        part.graphemes(true)
            .map(|g| {
                if is_emoji(g) {
                    2
                } else {
                    g.chars().map(x_weight).sum()
                }
            })
            .sum()
    })
}

fn x_weight(c: char) -> usize {
    match c as u32 {
        0..=0x10FF | 0x2000..=0x200D | 0x2010..=0x201F | 0x2032..=0x2037 => 1,
        _ => 2,
    }
}

/// A grapheme that twitter-text parses as an emoji (© and ® included).
fn is_emoji(g: &str) -> bool {
    g.chars()
        .any(|c| matches!(c as u32, 0xA9 | 0xAE | 0x2190..=0x2BFF | 0xFE0F | 0x1F000..=0x1FAFF))
}

/// `count` applied around links, each link counting as [`LINK_LENGTH`].
fn with_links(s: &str, count: impl Fn(&str) -> usize) -> usize {
    let mut total = 0;
    let mut rest = s;
    while let Some(start) = find_link(rest) {
        total += count(&rest[..start]) + LINK_LENGTH;
        rest = &rest[start + link_len(&rest[start..])..];
    }
    total + count(rest)
}

/// The byte offset of the next `http://` or `https://` link that starts a word.
fn find_link(s: &str) -> Option<usize> {
    s.match_indices("http").map(|(i, _)| i).find(|&i| {
        let tail = &s[i..];
        (tail.starts_with("https://") || tail.starts_with("http://"))
            && s[..i]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric())
    })
}

/// The link at the start of `s`, in bytes: up to a space, without the
/// punctuation that ends a sentence.
fn link_len(s: &str) -> usize {
    let end = s.find(char::is_whitespace).unwrap_or(s.len());
    s[..end]
        .trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '\'', '"', '…'])
        .len()
}

/// `text` when it `fits`, else its longest prefix that fits once ended with an
/// ellipsis, cut at a word boundary (inside a word only when even the first
/// word is too long). `None` when not even the ellipsis alone fits.
pub fn shorten(text: &str, fits: impl Fn(&str) -> bool) -> Option<String> {
    if fits(text) {
        return Some(text.to_string());
    }
    let cut = |end: usize| {
        let kept = text[..end].trim_end().trim_end_matches([',', ';', ':']);
        format!("{}{ELLIPSIS}", kept.trim_end())
    };
    let longest = |ends: &[usize]| {
        let n = ends.partition_point(|&end| fits(&cut(end)));
        n.checked_sub(1).map(|k| ends[k])
    };
    let words: Vec<usize> = text
        .char_indices()
        .filter(|&(i, c)| i > 0 && c.is_whitespace())
        .map(|(i, _)| i)
        .collect();
    let inside: Vec<usize> = text.grapheme_indices(true).map(|(i, _)| i).collect();
    longest(&words)
        .filter(|&end| !cut(end).trim_end_matches(ELLIPSIS).is_empty())
        .or_else(|| longest(&inside))
        .map(cut)
}

/// A title and a body shortened until `fits(title, body)`: the body first,
/// dropped when not a word of it fits, then the title. Both come back empty
/// when only the rest of the message (its link) fits, or not even that.
pub fn fit(title: &str, body: &str, fits: impl Fn(&str, &str) -> bool) -> (String, String) {
    let title = title.trim();
    let body = body.trim();
    if fits(title, body) {
        return (title.to_string(), body.to_string());
    }
    if let Some(short) = shorten(body, |b| fits(title, b)) {
        if short != ELLIPSIS {
            return (title.to_string(), short);
        }
    }
    match shorten(title, |t| fits(t, "")) {
        Some(short) if short != ELLIPSIS => (short, String::new()),
        _ => (String::new(), String::new()),
    }
}

/// The parts that are not empty, a blank line between them.
pub fn paragraphs<S: AsRef<str>>(parts: &[S]) -> String {
    parts
        .iter()
        .map(AsRef::as_ref)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_accents_emoji_and_cjk() {
        let s = "Café 👩‍👩‍👧 日本";
        assert_eq!(chars(s), 13);
        assert_eq!(graphemes(s), 9);
        assert_eq!(utf16(s), 16);
        // "Café " 5, family emoji 2, space 1, two CJK characters 4.
        assert_eq!(x_weighted(s), 12);
        // A decomposed é is one grapheme, two code points.
        assert_eq!(graphemes("e\u{301}"), 1);
        assert_eq!(x_weighted("© ❤️ “quoted”"), 2 + 1 + 2 + 1 + 8);
    }

    #[test]
    fn links_count_23_whatever_their_length() {
        let long = format!("https://status.example.com/{}", "a".repeat(80));
        assert_eq!(mastodon(&format!("Voir {long}.")), 5 + 23 + 1);
        assert_eq!(x_weighted(&format!("see {long}")), 4 + 23);
        assert_eq!(mastodon("http://a.fr et https://b.fr"), 23 + 4 + 23);
        // Not a link when glued to a word.
        assert_eq!(mastodon("xhttps://a.fr"), 13);
    }

    #[test]
    fn bluesky_counts_bytes_too() {
        assert_eq!(bluesky("abc"), 3);
        // One grapheme of 41 bytes: a letter with 20 combining marks.
        let heavy = format!("a{}", "\u{301}".repeat(20));
        assert_eq!(graphemes(&heavy), 1);
        assert_eq!(bluesky(&heavy), 5);
    }

    #[test]
    fn shortens_at_a_word_boundary() {
        let fits = |s: &str| chars(s) <= 12;
        assert_eq!(
            shorten("Panne générale du service", fits).unwrap(),
            "Panne…"
        );
        assert_eq!(
            shorten("Panne, générale", |s| chars(s) <= 10).unwrap(),
            "Panne…"
        );
        assert_eq!(shorten("court", fits).unwrap(), "court");
        // One word too long: cut inside it, never inside an emoji.
        let cut = shorten("👩‍👩‍👧👩‍👩‍👧👩‍👩‍👧", |s| graphemes(s) <= 2).unwrap();
        assert_eq!(cut, "👩‍👩‍👧…");
        assert_eq!(shorten("abc", |s| s.is_empty()), None);
    }

    #[test]
    fn fit_shortens_the_body_then_the_title() {
        let within = |max: usize| move |t: &str, b: &str| chars(&paragraphs(&[t, b])) <= max;
        let (t, b) = fit("Titre", "un deux trois quatre", within(100));
        assert_eq!((t.as_str(), b.as_str()), ("Titre", "un deux trois quatre"));
        let (t, b) = fit("Titre", "un deux trois quatre", within(15));
        assert_eq!((t.as_str(), b.as_str()), ("Titre", "un deux…"));
        let (t, b) = fit("Un titre bien trop long", "corps", within(10));
        assert_eq!((t.as_str(), b.as_str()), ("Un titre…", ""));
        let (t, b) = fit("Titre", "corps", within(0));
        assert_eq!((t.as_str(), b.as_str()), ("", ""));
    }
}
