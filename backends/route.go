package backends

// OverflowRoute is the route label that flags and telemetry use once the
// number of distinct routes has reached their limit, so a route function
// that returns raw paths cannot grow caches or metric series without bound.
const OverflowRoute = "other"

// DefaultMaxRoutes is the default limit on distinct routes, shared by the
// flag cache and telemetry so both fold the same routes into [OverflowRoute].
const DefaultMaxRoutes = 1024
