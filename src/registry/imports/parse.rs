//! Reading an import: every line checked with the API's own rules, every
//! problem named `<line>/<field>`, before anything is written.

use serde_json::{Map, Value};
use uuid::Uuid;

use crate::domain::enums::{ExpertRole, OrganisationRole, Relation};
use crate::domain::links::AffiliationTerms;
use crate::domain::topics::Vocabulary;
use crate::error::{ApiError, ApiResult, InvalidParam};
use crate::registry::links::{
    Affiliations, InitiativeExperts, InitiativeOrganisations, LinkKind, RelatedInitiatives,
};
use crate::store::experts::Experts;
use crate::store::initiatives::Initiatives;
use crate::store::organisations::Organisations;
use crate::store::records::{Kind, StoredKind};

/// A link as a line writes it: the field it is in, its position there, the
/// other end's reference and the link's terms.
pub(super) struct LinkLine {
    pub(super) field: &'static str,
    pub(super) index: usize,
    pub(super) reference: String,
    pub(super) terms: LinkTerms,
}

/// A link's terms, read by the rules of the link's own `PUT`.
pub(super) enum LinkTerms {
    Affiliation(AffiliationTerms),
    Organisation(OrganisationRole),
    Expert(ExpertRole),
    Related(Relation),
}

impl LinkTerms {
    pub(super) fn parse(kind: Kind, field: &str, terms: &Value) -> ApiResult<Self> {
        Ok(match (kind, field) {
            (Kind::Expert, _) => Self::Affiliation(Affiliations::parse(terms)?),
            (_, "organisations") => Self::Organisation(InitiativeOrganisations::parse(terms)?),
            (_, "experts") => Self::Expert(InitiativeExperts::parse(terms)?),
            _ => Self::Related(RelatedInitiatives::parse(terms)?),
        })
    }

    /// The kind of record at the link's other end.
    pub(super) fn target(&self) -> Kind {
        match self {
            Self::Affiliation(_) | Self::Organisation(_) => Kind::Organisation,
            Self::Expert(_) => Kind::Expert,
            Self::Related(_) => Kind::Initiative,
        }
    }
}

pub(super) struct Parsed<R: StoredKind> {
    pub(super) line: usize,
    pub(super) id: Option<Uuid>,
    /// The record as the line writes it, for a new record.
    pub(super) draft: R::Draft,
    /// The line's own fields, applied as a merge patch to a record it matches.
    pub(super) fields: Value,
    pub(super) links: Vec<LinkLine>,
    /// `"createAnyway": true`: create the record even if it looks like one
    /// that exists.
    pub(super) create_anyway: bool,
}

pub(super) enum Line {
    Organisation(Parsed<Organisations>),
    Expert(Parsed<Experts>),
    Initiative(Parsed<Initiatives>),
}

/// The link fields each kind may carry.
pub(super) fn link_fields(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Organisation => &[],
        Kind::Expert => &["affiliations"],
        Kind::Initiative => &["organisations", "experts", "related"],
    }
}

pub(super) fn under(line: usize, prefix: &str, error: ApiError) -> Vec<InvalidParam> {
    let place = |name: &str| match (prefix.is_empty(), name.is_empty()) {
        (true, true) => format!("{line}"),
        (true, false) => format!("{line}/{name}"),
        (false, true) => format!("{line}/{prefix}"),
        (false, false) => format!("{line}/{prefix}/{name}"),
    };
    match error {
        ApiError::InvalidInput(params) | ApiError::Unprocessable(params, _) => params
            .into_iter()
            .map(|p| InvalidParam::new(place(&p.name), &p.code, p.reason))
            .collect(),
        other => vec![InvalidParam::new(place("body"), "invalid", other.detail())],
    }
}

pub(super) fn parse_record<R: StoredKind>(
    line: usize,
    mut object: Map<String, Value>,
    vocabulary: &Vocabulary,
    errors: &mut Vec<InvalidParam>,
) -> Option<Parsed<R>> {
    let id = match object.remove("id") {
        None | Some(Value::Null) => None,
        Some(Value::String(raw)) => match Uuid::try_parse(raw.trim()) {
            Ok(id) if !id.is_nil() => Some(id),
            _ => {
                errors.push(InvalidParam::new(
                    format!("{line}/id"),
                    "invalid-id",
                    format!("'{raw}' is not a UUID (other than the nil UUID)"),
                ));
                None
            }
        },
        Some(_) => {
            errors.push(InvalidParam::new(
                format!("{line}/id"),
                "wrong-type",
                "must be a UUID string",
            ));
            None
        }
    };
    let create_anyway = match object.remove("createAnyway") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(flag)) => flag,
        Some(_) => {
            errors.push(InvalidParam::new(
                format!("{line}/createAnyway"),
                "wrong-type",
                "must be true or false",
            ));
            false
        }
    };
    let mut links = Vec::new();
    for field in link_fields(R::KIND) {
        let Some(value) = object.remove(*field) else {
            continue;
        };
        let Value::Array(items) = value else {
            errors.push(InvalidParam::new(
                format!("{line}/{field}"),
                "wrong-type",
                "must be an array of links",
            ));
            continue;
        };
        for (index, item) in items.into_iter().enumerate() {
            let Value::Object(mut terms) = item else {
                errors.push(InvalidParam::new(
                    format!("{line}/{field}/{index}"),
                    "wrong-type",
                    "must be an object",
                ));
                continue;
            };
            let reference = match terms.remove("ref") {
                Some(Value::String(r)) if !r.trim().is_empty() => r.trim().to_owned(),
                _ => {
                    errors.push(InvalidParam::new(
                        format!("{line}/{field}/{index}/ref"),
                        "required",
                        "names the other record: its id or external key",
                    ));
                    continue;
                }
            };
            let terms = match LinkTerms::parse(R::KIND, field, &Value::Object(terms)) {
                Ok(terms) => terms,
                Err(e) => {
                    errors.extend(under(line, &format!("{field}/{index}"), e));
                    continue;
                }
            };
            links.push(LinkLine {
                field,
                index,
                reference,
                terms,
            });
        }
    }
    let fields = Value::Object(object);
    match R::parse_draft(&fields, vocabulary) {
        Ok(draft) => Some(Parsed {
            line,
            id,
            draft,
            fields,
            links,
            create_anyway,
        }),
        Err(e) => {
            errors.extend(under(line, "", e));
            None
        }
    }
}

/// Reads and checks every line; all problems at once, each named
/// `<line>/<field>`.
pub(super) fn parse(text: &str, vocabulary: &Vocabulary) -> ApiResult<Vec<Line>> {
    let mut errors = Vec::new();
    let mut lines = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let mut object = match serde_json::from_str::<Value>(raw) {
            Ok(Value::Object(object)) => object,
            Ok(_) => {
                errors.push(InvalidParam::new(
                    format!("{line}"),
                    "not-an-object",
                    "each line must be one JSON object",
                ));
                continue;
            }
            Err(e) => {
                errors.push(InvalidParam::new(
                    format!("{line}"),
                    "invalid-json",
                    e.to_string(),
                ));
                continue;
            }
        };
        let kind = object.remove("kind");
        let parsed = match kind.as_ref().and_then(Value::as_str) {
            Some("organisation") => {
                parse_record::<Organisations>(line, object, vocabulary, &mut errors)
                    .map(Line::Organisation)
            }
            Some("expert") => {
                parse_record::<Experts>(line, object, vocabulary, &mut errors).map(Line::Expert)
            }
            Some("initiative") => {
                parse_record::<Initiatives>(line, object, vocabulary, &mut errors)
                    .map(Line::Initiative)
            }
            _ => {
                errors.push(InvalidParam::new(
                    format!("{line}/kind"),
                    "unknown-value",
                    "must be one of: organisation, expert, initiative",
                ));
                None
            }
        };
        lines.extend(parsed);
    }
    if !errors.is_empty() {
        return Err(ApiError::InvalidInput(errors));
    }
    if lines.is_empty() {
        return Err(ApiError::BadRequest(
            "the import holds no records".to_owned(),
        ));
    }
    Ok(lines)
}
