//! The closed vocabularies are stored as their text. Reading one maps the
//! text back and fails on a value the type does not know, instead of
//! guessing: a database that says something the code does not understand
//! is an error to see, not a value to paper over.

use diesel::deserialize::{self, FromSql, Queryable};
use diesel::pg::{Pg, PgValue};
use diesel::sql_types::Text;

use crate::domain::enums::{
    ChangeEvent, DeliveryState, HistoryAction, HitType, InitiativeStatus, InitiativeType,
    OrganisationType, PublicationStatus, Regulation, Role, Scope, WebhookAudience,
};

macro_rules! read_as_text {
    ($($name:ident),+ $(,)?) => {$(
        impl FromSql<Text, Pg> for $name {
            fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
                let text = <String as FromSql<Text, Pg>>::from_sql(value)?;
                $name::parse(&text).map_err(|_| {
                    format!(concat!("the database holds '{}', which is no ", stringify!($name)), text)
                        .into()
                })
            }
        }

        // What `#[derive(FromSqlRow)]` would write: the value is a row of
        // one column, so it can be selected and loaded by name too.
        impl Queryable<Text, Pg> for $name {
            type Row = Self;

            fn build(row: Self) -> deserialize::Result<Self> {
                Ok(row)
            }
        }
    )+};
}

read_as_text!(
    ChangeEvent,
    DeliveryState,
    HistoryAction,
    HitType,
    InitiativeStatus,
    InitiativeType,
    OrganisationType,
    PublicationStatus,
    Regulation,
    Role,
    Scope,
    WebhookAudience,
);
