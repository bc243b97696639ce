-- The lineage service's table (services/lineage/receiver.py): every OpenLineage event as it
-- arrived, the fields it is looked up by, and the datasets its job read and wrote ({id, label}
-- each), which the graph is made of. PostgreSQL's health check creates it, as the role
-- lineage, while the database has no tables.
CREATE TABLE lineage_events (
    id bigserial PRIMARY KEY,
    received_at timestamptz NOT NULL DEFAULT now(),
    event_time timestamptz NOT NULL,
    event_type text,
    run_id text,
    job_namespace text,
    job_name text,
    inputs jsonb NOT NULL DEFAULT '[]',
    outputs jsonb NOT NULL DEFAULT '[]',
    event jsonb NOT NULL
);
CREATE INDEX lineage_events_job ON lineage_events (job_namespace, job_name);
