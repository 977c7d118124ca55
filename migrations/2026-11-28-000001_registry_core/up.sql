-- Registry core: topics (a seeded vocabulary), the three record kinds, and the
-- links between them. Records are never removed: DELETE sets deleted_at and
-- the row stays as a tombstone so its id is never reused.

CREATE TABLE topics (
    slug text PRIMARY KEY CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    parent_slug text REFERENCES topics (slug),
    label_en text NOT NULL,
    label_nl text NOT NULL,
    description_en text NOT NULL,
    description_nl text NOT NULL,
    position integer NOT NULL UNIQUE
);
CREATE INDEX topics_parent_idx ON topics (parent_slug);

INSERT INTO topics (slug, parent_slug, position, label_en, label_nl, description_en, description_nl) VALUES
('clinical-investigation', NULL, 10, 'Clinical investigation', 'Klinisch onderzoek',
 'Designing and running clinical investigations of AI-based medical devices under the MDR and IVDR.',
 'Opzet en uitvoering van klinisch onderzoek naar medische hulpmiddelen met AI onder de MDR en IVDR.'),
('clinical-validation', NULL, 20, 'Clinical validation', 'Klinische validatie',
 'Showing that an AI model performs safely and as intended in its clinical setting.',
 'Aantonen dat een AI-model in de klinische praktijk veilig en zoals beoogd presteert.'),
('performance-evaluation', 'clinical-validation', 21, 'Performance evaluation', 'Prestatiebeoordeling',
 'Scientific validity, analytical and clinical performance of in-vitro diagnostics (IVDR).',
 'Wetenschappelijke geldigheid en analytische en klinische prestaties van in-vitrodiagnostica (IVDR).'),
('real-world-performance', 'clinical-validation', 22, 'Real-world performance', 'Prestaties in de praktijk',
 'Monitoring how models perform on real patients and data after deployment.',
 'Volgen hoe modellen na ingebruikname presteren op echte patiënten en gegevens.'),
('data-use', NULL, 30, 'Use of data', 'Gebruik van data',
 'Access to, reuse and sharing of health data for training and testing AI.',
 'Toegang tot, hergebruik en delen van gezondheidsgegevens voor het trainen en testen van AI.'),
('data-governance', 'data-use', 31, 'Data governance', 'Datagovernance',
 'Rules, roles and documentation for the data sets behind AI systems.',
 'Afspraken, rollen en documentatie rond de datasets achter AI-systemen.'),
('data-quality', 'data-use', 32, 'Data quality', 'Datakwaliteit',
 'Representativeness, completeness and labelling quality of training and test data.',
 'Representativiteit, volledigheid en labelkwaliteit van trainings- en testdata.'),
('algorithmic-bias', NULL, 40, 'Algorithmic bias', 'Bias van algoritmes',
 'Detecting and mitigating unfair differences in model performance between groups of patients.',
 'Opsporen en verminderen van ongelijke prestaties van modellen tussen groepen patiënten.'),
('interoperability', NULL, 50, 'Interoperability', 'Interoperabiliteit',
 'Exchanging data and results between AI devices and health information systems.',
 'Uitwisseling van gegevens en uitkomsten tussen AI-hulpmiddelen en zorginformatiesystemen.'),
('semantic-interoperability', 'interoperability', 51, 'Semantic interoperability', 'Semantische interoperabiliteit',
 'Shared terminologies and information models so that data keeps its meaning.',
 'Gedeelde terminologieën en informatiemodellen zodat gegevens hun betekenis behouden.'),
('trust-in-ai', NULL, 60, 'Trust in AI', 'Vertrouwen in AI',
 'What patients, professionals and regulators need in order to rely on AI.',
 'Wat patiënten, zorgverleners en toezichthouders nodig hebben om op AI te kunnen vertrouwen.'),
('transparency-and-explainability', 'trust-in-ai', 61, 'Transparency and explainability', 'Transparantie en uitlegbaarheid',
 'Making the workings, limits and outputs of AI systems understandable to their users.',
 'De werking, grenzen en uitkomsten van AI-systemen begrijpelijk maken voor gebruikers.'),
('human-oversight', 'trust-in-ai', 62, 'Human oversight', 'Menselijk toezicht',
 'Keeping people able to monitor, interpret and overrule AI decisions.',
 'Ervoor zorgen dat mensen AI-beslissingen kunnen volgen, duiden en corrigeren.'),
('privacy', NULL, 70, 'Privacy', 'Privacy',
 'Protecting personal data in the development and use of AI under the GDPR.',
 'Bescherming van persoonsgegevens bij de ontwikkeling en het gebruik van AI onder de AVG.'),
('anonymisation', 'privacy', 71, 'Anonymisation and pseudonymisation', 'Anonimisering en pseudonimisering',
 'Techniques that reduce the identifiability of patients in data sets, including federated learning.',
 'Technieken die patiënten in datasets minder herleidbaar maken, waaronder federated learning.'),
('ethics', NULL, 80, 'Ethics', 'Ethiek',
 'Ethical questions raised by AI in care: autonomy, responsibility, fairness.',
 'Ethische vragen rond AI in de zorg: autonomie, verantwoordelijkheid, rechtvaardigheid.'),
('accountability', 'ethics', 81, 'Accountability', 'Verantwoording',
 'Who answers for the outcomes of AI-supported care decisions.',
 'Wie verantwoordelijk is voor de uitkomsten van door AI ondersteunde zorgbeslissingen.'),
('cybersecurity', NULL, 90, 'Cybersecurity', 'Cyberbeveiliging',
 'Protecting AI devices and their data against attacks and manipulation.',
 'Bescherming van AI-hulpmiddelen en hun gegevens tegen aanvallen en manipulatie.'),
('risk-management', NULL, 100, 'Risk management', 'Risicomanagement',
 'Identifying and controlling the risks of AI devices over their life cycle (ISO 14971).',
 'Risico''s van AI-hulpmiddelen gedurende de levenscyclus beheersen (ISO 14971).'),
('quality-management', NULL, 110, 'Quality management', 'Kwaliteitsmanagement',
 'Quality management systems and software life-cycle processes (ISO 13485, IEC 62304).',
 'Kwaliteitsmanagementsystemen en processen voor de levenscyclus van software (ISO 13485, IEC 62304).'),
('post-market-surveillance', NULL, 120, 'Post-market surveillance', 'Markttoezicht na markttoelating',
 'Monitoring AI devices once they are on the market, including vigilance and trend reporting.',
 'Toezicht op AI-hulpmiddelen nadat ze op de markt zijn gebracht, inclusief vigilantie en trendrapportage.'),
('change-control', 'post-market-surveillance', 121, 'Change control for learning systems', 'Wijzigingsbeheer voor lerende systemen',
 'Managing model updates and continuously learning algorithms after certification.',
 'Beheer van modelupdates en continu lerende algoritmen na certificering.'),
('standardisation', NULL, 130, 'Standardisation', 'Normalisatie',
 'Developing and applying (harmonised) standards for AI in medical devices.',
 'Ontwikkelen en toepassen van (geharmoniseerde) normen voor AI in medische hulpmiddelen.');

CREATE TABLE organisations (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    acronym text,
    organisation_type text NOT NULL CHECK (organisation_type IN (
        'standards-body', 'regulator', 'notified-body', 'government', 'eu-institution',
        'international-organisation', 'manufacturer', 'healthcare-provider', 'university',
        'research-institute', 'industry-association', 'professional-society',
        'patient-organisation', 'funder', 'consultancy', 'other')),
    country text CHECK (country ~ '^[A-Z]{2}$'),
    website text,
    ror_id text,
    description_en text,
    description_nl text,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version bigint NOT NULL DEFAULT 1,
    deleted_at timestamptz
);
CREATE INDEX organisations_type_idx ON organisations (organisation_type, id) WHERE deleted_at IS NULL;
CREATE INDEX organisations_country_idx ON organisations (country, id) WHERE deleted_at IS NULL;

CREATE TABLE organisation_topics (
    organisation_id uuid NOT NULL REFERENCES organisations (id),
    topic_slug text NOT NULL REFERENCES topics (slug),
    PRIMARY KEY (organisation_id, topic_slug)
);
CREATE INDEX organisation_topics_topic_idx ON organisation_topics (topic_slug, organisation_id);

CREATE TABLE experts (
    id uuid PRIMARY KEY,
    given_name text NOT NULL,
    family_name text NOT NULL,
    honorific text,
    orcid text,
    email text,
    country text CHECK (country ~ '^[A-Z]{2}$'),
    languages text[] NOT NULL DEFAULT '{}',
    bio_en text,
    bio_nl text,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version bigint NOT NULL DEFAULT 1,
    deleted_at timestamptz
);
CREATE INDEX experts_country_idx ON experts (country, id) WHERE deleted_at IS NULL;

CREATE TABLE expert_topics (
    expert_id uuid NOT NULL REFERENCES experts (id),
    topic_slug text NOT NULL REFERENCES topics (slug),
    PRIMARY KEY (expert_id, topic_slug)
);
CREATE INDEX expert_topics_topic_idx ON expert_topics (topic_slug, expert_id);

CREATE TABLE affiliations (
    expert_id uuid NOT NULL REFERENCES experts (id),
    organisation_id uuid NOT NULL REFERENCES organisations (id),
    role text,
    since date,
    until date,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (expert_id, organisation_id),
    CHECK (until IS NULL OR since IS NULL OR until >= since)
);
CREATE INDEX affiliations_organisation_idx ON affiliations (organisation_id, expert_id);

CREATE TABLE initiatives (
    id uuid PRIMARY KEY,
    title_en text,
    title_nl text,
    acronym text,
    summary_en text,
    summary_nl text,
    scope text NOT NULL CHECK (scope IN ('national', 'european', 'international')),
    countries text[] NOT NULL DEFAULT '{}',
    initiative_type text NOT NULL CHECK (initiative_type IN (
        'legislation', 'regulatory-guidance', 'standard', 'standards-committee',
        'research-project', 'expert-network', 'policy-programme', 'funding-programme',
        'testing-facility', 'tool-or-framework', 'event', 'other')),
    status text NOT NULL CHECK (status IN ('planned', 'active', 'completed', 'discontinued')),
    start_date date,
    end_date date,
    website text,
    regulations text[] NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version bigint NOT NULL DEFAULT 1,
    deleted_at timestamptz,
    CHECK (title_en IS NOT NULL OR title_nl IS NOT NULL),
    CHECK (scope <> 'national' OR cardinality(countries) > 0),
    CHECK (end_date IS NULL OR start_date IS NULL OR end_date >= start_date)
);
CREATE INDEX initiatives_scope_idx ON initiatives (scope, id) WHERE deleted_at IS NULL;
CREATE INDEX initiatives_type_idx ON initiatives (initiative_type, id) WHERE deleted_at IS NULL;
CREATE INDEX initiatives_status_idx ON initiatives (status, id) WHERE deleted_at IS NULL;
CREATE INDEX initiatives_countries_idx ON initiatives USING gin (countries) WHERE deleted_at IS NULL;
CREATE INDEX initiatives_regulations_idx ON initiatives USING gin (regulations) WHERE deleted_at IS NULL;

CREATE TABLE initiative_topics (
    initiative_id uuid NOT NULL REFERENCES initiatives (id),
    topic_slug text NOT NULL REFERENCES topics (slug),
    PRIMARY KEY (initiative_id, topic_slug)
);
CREATE INDEX initiative_topics_topic_idx ON initiative_topics (topic_slug, initiative_id);

CREATE TABLE initiative_organisations (
    initiative_id uuid NOT NULL REFERENCES initiatives (id),
    organisation_id uuid NOT NULL REFERENCES organisations (id),
    role text NOT NULL CHECK (role IN ('lead', 'member', 'funder', 'secretariat', 'observer')),
    created_at timestamptz NOT NULL,
    PRIMARY KEY (initiative_id, organisation_id)
);
CREATE INDEX initiative_organisations_organisation_idx ON initiative_organisations (organisation_id, initiative_id);

CREATE TABLE initiative_experts (
    initiative_id uuid NOT NULL REFERENCES initiatives (id),
    expert_id uuid NOT NULL REFERENCES experts (id),
    role text NOT NULL CHECK (role IN ('chair', 'convenor', 'member', 'contact', 'rapporteur')),
    created_at timestamptz NOT NULL,
    PRIMARY KEY (initiative_id, expert_id)
);
CREATE INDEX initiative_experts_expert_idx ON initiative_experts (expert_id, initiative_id);

-- One row per related pair, stored with the smaller id first and the relation
-- read from that side; the other side reads it inverted.
CREATE TABLE initiative_relations (
    subject_id uuid NOT NULL REFERENCES initiatives (id),
    object_id uuid NOT NULL REFERENCES initiatives (id),
    relation text NOT NULL CHECK (relation IN ('part-of', 'has-part', 'succeeds', 'succeeded-by', 'related-to')),
    created_at timestamptz NOT NULL,
    PRIMARY KEY (subject_id, object_id),
    CHECK (subject_id < object_id)
);
CREATE INDEX initiative_relations_object_idx ON initiative_relations (object_id, subject_id);
