//! `/v1/network`: one page of the initiative list (its filters, search and
//! order, from the index), the organisations and experts linked to those
//! initiatives as the caller may see them, and the links among them all,
//! measured by `domain::graph`.

use std::collections::BTreeSet;

use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::Reading;
use super::find;
use crate::domain::graph::{Builder, Coverage, EdgeKind, Network, NodeKind};
use crate::domain::initiatives::InitiativeFilter;
use crate::domain::list::{ListRequest, in_found_order};
use crate::domain::topics::Vocabulary;
use crate::error::ApiResult;
use crate::store::initiatives::Initiatives;
use crate::store::network::affiliations_among;
use crate::store::records::{Kind, StoredKind};

pub async fn network(
    reading: &Reading,
    conn: &mut AsyncPgConnection,
    vocabulary: &Vocabulary,
    list: &ListRequest<InitiativeFilter>,
) -> ApiResult<Network> {
    let mut listed = find::list(reading, Kind::Initiative, list, vocabulary)?;
    let (ids, next) = listed.page(list.sort.name, list.page.limit);
    let loaded = Initiatives::load(conn, vocabulary, &ids, list.audience).await?;
    let initiatives = in_found_order(&ids, loaded, Initiatives::id);

    let mut builder = Builder::default();
    for initiative in &initiatives {
        let title = initiative
            .title
            .en
            .as_ref()
            .or(initiative.title.nl.as_ref());
        let label = initiative
            .acronym
            .clone()
            .or_else(|| title.cloned())
            .unwrap_or_default();
        builder.node(initiative.id, NodeKind::Initiative, label);
    }
    let mut experts = BTreeSet::new();
    let mut organisations = BTreeSet::new();
    for initiative in &initiatives {
        for organisation in &initiative.organisations {
            let label = organisation
                .acronym
                .clone()
                .unwrap_or_else(|| organisation.name.clone());
            builder.node(organisation.id, NodeKind::Organisation, label);
            builder.edge(
                initiative.id,
                organisation.id,
                EdgeKind::TakesPart,
                Some(organisation.role.as_str().to_owned()),
            );
            organisations.insert(organisation.id);
        }
        for expert in &initiative.experts {
            builder.node(expert.id, NodeKind::Expert, expert.name.clone());
            builder.edge(
                initiative.id,
                expert.id,
                EdgeKind::Participates,
                Some(expert.role.as_str().to_owned()),
            );
            experts.insert(expert.id);
        }
        for related in &initiative.related {
            builder.edge(
                initiative.id,
                related.id,
                EdgeKind::RelatedTo,
                Some(related.relation.as_str().to_owned()),
            );
        }
    }
    let experts: Vec<Uuid> = experts.into_iter().collect();
    let organisations: Vec<Uuid> = organisations.into_iter().collect();
    for affiliation in affiliations_among(conn, &experts, &organisations).await? {
        builder.edge(
            affiliation.expert_id,
            affiliation.organisation_id,
            EdgeKind::AffiliatedWith,
            affiliation.role,
        );
    }
    let coverage = Coverage {
        matched: listed.total,
        shown: initiatives.len(),
    };
    Ok(builder.finish(coverage, next))
}
