-- lifeboat example: a tiny logical dump of the orders database (pg_dump --format=plain)
CREATE TABLE orders (id bigint PRIMARY KEY, placed_at timestamptz NOT NULL, total_cents integer NOT NULL);
COPY orders (id, placed_at, total_cents) FROM stdin;
1	2026-01-15 09:30:00+00	1250
2	2026-01-15 09:31:12+00	980
\.
