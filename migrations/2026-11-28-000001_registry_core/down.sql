DROP TABLE initiative_relations, initiative_experts, initiative_organisations, initiative_topics,
    initiatives, affiliations, expert_topics, experts, organisation_topics, organisations, topics;
