DROP TRIGGER initiatives_note_words ON initiatives;
DROP TRIGGER organisations_note_words ON organisations;
DROP TRIGGER experts_note_words ON experts;
DROP FUNCTION aimd_note_words();
DROP TABLE search_words;
DROP INDEX initiatives_facts_idx, experts_facts_idx, organisations_facts_idx,
    initiatives_topics_idx, experts_topics_idx, organisations_topics_idx;
ALTER TABLE initiatives DROP COLUMN topic_closure;
ALTER TABLE experts DROP COLUMN topic_closure;
ALTER TABLE organisations DROP COLUMN topic_closure;
DROP FUNCTION aimd_topic_closure(text[]);
DROP INDEX experts_email_idx, experts_orcid_idx, organisations_domain_idx, organisations_ror_idx;
ALTER TABLE organisations DROP COLUMN website_domain;
DROP INDEX expert_topics_expert_idx, experts_languages_idx, initiatives_active_idx,
    experts_updated_sort_idx, experts_name_sort_idx, organisations_updated_sort_idx,
    organisations_name_sort_idx, initiatives_start_desc_sort_idx, initiatives_start_sort_idx,
    initiatives_updated_sort_idx, initiatives_title_sort_idx;
ALTER TABLE experts DROP COLUMN search_vector, DROP COLUMN search_name, DROP COLUMN sort_name;
ALTER TABLE organisations DROP COLUMN search_vector, DROP COLUMN search_name, DROP COLUMN sort_name;
ALTER TABLE initiatives DROP COLUMN search_vector, DROP COLUMN search_name, DROP COLUMN sort_title;
DROP FUNCTION aimd_fold(text);
DROP TEXT SEARCH CONFIGURATION aimd_simple;
DROP TEXT SEARCH CONFIGURATION aimd_nl;
DROP TEXT SEARCH CONFIGURATION aimd_en;
