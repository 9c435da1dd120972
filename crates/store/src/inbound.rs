//! What inbound channels keep: keys of messages already taken in and thread pointers,
//! quarantined raw messages, attachment bytes, webhook nonces and IMAP poll positions.

use crate::sql::{from_ms, ms};
use crate::{Reader, Store, StoreError};
use loopdesk_core::{TicketId, Timestamp};
use serde::Serialize;

type AttachmentRow = (i64, Option<i64>, String, String, i64, Vec<u8>);

/// A quarantined message, without its bytes.
#[derive(Debug, Clone, Serialize)]
pub struct Quarantined {
    pub id: i64,
    pub source: String,
    pub reason: String,
    pub size: i64,
    pub received_at: Timestamp,
}

/// A stored attachment, without its bytes.
#[derive(Debug, Clone, Serialize)]
pub struct StoredAttachment {
    pub id: i64,
    pub ticket_id: Option<i64>,
    pub name: String,
    pub content_type: String,
    pub size: i64,
}

impl Store {
    /// Records `key` for `ticket` unless present; true when this call recorded it.
    pub async fn claim_channel_key(&self, key: &str, ticket: TicketId, now: Timestamp) -> Result<bool, StoreError> {
        let r = sqlx::query(
            "INSERT INTO channel_keys (key, ticket_id, updated_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING",
        )
        .bind(key)
        .bind(ticket.0)
        .bind(ms(now))
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Sets `key` to point at `ticket` with `value`, replacing what was there.
    pub async fn set_channel_key(
        &self,
        key: &str,
        ticket: TicketId,
        value: Option<&str>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await?;
        crate::group::set_key(&mut conn, key, ticket, value, now).await?;
        Ok(())
    }

    /// Keeps a message that could not be taken in, with the reason. Returns its id.
    pub async fn quarantine(&self, source: &str, reason: &str, raw: &[u8], now: Timestamp) -> Result<i64, StoreError> {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO quarantine (source, reason, size, raw, received_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(source)
        .bind(reason.chars().take(1000).collect::<String>())
        .bind(raw.len() as i64)
        .bind(raw.to_vec())
        .bind(ms(now))
        .fetch_one(&self.pool)
        .await?;
        Ok(id)
    }

    /// Removes attachments stored for a submission that was then refused.
    pub async fn delete_attachments(&self, ids: &[i64]) -> Result<(), StoreError> {
        for id in ids {
            sqlx::query("DELETE FROM attachments WHERE id = $1").bind(*id).execute(&self.pool).await?;
        }
        Ok(())
    }

    /// Stores an attachment's bytes (the ticket may be linked later). Returns its id.
    pub async fn add_attachment(
        &self,
        ticket: Option<TicketId>,
        name: &str,
        content_type: &str,
        bytes: &[u8],
        now: Timestamp,
    ) -> Result<i64, StoreError> {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO attachments (ticket_id, name, content_type, size, bytes, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(ticket.map(|t| t.0))
        .bind(name)
        .bind(content_type)
        .bind(bytes.len() as i64)
        .bind(bytes.to_vec())
        .bind(ms(now))
        .fetch_one(&self.pool)
        .await?;
        Ok(id)
    }

    /// Links stored attachments to their ticket once it exists.
    pub async fn link_attachments(&self, ids: &[i64], ticket: TicketId) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await?;
        link_attachments_on(&mut conn, ids, ticket).await
    }

    /// Records a webhook nonce (its signature); false when it was seen before (a replay).
    /// Nonces older than `forget_before` are purged on the way.
    pub async fn claim_nonce(
        &self,
        source: &str,
        nonce: &str,
        now: Timestamp,
        forget_before: Timestamp,
    ) -> Result<bool, StoreError> {
        sqlx::query("DELETE FROM webhook_nonces WHERE seen_at < $1")
            .bind(ms(forget_before))
            .execute(&self.pool)
            .await?;
        let r = sqlx::query(
            "INSERT INTO webhook_nonces (source, nonce, seen_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(source)
        .bind(nonce)
        .bind(ms(now))
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Saves where polling `mailbox` stopped.
    pub async fn set_imap_cursor(&self, mailbox: &str, uid_validity: u32, last_uid: u32) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO imap_cursors (mailbox, uid_validity, last_uid) VALUES ($1, $2, $3) \
             ON CONFLICT (mailbox) DO UPDATE SET uid_validity = excluded.uid_validity, last_uid = excluded.last_uid",
        )
        .bind(mailbox)
        .bind(uid_validity as i64)
        .bind(last_uid as i64)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

impl Reader {
    /// The ticket and value under a channel key (`email:<message-id>`, `wechat-open:<openid>` …).
    pub async fn channel_key(&self, key: &str) -> Result<Option<(TicketId, Option<String>)>, StoreError> {
        let row: Option<(i64, Option<String>)> =
            sqlx::query_as("SELECT ticket_id, value FROM channel_keys WHERE key = $1")
                .bind(key)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(t, v)| (TicketId(t), v)))
    }

    /// The newest quarantined messages.
    pub async fn quarantined(&self, limit: i64) -> Result<Vec<Quarantined>, StoreError> {
        let rows: Vec<(i64, String, String, i64, i64)> =
            sqlx::query_as("SELECT id, source, reason, size, received_at FROM quarantine ORDER BY id DESC LIMIT $1")
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows
            .into_iter()
            .map(|(id, source, reason, size, at)| Quarantined { id, source, reason, size, received_at: from_ms(at) })
            .collect())
    }

    /// The raw bytes of a quarantined message.
    pub async fn quarantined_raw(&self, id: i64) -> Result<Vec<u8>, StoreError> {
        let row: Option<(Vec<u8>,)> =
            sqlx::query_as("SELECT raw FROM quarantine WHERE id = $1").bind(id).fetch_optional(&self.pool).await?;
        row.map(|(r,)| r).ok_or(StoreError::NotFound { what: "quarantined message" })
    }

    /// How many attachments are stored (all tickets, and those not linked yet).
    pub async fn attachment_count(&self) -> Result<i64, StoreError> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM attachments").fetch_one(&self.pool).await?;
        Ok(n)
    }

    /// The attachments stored for a ticket.
    pub async fn ticket_attachments(&self, ticket: TicketId) -> Result<Vec<StoredAttachment>, StoreError> {
        let rows: Vec<(i64, Option<i64>, String, String, i64)> = sqlx::query_as(
            "SELECT id, ticket_id, name, content_type, size FROM attachments WHERE ticket_id = $1 ORDER BY id",
        )
        .bind(ticket.0)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, ticket_id, name, content_type, size)| StoredAttachment {
                id,
                ticket_id,
                name,
                content_type,
                size,
            })
            .collect())
    }

    /// An attachment's metadata and bytes.
    pub async fn attachment(&self, id: i64) -> Result<(StoredAttachment, Vec<u8>), StoreError> {
        let row: Option<AttachmentRow> =
            sqlx::query_as("SELECT id, ticket_id, name, content_type, size, bytes FROM attachments WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        let (id, ticket_id, name, content_type, size, bytes) =
            row.ok_or(StoreError::NotFound { what: "attachment" })?;
        Ok((StoredAttachment { id, ticket_id, name, content_type, size }, bytes))
    }

    /// Where polling `mailbox` stopped: (UIDVALIDITY, last UID taken in).
    pub async fn imap_cursor(&self, mailbox: &str) -> Result<Option<(u32, u32)>, StoreError> {
        let row: Option<(i64, i64)> =
            sqlx::query_as("SELECT uid_validity, last_uid FROM imap_cursors WHERE mailbox = $1")
                .bind(mailbox)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(v, u)| (v as u32, u as u32)))
    }
}

/// Links stored attachments to `ticket` on `conn` (inside the intake's transaction).
pub(crate) async fn link_attachments_on(
    conn: &mut sqlx::AnyConnection,
    ids: &[i64],
    ticket: TicketId,
) -> Result<(), StoreError> {
    for id in ids {
        sqlx::query("UPDATE attachments SET ticket_id = $1 WHERE id = $2")
            .bind(ticket.0)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
