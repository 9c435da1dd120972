//! Migration `0041_phone_e164` on both backends: phone numbers stored in the forms the
//! old parser kept (`13966667777`, `008613966667777`, `01065529988`) are rewritten to the
//! one form `Phone::parse` gives now, in the column, the ticket document and the customer
//! keys of problem clusters — whose size counts a customer once again.

use chrono::{TimeZone, Utc};
use loopdesk_core::{Actor, Channel, Customer, Phone, Ticket, TicketId};
use loopdesk_store::testing::each_backend;
use loopdesk_store::IntakeRequest;
use sqlx::Connection;

fn request(text: &str, phone: &str) -> IntakeRequest {
    let t0 = Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).unwrap();
    let customer = Customer { phone: Some(Phone::parse(phone).unwrap()), ..Customer::default() };
    IntakeRequest::new(Ticket::draft(Channel::Web, text.into(), customer, t0, t0), Actor::Customer)
}

async fn exec(conn: &mut sqlx::AnyConnection, sql: &str) {
    sqlx::query(sql).execute(&mut *conn).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
}

#[tokio::test]
async fn stored_phones_are_rewritten_to_e164_and_cluster_sizes_recounted() {
    each_backend(|store, url| async move {
        let a = store.intake(request("洗衣机漏水", "13966667777")).await.unwrap().ticket.id;
        let b = store.intake(request("洗衣机还是漏水", "13966667777")).await.unwrap().ticket.id;
        let c = store.intake(request("座机打不通", "010-6552 9988")).await.unwrap().ticket.id;
        let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
        // Put back the forms the old parser stored, as a database from before would hold.
        for (id, old, new) in
            [(a, "13966667777", "+8613966667777"), (b, "008613966667777", "+8613966667777"), (c, "01065529988", "+861065529988")]
        {
            exec(
                &mut conn,
                &format!(
                    "UPDATE tickets SET customer_phone = '{old}', doc = REPLACE(doc, '\"{new}\"', '\"{old}\"') WHERE id = {}",
                    id.0
                ),
            )
            .await;
        }
        for sql in [
            format!("DELETE FROM ticket_signatures WHERE ticket_id IN ({}, {})", a.0, b.0),
            format!("INSERT INTO ticket_signatures VALUES ({}, 900, 'phone:13966667777', 's')", a.0),
            format!("INSERT INTO ticket_signatures VALUES ({}, 900, 'phone:008613966667777', 's')", b.0),
            "INSERT INTO cluster_customers VALUES (900, 'phone:13966667777')".into(),
            "INSERT INTO cluster_customers VALUES (900, 'phone:008613966667777')".into(),
            "INSERT INTO problem_clusters VALUES (900, 2)".into(),
            "DELETE FROM _sqlx_migrations WHERE version = 41".into(),
        ] {
            exec(&mut conn, &sql).await;
        }
        let raw: (String,) = sqlx::query_as(&format!("SELECT customer_phone FROM tickets WHERE id = {}", b.0))
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(raw.0, "008613966667777");

        store.migrate().await.unwrap();

        for (id, want) in [(a, "+8613966667777"), (b, "+8613966667777"), (c, "+861065529988")] {
            let t = store.reader().ticket(TicketId(id.0)).await.unwrap();
            assert_eq!(t.customer.phone.as_ref().map(Phone::as_str), Some(want));
            let col: (String, String) = sqlx::query_as(&format!("SELECT customer_phone, doc FROM tickets WHERE id = {}", id.0))
                .fetch_one(&mut conn)
                .await
                .unwrap();
            assert_eq!(col.0, want);
            assert!(col.1.contains(&format!("\"{want}\"")), "{}", col.1);
        }
        // Both tickets are one customer again: merges and duplicate detection compare these.
        let (ta, tb) = (store.reader().ticket(a).await.unwrap(), store.reader().ticket(b).await.unwrap());
        assert_eq!(ta.customer.phone, tb.customer.phone);
        assert_eq!(store.cluster_size(900).await.unwrap(), 1);
        assert!(store.cluster_has_customer(900, "phone:+8613966667777").await.unwrap());
        let keys: Vec<(String,)> = sqlx::query_as("SELECT DISTINCT customer_key FROM ticket_signatures WHERE cluster_id = 900")
            .fetch_all(&mut conn)
            .await
            .unwrap();
        assert_eq!(keys, vec![("phone:+8613966667777".to_string(),)]);
        conn.close().await.unwrap();
    })
    .await;
}
