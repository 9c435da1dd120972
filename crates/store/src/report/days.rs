//! The zone the day rollups are cut in, and cutting them again from the hour rows: when a
//! database first gets them (migration 0051 over existing rollups), after a rebuild, and
//! when the company's zone changes.

use super::deltas::{day_key, wait_key, write_day_sla, write_days, DayKey, WaitKey};
use super::key_of;
use crate::sql::arguments;
use crate::{Store, StoreError};
use chrono_tz::Tz;
use loopdesk_core::report::Counts;
use sqlx::{AnyConnection, Row};
use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

/// The zone days are cut in before the company's zone is known.
pub const DEFAULT_DAY_ZONE: Tz = chrono_tz::Asia::Shanghai;

/// The zone the day rows are cut in, shared by the reader and every writer of a store.
#[derive(Debug, Clone)]
pub(crate) struct DayZone(Arc<RwLock<Tz>>);

impl Default for DayZone {
    fn default() -> Self {
        DayZone(Arc::new(RwLock::new(DEFAULT_DAY_ZONE)))
    }
}

impl DayZone {
    pub(crate) fn get(&self) -> Tz {
        // A poisoned lock still holds a valid zone: a panic cannot leave a `Tz` half written.
        *self.0.read().unwrap_or_else(|e| e.into_inner())
    }

    fn set(&self, zone: Tz) {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = zone;
    }
}

/// Deletes the day rows and sums the hour rows into days of `zone` again.
async fn cut_days(conn: &mut AnyConnection, backend: crate::Backend, zone: Tz) -> Result<(), StoreError> {
    for table in ["report_day_facts", "report_day_sla", "report_day_waits", "report_day_waits_all"] {
        sqlx::query(&format!("DELETE FROM {table}")).execute(&mut *conn).await?;
    }
    let keys = "hour, 'web', '', '', '', department_id, CAST(0 AS BIGINT), priority_rank, 'standard'";
    let group = "hour, department_id, priority_rank";
    let sums = super::sums(Counts::COLUMNS);
    let sql = format!("SELECT {keys}, {sums} FROM report_facts GROUP BY {group}");
    let mut days: BTreeMap<DayKey, Counts> = BTreeMap::new();
    for row in sqlx::query_with(&sql, arguments(&[])?).fetch_all(&mut *conn).await? {
        let (hour, key) = key_of(&row)?;
        let values: Vec<i64> = (9..9 + Counts::COLUMNS.len()).map(|i| row.try_get(i)).collect::<Result<_, _>>()?;
        days.entry(day_key(hour, &key, zone)).or_default().add(&Counts::from_slice(&values), 1);
    }
    let sql = format!("SELECT {keys}, bucket, CAST(SUM(n) AS BIGINT) FROM report_waits GROUP BY {group}, bucket");
    let mut waits: BTreeMap<WaitKey, i64> = BTreeMap::new();
    for row in sqlx::query_with(&sql, arguments(&[])?).fetch_all(&mut *conn).await? {
        let (hour, key) = key_of(&row)?;
        let bucket = u32::try_from(row.try_get::<i64, _>(9)?).unwrap_or(loopdesk_core::report::sketch::MAX_BUCKET);
        *waits.entry(wait_key(hour, &key, bucket, zone)).or_default() += row.try_get::<i64, _>(10)?;
    }
    write_days(&mut *conn, backend, &days, &waits).await?;
    let sql = format!(
        "SELECT {keys}, target, CAST(SUM(met) AS BIGINT), CAST(SUM(breached) AS BIGINT) FROM report_sla \
         GROUP BY {group}, target"
    );
    let mut sla: BTreeMap<(DayKey, String), [i64; 2]> = BTreeMap::new();
    for row in sqlx::query_with(&sql, arguments(&[])?).fetch_all(&mut *conn).await? {
        let (hour, key) = key_of(&row)?;
        let e = sla.entry((day_key(hour, &key, zone), row.try_get(9)?)).or_default();
        e[0] += row.try_get::<i64, _>(10)?;
        e[1] += row.try_get::<i64, _>(11)?;
    }
    write_day_sla(&mut *conn, backend, &sla).await?;
    Ok(())
}

impl crate::Reader {
    /// The zone the report day rollups are cut in.
    pub fn report_zone(&self) -> Tz {
        self.day_zone.get()
    }
}

impl Store {
    /// Cuts the day rollups in `zone` (the company's, from its default calendar): a no-op
    /// when they already are, else one transaction that cuts them again from the hour rows.
    /// Called at start-up and whenever the calendars change. Writers read the zone at
    /// their flush, so a change racing this call may land one transaction's day rows in the
    /// old zone; `loopdesk rollup rebuild` repairs that (zones change about never).
    pub async fn use_report_zone(&self, zone: Tz) -> Result<(), StoreError> {
        let stored: Option<String> =
            sqlx::query_scalar("SELECT zone FROM report_day_zone WHERE id = 1").fetch_optional(&self.pool).await?;
        if stored.as_deref() != Some(zone.name()) {
            let mut tx = self.pool.begin().await?;
            cut_days(&mut tx, self.backend, zone).await?;
            sqlx::query("DELETE FROM report_day_zone").execute(&mut *tx).await?;
            sqlx::query("INSERT INTO report_day_zone (id, zone) VALUES (1, $1)")
                .bind(zone.name())
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        }
        self.day_zone.set(zone);
        Ok(())
    }

    /// The zone recorded with the day rows (after the migrations): adopted as this store's,
    /// or, on a database that has none yet, the default zone cut from the hour rows.
    pub(crate) async fn adopt_report_zone(&self) -> Result<(), StoreError> {
        let stored: Option<String> =
            sqlx::query_scalar("SELECT zone FROM report_day_zone WHERE id = 1").fetch_optional(&self.pool).await?;
        let zone = stored.and_then(|z| z.parse::<Tz>().ok()).unwrap_or(DEFAULT_DAY_ZONE);
        self.use_report_zone(zone).await
    }
}
