"""Use cases: one function per thing a member can do. Each takes a unit of work, the
clock and a resolved actor, and returns an Outcome."""
