-- unusual-objects.sql: a database of the objects a logical restore must bring back exactly, for
-- LogicalFidelityTests (an equivalent of the PostgreSQL regression database, which Debian's postgresql-15 does
-- not ship). Run with psql -v ON_ERROR_STOP=1 -v owner=ROLE -v reader=ROLE in an empty database; both roles
-- exist. Uses only extensions that Debian's postgresql-15 contrib and the PostgreSQL 17/18 wheels all have.

-- Extensions, one in a schema of its own.
CREATE SCHEMA ext;
CREATE EXTENSION hstore SCHEMA ext;
CREATE EXTENSION citext;
CREATE EXTENSION btree_gist;
CREATE EXTENSION pg_trgm;
CREATE EXTENSION file_fdw;

CREATE SCHEMA fx AUTHORIZATION :"owner";
CREATE SCHEMA "Odd ""Schema""";
COMMENT ON SCHEMA fx IS 'fixture objects';
GRANT USAGE ON SCHEMA fx TO :"reader";
SET search_path = fx, public, ext;

-- Types: enum (with a value added later), domains, a range (and its multirange), a composite.
CREATE TYPE fx.mood AS ENUM ('sad', 'ok', 'happy');
ALTER TYPE fx.mood ADD VALUE 'ecstatic' AFTER 'happy';
ALTER TYPE fx.mood ADD VALUE 'meh' BEFORE 'ok';
CREATE DOMAIN fx.posint AS integer DEFAULT 1 NOT NULL CONSTRAINT posint_positive CHECK (VALUE > 0);
CREATE DOMAIN fx.email AS citext CHECK (VALUE ~ '@');
ALTER DOMAIN fx.email ADD CONSTRAINT email_short CHECK (length(VALUE) < 200) NOT VALID;
CREATE TYPE fx.floatrange AS RANGE (subtype = float8, subtype_diff = float8mi);
CREATE TYPE fx.address AS (street text, zip varchar(10), tags ext.hstore);
COMMENT ON TYPE fx.mood IS 'how it went';
COMMENT ON DOMAIN fx.posint IS 'positive';

-- Collations: a libc copy, and a nondeterministic ICU one where the server was built with ICU.
CREATE COLLATION fx.bytewise FROM "C";
DO $$
BEGIN
  EXECUTE 'CREATE COLLATION fx.german_ci (provider = icu, locale = ''de-u-ks-level2'', deterministic = false)';
EXCEPTION WHEN feature_not_supported THEN
  NULL;
END $$;

-- Functions, a procedure, aggregates, operators, an operator class, a cast.
CREATE FUNCTION fx.add_em(a integer, b integer DEFAULT 2) RETURNS integer
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT a + b';
CREATE FUNCTION fx.twice(x integer) RETURNS integer LANGUAGE sql IMMUTABLE
BEGIN ATOMIC
  SELECT x * 2;
END;
CREATE FUNCTION fx.whoami() RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = fx, pg_temp SET work_mem = '8MB' AS $$ SELECT current_user::text $$;
CREATE FUNCTION fx.variadic_sum(VARIADIC numbers integer[]) RETURNS bigint
    LANGUAGE sql IMMUTABLE COST 5 AS 'SELECT sum(n) FROM unnest(numbers) AS n';
CREATE FUNCTION fx.series(n integer, OUT i integer, OUT sq integer) RETURNS SETOF record
    LANGUAGE sql ROWS 10 AS 'SELECT g, g * g FROM generate_series(1, n) AS g';
CREATE PROCEDURE fx.bump(INOUT n integer) LANGUAGE plpgsql AS $$ BEGIN n := n + 1; END $$;
CREATE AGGREGATE fx.product(numeric) (SFUNC = numeric_mul, STYPE = numeric, INITCOND = '1');
CREATE AGGREGATE fx.median_ish(float8 ORDER BY float8) (
    SFUNC = ordered_set_transition, STYPE = internal, FINALFUNC = percentile_disc_final, FINALFUNC_EXTRA);
CREATE FUNCTION fx.int_cmp_desc(integer, integer) RETURNS integer
    LANGUAGE sql IMMUTABLE STRICT AS 'SELECT btint4cmp($2, $1)';
CREATE OPERATOR fx.=== (LEFTARG = integer, RIGHTARG = integer, FUNCTION = int4eq, COMMUTATOR = OPERATOR(fx.===),
    RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES);
CREATE OPERATOR fx.<<< (LEFTARG = integer, RIGHTARG = integer, FUNCTION = int4gt);
CREATE OPERATOR fx.>>> (LEFTARG = integer, RIGHTARG = integer, FUNCTION = int4lt);
CREATE OPERATOR fx.<<= (LEFTARG = integer, RIGHTARG = integer, FUNCTION = int4ge);
CREATE OPERATOR fx.>>= (LEFTARG = integer, RIGHTARG = integer, FUNCTION = int4le);
CREATE OPERATOR CLASS fx.int4_desc_ops FOR TYPE integer USING btree AS
    OPERATOR 1 fx.<<<, OPERATOR 2 fx.<<=, OPERATOR 3 =, OPERATOR 4 fx.>>=, OPERATOR 5 fx.>>>,
    FUNCTION 1 fx.int_cmp_desc(integer, integer);
CREATE FUNCTION fx.address_text(fx.address) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$ SELECT $1.street || ' ' || $1.zip $$;
CREATE CAST (fx.address AS text) WITH FUNCTION fx.address_text(fx.address) AS ASSIGNMENT;
COMMENT ON FUNCTION fx.add_em(integer, integer) IS 'adds';
COMMENT ON AGGREGATE fx.product(numeric) IS 'multiplies';
COMMENT ON OPERATOR fx.=== (integer, integer) IS 'equal, three times';
REVOKE EXECUTE ON FUNCTION fx.whoami() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION fx.whoami() TO :"reader";
ALTER FUNCTION fx.twice(integer) OWNER TO :"owner";

-- Text search: a dictionary and a configuration using it.
CREATE TEXT SEARCH DICTIONARY fx.simple_english (TEMPLATE = pg_catalog.simple, STOPWORDS = english);
CREATE TEXT SEARCH CONFIGURATION fx.docs (COPY = pg_catalog.english);
ALTER TEXT SEARCH CONFIGURATION fx.docs ALTER MAPPING FOR asciiword, word WITH fx.simple_english, english_stem;
COMMENT ON TEXT SEARCH CONFIGURATION fx.docs IS 'for documents';

-- A table access method of our own (heap under another name).
CREATE ACCESS METHOD fx_heap TYPE TABLE HANDLER heap_tableam_handler;

-- Tables: identity and generated columns, a dropped column, collations, storage options, inheritance.
CREATE TABLE fx.parent (
    id integer GENERATED ALWAYS AS IDENTITY (START WITH 100 INCREMENT BY 7) PRIMARY KEY,
    name text COLLATE fx.bytewise NOT NULL,
    created timestamptz DEFAULT '2024-02-29 12:00:00+00',
    mood fx.mood DEFAULT 'ok',
    side float8 DEFAULT 1.5,
    area float8 GENERATED ALWAYS AS (side * side) STORED,
    doomed integer,
    home fx.address,
    span fx.floatrange,
    note text
) WITH (fillfactor = 70, autovacuum_enabled = false);
ALTER TABLE fx.parent DROP COLUMN doomed;
ALTER TABLE fx.parent ALTER COLUMN note SET STORAGE EXTERNAL;
ALTER TABLE fx.parent ALTER COLUMN name SET STATISTICS 500;
ALTER TABLE fx.parent ALTER COLUMN note SET (n_distinct = -0.5);
CREATE TABLE fx.child (extra text DEFAULT 'kid', CHECK (side > 0)) INHERITS (fx.parent);
CREATE TABLE fx.grandchild (toys integer[]) INHERITS (fx.child);
CREATE TABLE fx.counted (
    id bigint GENERATED BY DEFAULT AS IDENTITY (CYCLE MAXVALUE 1000000) PRIMARY KEY,
    qty fx.posint,
    mail fx.email,
    price numeric(12, 3) DEFAULT 0.5,
    who text DEFAULT fx.whoami()
) USING fx_heap;
ALTER TABLE fx.counted REPLICA IDENTITY FULL;
CREATE UNLOGGED TABLE fx.cache (k text PRIMARY KEY, v jsonb);
CREATE TABLE "Odd ""Schema"""."Mixed Case ""Table""" ("Weird Column" text, "select" integer);

-- Partitioning: range over list, a default at both levels, an attached table, hash partitions.
CREATE TABLE fx.measurements (
    city integer NOT NULL, logdate date NOT NULL, peak integer DEFAULT 0, sales integer
) PARTITION BY RANGE (logdate);
CREATE TABLE fx.measurements_2024 PARTITION OF fx.measurements
    FOR VALUES FROM ('2024-01-01') TO ('2025-01-01') PARTITION BY LIST (city);
CREATE TABLE fx.measurements_2024_north PARTITION OF fx.measurements_2024 FOR VALUES IN (1, 2);
CREATE TABLE fx.measurements_2024_rest PARTITION OF fx.measurements_2024 DEFAULT;
CREATE TABLE fx.measurements_later PARTITION OF fx.measurements (peak DEFAULT 7) DEFAULT;
CREATE TABLE fx.measurements_old (LIKE fx.measurements INCLUDING DEFAULTS);
ALTER TABLE fx.measurements ATTACH PARTITION fx.measurements_old FOR VALUES FROM (MINVALUE) TO ('2024-01-01');
CREATE INDEX measurements_city ON fx.measurements (city, logdate DESC);
CREATE TABLE fx.hashed (id integer NOT NULL, v text, PRIMARY KEY (id)) PARTITION BY HASH (id);
CREATE TABLE fx.hashed_0 PARTITION OF fx.hashed FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE fx.hashed_1 PARTITION OF fx.hashed FOR VALUES WITH (MODULUS 2, REMAINDER 1);

-- Constraints: exclusion, deferrable, self-referencing, NOT VALID, and indexes of every kind.
CREATE TABLE fx.booking (
    room integer, during tstzrange,
    CONSTRAINT no_double_booking EXCLUDE USING gist (room WITH =, during WITH &&) DEFERRABLE
);
CREATE TABLE fx.node (
    id integer PRIMARY KEY,
    parent integer REFERENCES fx.node DEFERRABLE INITIALLY DEFERRED,
    code text CONSTRAINT node_code UNIQUE DEFERRABLE INITIALLY IMMEDIATE,
    label text,
    body text
);
ALTER TABLE fx.node ADD CONSTRAINT node_not_own_parent CHECK (id <> parent) NOT VALID;
ALTER TABLE fx.counted ADD CONSTRAINT counted_node FOREIGN KEY (qty) REFERENCES fx.node ON DELETE SET NULL
    NOT VALID;
CREATE INDEX node_label_trgm ON fx.node USING gin (label gin_trgm_ops);
CREATE INDEX node_body_brin ON fx.node USING brin (id) WITH (pages_per_range = 16);
CREATE INDEX node_code_hash ON fx.node USING hash (code);
CREATE INDEX node_partial ON fx.node (lower(label) DESC NULLS LAST) INCLUDE (code) WHERE parent IS NOT NULL;
CREATE INDEX node_desc ON fx.node (id fx.int4_desc_ops);
ALTER INDEX fx.node_partial ALTER COLUMN 1 SET STATISTICS 300;
ALTER TABLE fx.node CLUSTER ON node_pkey;
CREATE STATISTICS fx.node_stats (ndistinct, dependencies) ON parent, code FROM fx.node;

-- Rules, triggers (row, statement, constraint, disabled, replica), an event trigger.
CREATE TABLE fx.audit (at timestamptz DEFAULT '2024-01-01 00:00:00+00', what text);
CREATE FUNCTION fx.log_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO fx.audit (what) VALUES (TG_OP || ' ' || TG_TABLE_NAME);
  RETURN NEW;
END $$;
CREATE TRIGGER node_audit AFTER INSERT OR UPDATE OF label ON fx.node
    FOR EACH ROW WHEN (NEW.id > 0) EXECUTE FUNCTION fx.log_change();
CREATE TRIGGER node_truncate BEFORE TRUNCATE ON fx.node FOR EACH STATEMENT EXECUTE FUNCTION fx.log_change();
CREATE CONSTRAINT TRIGGER node_late AFTER UPDATE ON fx.node DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION fx.log_change();
CREATE TRIGGER counted_off AFTER INSERT ON fx.counted FOR EACH ROW EXECUTE FUNCTION fx.log_change();
ALTER TABLE fx.counted DISABLE TRIGGER counted_off;
CREATE TRIGGER counted_replica AFTER DELETE ON fx.counted FOR EACH ROW EXECUTE FUNCTION fx.log_change();
ALTER TABLE fx.counted ENABLE REPLICA TRIGGER counted_replica;
CREATE TRIGGER measurements_audit AFTER INSERT ON fx.measurements
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION fx.log_change();
COMMENT ON TRIGGER node_audit ON fx.node IS 'who touched it';
CREATE RULE audit_keep AS ON DELETE TO fx.audit DO INSTEAD NOTHING;
CREATE RULE node_label_log AS ON UPDATE TO fx.node WHERE NEW.label IS DISTINCT FROM OLD.label
    DO ALSO INSERT INTO fx.audit (what) VALUES ('label ' || OLD.id);
COMMENT ON RULE audit_keep ON fx.audit IS 'the audit trail is append-only';
CREATE FUNCTION fx.on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN RAISE NOTICE 'ddl %', tg_tag; END $$;
CREATE EVENT TRIGGER fx_ddl ON ddl_command_end WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE')
    EXECUTE FUNCTION fx.on_ddl();
ALTER EVENT TRIGGER fx_ddl DISABLE;
COMMENT ON EVENT TRIGGER fx_ddl IS 'announces DDL';

-- Views: security barrier with check option, an updatable view with an INSTEAD rule, recursive, materialized.
CREATE VIEW fx.node_roots WITH (security_barrier = true) AS
    SELECT id, code, label FROM fx.node WHERE parent IS NULL WITH CASCADED CHECK OPTION;
CREATE VIEW fx.node_labels AS SELECT id, label FROM fx.node;
CREATE RULE node_labels_insert AS ON INSERT TO fx.node_labels DO INSTEAD
    INSERT INTO fx.node (id, label) VALUES (NEW.id, NEW.label);
CREATE RECURSIVE VIEW fx.node_depth (id, depth) AS
    SELECT id, 0 FROM fx.node WHERE parent IS NULL
    UNION ALL SELECT n.id, d.depth + 1 FROM fx.node n JOIN node_depth d ON n.parent = d.id;
ALTER VIEW fx.node_labels ALTER COLUMN label SET DEFAULT 'unnamed';
COMMENT ON VIEW fx.node_roots IS 'top of the tree';
COMMENT ON COLUMN fx.node_roots.code IS 'the root''s code';

-- Row-level security.
CREATE TABLE fx.secrets (owner name DEFAULT current_user, body text);
ALTER TABLE fx.secrets ENABLE ROW LEVEL SECURITY;
ALTER TABLE fx.secrets FORCE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON fx.secrets FOR SELECT TO :"reader" USING (owner = current_user);
CREATE POLICY short_bodies ON fx.secrets AS RESTRICTIVE FOR ALL TO PUBLIC
    USING (body IS NOT NULL) WITH CHECK (length(body) < 100);
COMMENT ON POLICY own_rows ON fx.secrets IS 'each reads their own';

-- Sequences: one of odd shape, one owned by a column.
CREATE SEQUENCE fx.countdown AS smallint INCREMENT BY -2 MINVALUE -1000 MAXVALUE 100 START WITH 50 CACHE 3 CYCLE;
CREATE TABLE fx.tickets (id bigint, issued date);
CREATE SEQUENCE fx.tickets_id_seq OWNED BY fx.tickets.id;
ALTER TABLE fx.tickets ALTER COLUMN id SET DEFAULT nextval('fx.tickets_id_seq');
CREATE UNLOGGED SEQUENCE fx.scratch_seq;

-- Foreign data: a server, a user mapping, a foreign table.
CREATE SERVER fx_files FOREIGN DATA WRAPPER file_fdw;
CREATE USER MAPPING FOR :"reader" SERVER fx_files;
CREATE FOREIGN TABLE fx.passwd (line text) SERVER fx_files OPTIONS (filename '/dev/null', format 'text');
COMMENT ON SERVER fx_files IS 'local files';

-- Ownership and privileges: tables, columns, sequences, types, default privileges.
ALTER TABLE fx.node OWNER TO :"owner";
GRANT INSERT ON fx.audit TO :"owner";  -- its rule on fx.node writes there with its rights
ALTER TABLE fx.measurements OWNER TO :"owner";
ALTER TYPE fx.address OWNER TO :"owner";
GRANT SELECT ON ALL TABLES IN SCHEMA fx TO :"reader";
REVOKE SELECT ON fx.secrets FROM :"reader";
GRANT SELECT (id, name), UPDATE (note) ON fx.parent TO :"reader";
GRANT INSERT (label) ON fx.node TO :"reader" WITH GRANT OPTION;
GRANT USAGE ON SEQUENCE fx.tickets_id_seq TO :"reader";
REVOKE USAGE ON TYPE fx.mood FROM PUBLIC;
GRANT USAGE ON TYPE fx.mood TO :"reader";
GRANT USAGE ON FOREIGN SERVER fx_files TO :"reader";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA fx GRANT SELECT ON TABLES TO :"reader";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES IN SCHEMA fx GRANT USAGE ON SEQUENCES TO :"reader";

-- Comments on the rest.
COMMENT ON TABLE fx.parent IS 'the root of an inheritance tree';
COMMENT ON COLUMN fx.parent.area IS 'generated: side squared';
COMMENT ON CONSTRAINT node_not_own_parent ON fx.node IS 'not validated on old rows';
COMMENT ON INDEX fx.node_partial IS 'partial, expression, covering';
COMMENT ON SEQUENCE fx.countdown IS 'goes down';
COMMENT ON EXTENSION citext IS 'case-insensitive text, commented';

-- Data, with values that are easy to get wrong.
INSERT INTO fx.parent (name, mood, side, home, span, note) VALUES
    ('first', 'happy', 2, ROW('Main St 1', '12345', 'a=>1, b=>NULL')::fx.address, '[1.5, 2.5)', 'tab	and
newline and \backslash'),
    ('zweite Zoë', 'meh', 'NaN', NULL, 'empty', repeat('long text ', 500)),
    ('third', 'ecstatic', '-0', ROW(NULL, NULL, NULL)::fx.address, '(,)', NULL);
INSERT INTO fx.child (id, name, side, extra) VALUES (1, 'kid', 3, 'extra'), (2, 'kid2', 'Infinity', NULL);
INSERT INTO fx.grandchild (id, name, toys) VALUES (3, 'baby', '{1,2,NULL}');
INSERT INTO fx.node SELECT g, CASE WHEN g > 3 THEN g / 3 END, 'c' || g, 'Label ' || g, repeat(md5(g::text), g % 7)
    FROM generate_series(1, 300) AS g;
UPDATE fx.node SET label = 'Renamed' WHERE id = 5;
INSERT INTO fx.counted (qty, mail) SELECT g, 'user' || g || '@Example.org' FROM generate_series(1, 50) AS g;
INSERT INTO fx.cache VALUES ('k', '{"a": [1, 2, {"b": null}]}');
INSERT INTO "Odd ""Schema"""."Mixed Case ""Table""" VALUES ('x', 1), (E'\\N', NULL);
INSERT INTO fx.measurements SELECT 1 + g % 4, date '2023-06-01' + g * 3, g, g * 10 FROM generate_series(1, 300) AS g;
INSERT INTO fx.hashed SELECT g, md5(g::text) FROM generate_series(1, 100) AS g;
INSERT INTO fx.booking VALUES (1, '[2024-01-01, 2024-01-02)'), (1, '[2024-01-02, 2024-01-05)'), (2, NULL);
INSERT INTO fx.secrets (owner, body) VALUES ('nobody', 'hidden');
INSERT INTO fx.tickets (issued) SELECT date '2024-01-01' + g FROM generate_series(1, 20) AS g;
SELECT nextval('fx.countdown') FROM generate_series(1, 5);
SELECT setval('fx.tickets_id_seq', 77, false);

-- Large objects with a comment, an owner and privileges.
SELECT lo_from_bytea(424242, convert_to('a large object ' || repeat('y', 5000), 'UTF8'));
SELECT lo_from_bytea(424243, '\x00ff00'::bytea);
COMMENT ON LARGE OBJECT 424242 IS 'a large object';
ALTER LARGE OBJECT 424242 OWNER TO :"owner";
GRANT SELECT ON LARGE OBJECT 424242 TO :"reader";

-- Materialized views, one populated and indexed, one not.
CREATE MATERIALIZED VIEW fx.node_summary AS SELECT parent, count(*) AS children FROM fx.node GROUP BY parent;
CREATE UNIQUE INDEX node_summary_parent ON fx.node_summary (parent);
CREATE MATERIALIZED VIEW fx.not_yet AS SELECT 1 AS x WITH NO DATA;
COMMENT ON MATERIALIZED VIEW fx.node_summary IS 'children per parent';

-- Publications: a column list and a row filter, a whole schema.
CREATE PUBLICATION fx_pub FOR TABLE fx.node (id, label, parent) WHERE (id > 10), fx.tickets;
CREATE PUBLICATION fx_schema_pub FOR TABLES IN SCHEMA fx WITH (publish = 'insert, truncate');
COMMENT ON PUBLICATION fx_pub IS 'for the replicas';
