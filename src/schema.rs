// @generated automatically by Diesel CLI.

diesel::table! {
    affiliations (expert_id, organisation_id) {
        expert_id -> Uuid,
        organisation_id -> Uuid,
        role -> Nullable<Text>,
        since -> Nullable<Date>,
        until -> Nullable<Date>,
        created_at -> Timestamptz,
        expert_public -> Bool,
    }
}

diesel::table! {
    api_keys (id) {
        id -> Uuid,
        name -> Text,
        role -> Text,
        token_prefix -> Text,
        token_hash -> Bytea,
        created_at -> Timestamptz,
        expires_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
        last_used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    change_counter (only_row) {
        only_row -> Bool,
        position -> Int8,
    }
}

diesel::table! {
    changes (position) {
        position -> Int8,
        at -> Timestamptz,
        kind -> Text,
        record_id -> Uuid,
        event -> Text,
        successor_id -> Nullable<Uuid>,
        public_before -> Bool,
        public_after -> Bool,
        staff_only -> Bool,
        tx -> Nullable<Int8>,
    }
}

diesel::table! {
    expert_topics (expert_id, topic_slug) {
        expert_id -> Uuid,
        topic_slug -> Text,
        expert_public -> Bool,
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
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int8,
        deleted_at -> Nullable<Timestamptz>,
        topic_closure -> Array<Text>,
        search_name -> Nullable<Text>,
        sort_name -> Nullable<Text>,
        publication_status -> Text,
        editors -> Array<Uuid>,
        consent_public_profile -> Bool,
        consent_given_at -> Nullable<Date>,
        consent_note -> Nullable<Text>,
        erased_at -> Nullable<Timestamptz>,
        is_public -> Nullable<Bool>,
        merged_into -> Nullable<Uuid>,
        public_version -> Int8,
        public_updated_at -> Nullable<Timestamptz>,
        public_fingerprint -> Nullable<Text>,
        public_changed_tx -> Nullable<Int8>,
        sources -> Jsonb,
        content_changed_at -> Timestamptz,
        last_reviewed_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    history (seq) {
        seq -> Int8,
        kind -> Text,
        record_id -> Uuid,
        action -> Text,
        actor_key_id -> Nullable<Uuid>,
        actor_name -> Nullable<Text>,
        at -> Timestamptz,
        request_id -> Nullable<Text>,
        message -> Nullable<Text>,
        changes -> Jsonb,
    }
}

diesel::table! {
    idempotency_keys (key_id, idempotency) {
        key_id -> Uuid,
        idempotency -> Text,
        route -> Text,
        request_hash -> Bytea,
        location -> Nullable<Text>,
        version -> Nullable<Int8>,
        body -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    initiative_experts (initiative_id, expert_id) {
        initiative_id -> Uuid,
        expert_id -> Uuid,
        role -> Text,
        created_at -> Timestamptz,
        expert_public -> Bool,
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
    initiative_relations (subject_id, object_id) {
        subject_id -> Uuid,
        object_id -> Uuid,
        relation -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    initiative_topics (initiative_id, topic_slug) {
        initiative_id -> Uuid,
        topic_slug -> Text,
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
        topic_closure -> Array<Text>,
        sort_title -> Nullable<Text>,
        publication_status -> Text,
        editors -> Array<Uuid>,
        is_public -> Nullable<Bool>,
        merged_into -> Nullable<Uuid>,
        public_version -> Int8,
        public_updated_at -> Nullable<Timestamptz>,
        public_fingerprint -> Nullable<Text>,
        public_changed_tx -> Nullable<Int8>,
        sources -> Jsonb,
        content_changed_at -> Timestamptz,
        last_reviewed_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    organisation_topics (organisation_id, topic_slug) {
        organisation_id -> Uuid,
        topic_slug -> Text,
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
        topic_closure -> Array<Text>,
        search_name -> Nullable<Text>,
        sort_name -> Nullable<Text>,
        website_domain -> Nullable<Text>,
        publication_status -> Text,
        editors -> Array<Uuid>,
        is_public -> Nullable<Bool>,
        merged_into -> Nullable<Uuid>,
        public_version -> Int8,
        public_updated_at -> Nullable<Timestamptz>,
        public_fingerprint -> Nullable<Text>,
        public_changed_tx -> Nullable<Int8>,
        sources -> Jsonb,
        content_changed_at -> Timestamptz,
        last_reviewed_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    pending_revisions (record_id) {
        record_id -> Uuid,
        kind -> Text,
        draft -> Jsonb,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    rate_instances (id) {
        id -> Uuid,
        seen_at -> Timestamptz,
    }
}

diesel::table! {
    rate_windows (caller, window_start) {
        caller -> Text,
        window_start -> Int8,
        count -> Int8,
    }
}

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
    webhook_deliveries (id) {
        id -> Uuid,
        subscription_id -> Uuid,
        position -> Int8,
        event_type -> Text,
        payload -> Text,
        state -> Text,
        attempts -> Int4,
        next_attempt_at -> Nullable<Timestamptz>,
        last_attempt_at -> Nullable<Timestamptz>,
        last_status -> Nullable<Int4>,
        last_error -> Nullable<Text>,
        delivered_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    webhook_subscriptions (id) {
        id -> Uuid,
        url -> Text,
        description -> Nullable<Text>,
        events -> Array<Text>,
        kinds -> Array<Text>,
        topics -> Array<Text>,
        scopes -> Array<Text>,
        audience -> Text,
        secret -> Text,
        previous_secret -> Nullable<Text>,
        previous_secret_expires_at -> Nullable<Timestamptz>,
        enabled -> Bool,
        disabled_at -> Nullable<Timestamptz>,
        disabled_reason -> Nullable<Text>,
        consecutive_failures -> Int4,
        failing_since -> Nullable<Timestamptz>,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::joinable!(affiliations -> experts (expert_id));
diesel::joinable!(affiliations -> organisations (organisation_id));
diesel::joinable!(expert_topics -> experts (expert_id));
diesel::joinable!(expert_topics -> topics (topic_slug));
diesel::joinable!(history -> api_keys (actor_key_id));
diesel::joinable!(idempotency_keys -> api_keys (key_id));
diesel::joinable!(initiative_experts -> experts (expert_id));
diesel::joinable!(initiative_experts -> initiatives (initiative_id));
diesel::joinable!(initiative_organisations -> initiatives (initiative_id));
diesel::joinable!(initiative_organisations -> organisations (organisation_id));
diesel::joinable!(initiative_topics -> initiatives (initiative_id));
diesel::joinable!(initiative_topics -> topics (topic_slug));
diesel::joinable!(organisation_topics -> organisations (organisation_id));
diesel::joinable!(organisation_topics -> topics (topic_slug));
diesel::joinable!(webhook_deliveries -> webhook_subscriptions (subscription_id));

diesel::allow_tables_to_appear_in_same_query!(
    affiliations,
    api_keys,
    change_counter,
    changes,
    expert_topics,
    experts,
    history,
    idempotency_keys,
    initiative_experts,
    initiative_organisations,
    initiative_relations,
    initiative_topics,
    initiatives,
    organisation_topics,
    organisations,
    pending_revisions,
    rate_instances,
    rate_windows,
    topics,
    webhook_deliveries,
    webhook_subscriptions,
);
