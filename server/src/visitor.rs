//! Visitor tokens are never stored as sent: they are replaced by a keyed hash (HMAC-SHA256
//! with a server secret), so the database cannot be joined with anything the browser holds.

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use std::path::Path;

/// The server secret visitor tokens are hashed with.
pub struct VisitorKey {
    secret: Vec<u8>,
}

impl VisitorKey {
    /// A key from explicit secret bytes (e.g. the `CASM_SECRET` environment variable).
    pub fn from_secret(secret: &[u8]) -> Self {
        VisitorKey {
            secret: secret.to_vec(),
        }
    }

    /// Reads the secret from `path`, creating it with 32 random bytes on first start.
    pub fn load_or_create(path: &Path) -> std::io::Result<Self> {
        match std::fs::read_to_string(path) {
            Ok(hex_secret) => Ok(Self::from_secret(hex_secret.trim().as_bytes())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir)?;
                }
                let mut bytes = [0u8; 32];
                rand::thread_rng().fill_bytes(&mut bytes);
                let hex_secret = hex::encode(bytes);
                write_private(path, &hex_secret)?;
                Ok(Self::from_secret(hex_secret.as_bytes()))
            }
            Err(e) => Err(e),
        }
    }

    /// The stored form of a visitor token: 32 hex characters.
    pub fn hash(&self, token: &str) -> String {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.secret).expect("unreachable: HMAC takes any key");
        mac.update(token.as_bytes());
        hex::encode(&mac.finalize().into_bytes()[..16])
    }
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(contents.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_keyed_and_stable() {
        let a = VisitorKey::from_secret(b"one");
        let b = VisitorKey::from_secret(b"two");
        let token = "abcdefghijklmnop";
        assert_eq!(a.hash(token), a.hash(token));
        assert_ne!(a.hash(token), b.hash(token));
        assert_eq!(a.hash(token).len(), 32);
        assert!(!a.hash(token).contains(token));
    }
}
