//! The housekeeping worker, run by the real apalis monitor inside the app, purges what
//! can no longer authenticate and leaves live sessions alone.

use chrono::{Duration, Utc};
use entity::tables::{login_throttle, refresh_token, session};
use scelle_tests::*;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;

db_test!(
    expired_rows_are_purged_by_the_worker,
    |c: &mut scelle_api::config::Config| { c.housekeeping_cron = "* * * * * *".into() },
    |app: TestApp| async move {
        let gone = app.sign_up("gone@example.fr", "Gone").await;
        let live = app.sign_up("live@example.fr", "Live").await;
        app.ok(&gone.access, "mutation { logout }", json!({})).await;
        app.login("someone@example.fr", "wrong password").await;

        // Age the revoked session and the throttling row past their retention.
        let gone_user = uuid::Uuid::parse_str(&gone.user_id).unwrap();
        session::Entity::update_many()
            .col_expr(session::Column::RevokedAt, Expr::value(Utc::now() - Duration::days(40)))
            .filter(session::Column::UserId.eq(gone_user))
            .exec(&app.db)
            .await
            .unwrap();
        login_throttle::Entity::update_many()
            .col_expr(login_throttle::Column::WindowStartedAt, Expr::value(Utc::now() - Duration::days(2)))
            .exec(&app.db)
            .await
            .unwrap();

        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            let sessions = session::Entity::find().count(&app.db).await.unwrap();
            let throttles = login_throttle::Entity::find().count(&app.db).await.unwrap();
            if sessions == 1 && throttles == 0 {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "not purged in time: {sessions} sessions, {throttles} throttles"
            );
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        // Only the live session's token remains, and it still works.
        assert_eq!(refresh_token::Entity::find().count(&app.db).await.unwrap(), 1);
        app.ok(&live.access, "{ me { email } }", json!({})).await;
        let r = app
            .gql_full(
                None,
                None,
                "mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken } }",
                json!({ "t": live.refresh }),
            )
            .await;
        assert!(r.get("errors").is_none(), "{r}");
    }
);
