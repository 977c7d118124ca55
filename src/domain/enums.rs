//! The closed vocabularies of the registry. Each is a Rust enum that reads
//! from and writes to its kebab-case string form, in JSON, query strings and
//! the database.

use serde_json::Value;

use super::input::{FieldError, FromJson};

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        // utoipa does not see `rename` values passed through a macro, so
        // the variants are named to match `rename_all` (checked by a test).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "kebab-case")]
        pub enum $name {
            $($variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            pub fn parse(raw: &str) -> Result<Self, FieldError> {
                match raw.trim() {
                    $($text => Ok($name::$variant),)+
                    _ => Err(FieldError::new(
                        "unknown-value",
                        format!(
                            "'{raw}' is not one of: {}",
                            Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
                        ),
                    )),
                }
            }

        }

        impl FromJson for $name {
            fn from_json(value: &Value) -> Result<Self, Vec<FieldError>> {
                let raw = value.as_str().ok_or_else(|| vec![FieldError::wrong_type("a string")])?;
                Self::parse(raw).map_err(|e| vec![e])
            }
        }
    };
}

string_enum! {
    /// What kind of body an organisation is.
    OrganisationType {
        StandardsBody = "standards-body",
        Regulator = "regulator",
        NotifiedBody = "notified-body",
        Government = "government",
        EuInstitution = "eu-institution",
        InternationalOrganisation = "international-organisation",
        Manufacturer = "manufacturer",
        HealthcareProvider = "healthcare-provider",
        University = "university",
        ResearchInstitute = "research-institute",
        IndustryAssociation = "industry-association",
        ProfessionalSociety = "professional-society",
        PatientOrganisation = "patient-organisation",
        Funder = "funder",
        Consultancy = "consultancy",
        Other = "other",
    }
}

string_enum! {
    /// The level an initiative works at.
    Scope {
        National = "national",
        European = "european",
        International = "international",
    }
}

string_enum! {
    /// What kind of initiative it is.
    InitiativeType {
        Legislation = "legislation",
        RegulatoryGuidance = "regulatory-guidance",
        Standard = "standard",
        StandardsCommittee = "standards-committee",
        ResearchProject = "research-project",
        ExpertNetwork = "expert-network",
        PolicyProgramme = "policy-programme",
        FundingProgramme = "funding-programme",
        TestingFacility = "testing-facility",
        ToolOrFramework = "tool-or-framework",
        Event = "event",
        Other = "other",
    }
}

string_enum! {
    /// Where an initiative is in its life.
    InitiativeStatus {
        Planned = "planned",
        Active = "active",
        Completed = "completed",
        Discontinued = "discontinued",
    }
}

string_enum! {
    /// A regulation an initiative relates to.
    Regulation {
        Mdr = "mdr",
        Ivdr = "ivdr",
        AiAct = "ai-act",
        Gdpr = "gdpr",
        Ehds = "ehds",
        Other = "other",
    }
}

string_enum! {
    /// The part an organisation plays in an initiative.
    OrganisationRole {
        Lead = "lead",
        Member = "member",
        Funder = "funder",
        Secretariat = "secretariat",
        Observer = "observer",
    }
}

string_enum! {
    /// The part an expert plays in an initiative.
    ExpertRole {
        Chair = "chair",
        Convenor = "convenor",
        Member = "member",
        Contact = "contact",
        Rapporteur = "rapporteur",
    }
}

string_enum! {
    /// How one initiative relates to another, read from the first one's side:
    /// "A part-of B" is shown on B as "has-part A".
    Relation {
        PartOf = "part-of",
        HasPart = "has-part",
        Succeeds = "succeeds",
        SucceededBy = "succeeded-by",
        RelatedTo = "related-to",
    }
}

string_enum! {
    /// The kinds of record a search can return.
    HitType {
        Initiative = "initiative",
        Organisation = "organisation",
        Expert = "expert",
    }
}

string_enum! {
    /// Whether a record must have any (default) or all of the listed topics.
    TopicMatch {
        Any = "any",
        All = "all",
    }
}

string_enum! {
    /// What a history entry records.
    HistoryAction {
        Created = "created",
        Updated = "updated",
        Revised = "revised",
        Deleted = "deleted",
        Linked = "linked",
        Unlinked = "unlinked",
        Submitted = "submitted",
        Approved = "approved",
        Rejected = "rejected",
        Archived = "archived",
        Restored = "restored",
        Merged = "merged",
        Erased = "erased",
        Confirmed = "confirmed",
    }
}

string_enum! {
    /// Why a record is due for review (`GET /v1/reviews/due`).
    DueReason {
        NotReviewed = "not-reviewed",
        EndedButOpen = "ended-but-open",
        NoSource = "no-source",
        SourcesOutdated = "sources-outdated",
    }
}

string_enum! {
    /// Where a record stands in the review-and-publish workflow. Only
    /// published records are shown to the public and to readers.
    PublicationStatus {
        Draft = "draft",
        InReview = "in-review",
        Published = "published",
        Archived = "archived",
    }
}

string_enum! {
    /// What happened to a record, as the change feed tells it.
    ChangeEvent {
        Created = "created",
        Updated = "updated",
        Deleted = "deleted",
        Merged = "merged",
    }
}

string_enum! {
    /// Whose view of the registry a webhook subscription follows: the
    /// public's (published records only, as the anonymous change feed) or
    /// the staff's (every change, drafts included).
    WebhookAudience {
        Public = "public",
        Staff = "staff",
    }
}

string_enum! {
    /// Where a webhook delivery stands: waiting for its (next) attempt,
    /// accepted by the receiver, or given up after the last retry.
    DeliveryState {
        Pending = "pending",
        Delivered = "delivered",
        Failed = "failed",
    }
}

string_enum! {
    /// A step in the publication workflow.
    PublicationAction {
        Submit = "submit",
        Approve = "approve",
        Reject = "reject",
        Archive = "archive",
        Restore = "restore",
        Confirm = "confirm",
    }
}

string_enum! {
    /// What an API key may do; each role includes the ones before it.
    Role {
        Reader = "reader",
        Curator = "curator",
        Editor = "editor",
        Admin = "admin",
    }
}

impl OrganisationRole {
    /// Which role a merge keeps when both records had one.
    pub const STRONGEST_FIRST: &'static [&'static str] =
        &["lead", "secretariat", "funder", "member", "observer"];
}

impl ExpertRole {
    /// Which role a merge keeps when both records had one.
    pub const STRONGEST_FIRST: &'static [&'static str] =
        &["chair", "convenor", "rapporteur", "member", "contact"];
}

impl PublicationStatus {
    /// Where `action` takes a record in this state, if it may be taken.
    pub fn after(self, action: PublicationAction) -> Option<Self> {
        use PublicationAction as A;
        match (self, action) {
            (Self::Draft, A::Submit) => Some(Self::InReview),
            (Self::InReview, A::Approve) => Some(Self::Published),
            (Self::InReview, A::Reject) => Some(Self::Draft),
            (Self::Published, A::Archive) => Some(Self::Archived),
            (Self::Archived, A::Restore) => Some(Self::Published),
            (Self::Published, A::Confirm) => Some(Self::Published),
            _ => None,
        }
    }
}

impl PublicationAction {
    /// The least role that may take this step.
    pub fn needs(self) -> Role {
        match self {
            Self::Submit | Self::Confirm => Role::Curator,
            Self::Approve | Self::Reject | Self::Archive | Self::Restore => Role::Editor,
        }
    }

    pub fn recorded_as(self) -> HistoryAction {
        match self {
            Self::Submit => HistoryAction::Submitted,
            Self::Approve => HistoryAction::Approved,
            Self::Reject => HistoryAction::Rejected,
            Self::Archive => HistoryAction::Archived,
            Self::Restore => HistoryAction::Restored,
            Self::Confirm => HistoryAction::Confirmed,
        }
    }
}

impl Role {
    /// Whether this role includes everything `other` may do.
    pub fn includes(self, other: Role) -> bool {
        self as u8 >= other as u8
    }
}

impl Relation {
    /// The same relation read from the other initiative's side.
    pub fn inverse(self) -> Self {
        match self {
            Self::PartOf => Self::HasPart,
            Self::HasPart => Self::PartOf,
            Self::Succeeds => Self::SucceededBy,
            Self::SucceededBy => Self::Succeeds,
            Self::RelatedTo => Self::RelatedTo,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serialises_as_its_text<T: serde::Serialize>(value: T, text: &str) {
        assert_eq!(
            serde_json::to_value(value).unwrap(),
            serde_json::json!(text)
        );
    }

    #[test]
    fn wire_names_match_the_declared_texts() {
        for v in OrganisationType::ALL {
            serialises_as_its_text(v, v.as_str());
        }
        for v in Scope::ALL {
            serialises_as_its_text(v, v.as_str());
        }
        for v in InitiativeType::ALL {
            serialises_as_its_text(v, v.as_str());
        }
        for v in InitiativeStatus::ALL {
            serialises_as_its_text(v, v.as_str());
        }
        for v in Regulation::ALL {
            serialises_as_its_text(v, v.as_str());
        }
        for v in OrganisationRole::ALL {
            serialises_as_its_text(v, v.as_str());
        }
        for v in ExpertRole::ALL {
            serialises_as_its_text(v, v.as_str());
        }
        for v in Relation::ALL {
            serialises_as_its_text(v, v.as_str());
        }
        for v in HitType::ALL {
            serialises_as_its_text(v, v.as_str());
        }
        for v in ChangeEvent::ALL {
            serialises_as_its_text(v, v.as_str());
        }
        for v in PublicationStatus::ALL {
            serialises_as_its_text(v, v.as_str());
        }
        for v in PublicationAction::ALL {
            serialises_as_its_text(v, v.as_str());
        }
        for v in HistoryAction::ALL {
            serialises_as_its_text(v, v.as_str());
        }
        for v in Role::ALL {
            serialises_as_its_text(v, v.as_str());
        }
    }

    #[test]
    fn role_strengths_rank_every_role() {
        let mut organisation: Vec<&str> =
            OrganisationRole::ALL.iter().map(|r| r.as_str()).collect();
        let mut ranked = OrganisationRole::STRONGEST_FIRST.to_vec();
        organisation.sort_unstable();
        ranked.sort_unstable();
        assert_eq!(organisation, ranked);
        let mut expert: Vec<&str> = ExpertRole::ALL.iter().map(|r| r.as_str()).collect();
        let mut ranked = ExpertRole::STRONGEST_FIRST.to_vec();
        expert.sort_unstable();
        ranked.sort_unstable();
        assert_eq!(expert, ranked);
    }

    #[test]
    fn the_workflow_allows_exactly_its_transitions() {
        use PublicationAction as A;
        use PublicationStatus as S;
        let mut allowed = Vec::new();
        for status in S::ALL {
            for action in A::ALL {
                if let Some(next) = status.after(*action) {
                    allowed.push((*status, *action, next));
                }
            }
        }
        assert_eq!(
            allowed,
            [
                (S::Draft, A::Submit, S::InReview),
                (S::InReview, A::Approve, S::Published),
                (S::InReview, A::Reject, S::Draft),
                (S::Published, A::Archive, S::Archived),
                (S::Published, A::Confirm, S::Published),
                (S::Archived, A::Restore, S::Published),
            ]
        );
    }

    #[test]
    fn roles_include_the_lower_ones_only() {
        assert!(Role::Admin.includes(Role::Reader));
        assert!(Role::Editor.includes(Role::Curator));
        assert!(Role::Curator.includes(Role::Curator));
        assert!(!Role::Curator.includes(Role::Editor));
        assert!(!Role::Reader.includes(Role::Curator));
    }

    #[test]
    fn every_relation_round_trips_through_its_inverse() {
        for relation in Relation::ALL {
            assert_eq!(relation.inverse().inverse(), *relation);
        }
    }

    #[test]
    fn unknown_values_list_the_allowed_ones() {
        let error = Scope::parse("galactic").unwrap_err();
        assert_eq!(error.code, "unknown-value");
        assert!(error.reason.contains("national, european, international"));
    }
}
