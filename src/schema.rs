//! Diesel's view of the tables in `migrations/`.

diesel::table! {
    topics (slug) {
        slug -> Text,
        parent_slug -> Nullable<Text>,
        label_en -> Text,
        label_nl -> Text,
        description_en -> Text,
        description_nl -> Text,
        position -> Int4,
    }
}

diesel::table! {
    organisations (id) {
        id -> Uuid,
        name -> Text,
        acronym -> Nullable<Text>,
        organisation_type -> Text,
        country -> Nullable<Text>,
        website -> Nullable<Text>,
        ror_id -> Nullable<Text>,
        description_en -> Nullable<Text>,
        description_nl -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int8,
        deleted_at -> Nullable<Timestamptz>,
        publication_status -> Text,
    }
}

diesel::table! {
    organisation_topics (organisation_id, topic_slug) {
        organisation_id -> Uuid,
        topic_slug -> Text,
    }
}

diesel::table! {
    experts (id) {
        id -> Uuid,
        given_name -> Text,
        family_name -> Text,
        honorific -> Nullable<Text>,
        orcid -> Nullable<Text>,
        email -> Nullable<Text>,
        country -> Nullable<Text>,
        languages -> Array<Text>,
        bio_en -> Nullable<Text>,
        bio_nl -> Nullable<Text>,
        consent_public_profile -> Bool,
        consent_given_at -> Nullable<Date>,
        consent_note -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int8,
        deleted_at -> Nullable<Timestamptz>,
        publication_status -> Text,
    }
}

diesel::table! {
    expert_topics (expert_id, topic_slug) {
        expert_id -> Uuid,
        topic_slug -> Text,
    }
}

diesel::table! {
    affiliations (expert_id, organisation_id) {
        expert_id -> Uuid,
        organisation_id -> Uuid,
        role -> Nullable<Text>,
        since -> Nullable<Date>,
        until -> Nullable<Date>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    initiatives (id) {
        id -> Uuid,
        title_en -> Nullable<Text>,
        title_nl -> Nullable<Text>,
        acronym -> Nullable<Text>,
        summary_en -> Nullable<Text>,
        summary_nl -> Nullable<Text>,
        scope -> Text,
        countries -> Array<Text>,
        initiative_type -> Text,
        status -> Text,
        start_date -> Nullable<Date>,
        end_date -> Nullable<Date>,
        website -> Nullable<Text>,
        regulations -> Array<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int8,
        deleted_at -> Nullable<Timestamptz>,
        publication_status -> Text,
    }
}

diesel::table! {
    initiative_topics (initiative_id, topic_slug) {
        initiative_id -> Uuid,
        topic_slug -> Text,
    }
}

diesel::table! {
    initiative_organisations (initiative_id, organisation_id) {
        initiative_id -> Uuid,
        organisation_id -> Uuid,
        role -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    initiative_experts (initiative_id, expert_id) {
        initiative_id -> Uuid,
        expert_id -> Uuid,
        role -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    initiative_relations (subject_id, object_id) {
        subject_id -> Uuid,
        object_id -> Uuid,
        relation -> Text,
        created_at -> Timestamptz,
    }
}

diesel::joinable!(organisation_topics -> organisations (organisation_id));
diesel::joinable!(organisation_topics -> topics (topic_slug));
diesel::joinable!(expert_topics -> experts (expert_id));
diesel::joinable!(expert_topics -> topics (topic_slug));
diesel::joinable!(affiliations -> experts (expert_id));
diesel::joinable!(affiliations -> organisations (organisation_id));
diesel::joinable!(initiative_topics -> initiatives (initiative_id));
diesel::joinable!(initiative_topics -> topics (topic_slug));
diesel::joinable!(initiative_organisations -> initiatives (initiative_id));
diesel::joinable!(initiative_organisations -> organisations (organisation_id));
diesel::joinable!(initiative_experts -> initiatives (initiative_id));
diesel::joinable!(initiative_experts -> experts (expert_id));

diesel::allow_tables_to_appear_in_same_query!(
    topics,
    organisations,
    organisation_topics,
    experts,
    expert_topics,
    affiliations,
    initiatives,
    initiative_topics,
    initiative_organisations,
    initiative_experts,
    initiative_relations,
);
