//! Admin and partner tokens: made, listed, revoked, and looked up by hash.

use super::{Store, StoreError};
use crate::dates::now_secs;
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::Row;

/// A token as the store keeps it (never the token itself).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenInfo {
    pub name: String,
    /// `None`: a staff token; else the one partner it may read.
    pub partner: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
}

/// A stored token with its hash, for checking a presented one.
#[derive(Clone, Debug)]
pub struct StoredToken {
    pub info: TokenInfo,
    /// SHA-256 of the token, 32 bytes.
    pub hash: Vec<u8>,
}

/// SHA-256 of a token. Tokens are 256 random bits, so an unsalted fast hash is enough:
/// nothing about the token can be guessed from it.
pub fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

impl Store {
    /// Makes a token named `name` (replacing one of that name) and returns it: the only
    /// time it is seen.
    pub async fn create_token(
        &self,
        name: &str,
        partner: Option<&str>,
    ) -> Result<String, StoreError> {
        let mut bytes = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut bytes);
        let token = format!("casm_{}", hex::encode(bytes));
        sqlx::query(
            "INSERT INTO admin_tokens (name, hash, partner, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (name) DO UPDATE SET hash = excluded.hash, partner = excluded.partner, \
             created_at = excluded.created_at",
        )
        .bind(name)
        .bind(hex::encode(token_hash(&token)))
        .bind(partner)
        .bind(now_secs())
        .execute(&self.pool)
        .await?;
        Ok(token)
    }

    /// Every token, by name.
    pub async fn tokens(&self) -> Result<Vec<StoredToken>, StoreError> {
        let rows =
            sqlx::query("SELECT name, hash, partner, created_at FROM admin_tokens ORDER BY name")
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|row| {
                let hash: String = row.try_get("hash")?;
                Ok(StoredToken {
                    info: TokenInfo {
                        name: row.try_get("name")?,
                        partner: row.try_get("partner")?,
                        created_at: row.try_get("created_at")?,
                    },
                    hash: hex::decode(hash).unwrap_or_default(),
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    /// Revokes the token named `name`; whether there was one.
    pub async fn revoke_token(&self, name: &str) -> Result<bool, StoreError> {
        let n = sqlx::query("DELETE FROM admin_tokens WHERE name = $1")
            .bind(name)
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(n > 0)
    }
}
