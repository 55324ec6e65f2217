//! Visitor tokens are never stored as sent: they are replaced by a keyed hash (HMAC-SHA256
//! with a server secret), so the database cannot be joined with anything the browser holds.

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use std::net::IpAddr;
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
        hex::encode(&hmac(&self.secret, &[b"visitor:", token.as_bytes()])[..16])
    }

    /// The stored form of a client's network for the vote cap of UTC day `day`: the network
    /// (IPv4 /24, IPv6 /48) hashed with that day's salt.
    ///
    /// The salt is derived from the secret and the day, in memory only, so every instance
    /// sharing the secret computes the same one without it ever being written down; the
    /// rows it keys are deleted when the day ends.
    pub fn network(&self, ip: IpAddr, day: i64) -> String {
        let salt = hmac(&self.secret, &[b"daily-salt:", day.to_string().as_bytes()]);
        let network = match ip {
            IpAddr::V4(v4) => {
                let o = v4.octets();
                format!("{}.{}.{}.0/24", o[0], o[1], o[2])
            }
            IpAddr::V6(v6) => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}::/48", s[0], s[1], s[2])
            }
        };
        hex::encode(&hmac(&salt, &[network.as_bytes()])[..16])
    }
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("unreachable: HMAC takes any key");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
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

    #[test]
    fn networks_group_by_prefix_and_change_daily() {
        let k = VisitorKey::from_secret(b"s");
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(
            k.network(ip("198.51.100.7"), 1),
            k.network(ip("198.51.100.200"), 1)
        );
        assert_ne!(
            k.network(ip("198.51.100.7"), 1),
            k.network(ip("198.51.101.7"), 1)
        );
        assert_ne!(
            k.network(ip("198.51.100.7"), 1),
            k.network(ip("198.51.100.7"), 2)
        );
        assert_eq!(
            k.network(ip("2001:db8:1::1"), 1),
            k.network(ip("2001:db8:1:ff::2"), 1)
        );
    }
}
