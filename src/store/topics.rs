//! All SQL for topics.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::domain::topics::{Bilingual, Topic, Vocabulary};
use crate::error::ApiResult;
use crate::schema::topics;

type TopicRow = (String, Option<String>, String, String, String, String);

pub async fn load_vocabulary(conn: &mut AsyncPgConnection) -> ApiResult<Vocabulary> {
    let rows: Vec<TopicRow> = topics::table
        .order(topics::position)
        .select((
            topics::slug,
            topics::parent_slug,
            topics::label_en,
            topics::label_nl,
            topics::description_en,
            topics::description_nl,
        ))
        .load(conn)
        .await?;
    Ok(Vocabulary::new(
        rows.into_iter()
            .map(
                |(slug, parent, label_en, label_nl, description_en, description_nl)| Topic {
                    slug,
                    parent,
                    label: Bilingual {
                        en: label_en,
                        nl: label_nl,
                    },
                    description: Bilingual {
                        en: description_en,
                        nl: description_nl,
                    },
                    children: Vec::new(),
                },
            )
            .collect(),
    ))
}
