// Package pgxprobe instruments a pgx v5 pgxpool pool for a soak probe: it
// is the pool's tracer (acquire, release, query and batch, beside any
// tracer the pool already has, through pgx's multitracer) and reads the
// pool's Stat() at every snapshot, as the Pools section of
// probe.Snapshot. It lives apart from the probe so that a service that
// does not use pgx does not import it.
//
// For every connection out of the pool and every query whose rows are not
// closed it keeps since when, the acquiring stack and the request (route
// and soak labels), for the probe's leak registry; per normalised
// statement ([NormalizeSQL]) it counts calls, errors and rows and records
// the latency. Recording an acquire+release pair or a query start+end does
// not allocate.
//
//	p := probe.New()
//	cfg, err := pgxpool.ParseConfig(os.Getenv("DATABASE_URL"))
//	db := pgxprobe.New(p, "main", cfg) // before NewWithConfig
//	pool, err := pgxpool.NewWithConfig(ctx, cfg)
//	db.Observe(pool)
//	defer p.Close() // the pg_stat_activity connection, with WithStatActivity
//
// The tracer is safe for concurrent use and never panics into pgx: a panic
// inside it is recovered and counted (PoolSnapshot.TracerPanics).
package pgxprobe
