//! What the widget remembers on the partner's site, in `localStorage` (never cookies):
//! the anonymous visitor token, the resources this visitor found helpful, and the last
//! copy of each answer for offline use.
//!
//! Storage may be missing or refuse writes (private browsing, quota, policy): every call
//! degrades to "not remembered" rather than failing.

use web_sys::Storage;

const TOKEN_KEY: &str = "casm:visitor";
const VOTED_KEY: &str = "casm:voted";
const CACHE_PREFIX: &str = "casm:cache:";
/// Votes remembered; the oldest are forgotten first.
const MAX_VOTED: usize = 500;

fn local() -> Option<Storage> {
    crate::dom::window()?.local_storage().ok().flatten()
}

fn read(key: &str) -> Option<String> {
    local()?.get_item(key).ok().flatten()
}

fn write(key: &str, value: &str) {
    if let Some(s) = local() {
        // A full or disabled storage only means we forget; nothing else to do.
        let _ = s.set_item(key, value);
    }
}

/// The visitor's anonymous token: 32 URL-safe characters from `crypto.getRandomValues`,
/// created once and kept in `localStorage` (without storage, a new one per widget).
pub fn visitor() -> String {
    if let Some(t) = read(TOKEN_KEY).filter(|t| is_token(t)) {
        return t;
    }
    let mut bytes = [0u8; 24];
    if let Some(crypto) = crate::dom::window().and_then(|w| w.crypto().ok()) {
        // Every browser that runs this Wasm has Web Crypto; zeros would still be a token.
        let _ = crypto.get_random_values_with_u8_array(&mut bytes);
    }
    let token = token_from_bytes(&bytes);
    write(TOKEN_KEY, &token);
    token
}

/// Base64url (no padding) of the bytes: 24 bytes give 32 characters.
pub fn token_from_bytes(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len() * 4 / 3 + 2);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | u32::from(b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

/// Whether a stored token is one the service accepts.
pub fn is_token(t: &str) -> bool {
    casm_model::validate::visitor_token("visitor", t).is_ok()
}

/// Whether this visitor's helpful vote on `key` (a resource URL) stands.
pub fn has_voted(key: &str) -> bool {
    read(VOTED_KEY).is_some_and(|list| list.split('\n').any(|l| l == key))
}

/// Remembers or forgets this visitor's vote on `key`.
pub fn set_voted(key: &str, voted: bool) {
    let list = read(VOTED_KEY).unwrap_or_default();
    write(VOTED_KEY, &voted_list(&list, key, voted));
}

/// The newline-separated vote list with `key` added (at the end) or removed.
pub fn voted_list(list: &str, key: &str, voted: bool) -> String {
    let mut keys: Vec<&str> = list
        .split('\n')
        .filter(|l| !l.is_empty() && *l != key)
        .collect();
    if voted {
        keys.push(key);
    }
    let skip = keys.len().saturating_sub(MAX_VOTED);
    let mut out = String::with_capacity(list.len() + key.len() + 1);
    for k in keys.iter().skip(skip) {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(k);
    }
    out
}

/// Keeps the last good answer for `url`.
pub fn cache_put(url: &str, body: &str) {
    write(&crate::format::cat(&[CACHE_PREFIX, url]), body);
}

/// The last good answer for `url`, if one was kept.
pub fn cache_get(url: &str) -> Option<String> {
    read(&crate::format::cat(&[CACHE_PREFIX, url]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_32_url_safe_characters_the_service_accepts() {
        let t = token_from_bytes(&[0xff; 24]);
        assert_eq!(t, "________________________________");
        let t = token_from_bytes(&[
            0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23,
        ]);
        assert_eq!(t, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYX");
        assert!(is_token(&t));
        assert!(!is_token("short"));
    }

    #[test]
    fn the_vote_list_adds_removes_and_forgets_the_oldest() {
        let l = voted_list("", "a", true);
        let l = voted_list(&l, "b", true);
        assert_eq!(l, "a\nb");
        assert_eq!(voted_list(&l, "a", true), "b\na");
        assert_eq!(voted_list(&l, "a", false), "b");
        let many: String = (0..MAX_VOTED).map(|i| i.to_string() + "\n").collect();
        let l = voted_list(&many, "new", true);
        assert_eq!(l.lines().count(), MAX_VOTED);
        assert!(l.starts_with("1\n") && l.ends_with("\nnew"));
    }
}
