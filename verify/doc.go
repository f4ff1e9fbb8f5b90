// Package verify proves that two stores hold the same entities: every
// entity of every kind, the keys and index attributes of the items that
// hold it, and the items that belong to no entity.
//
// The user describes each entity kind with a [Kind]: how to list a key
// range from the source store (PostgreSQL) and how to read one entity from
// the target through the service's read path, and gives one [Scan] of the
// target's items. A [Verifier] does the rest:
//
//  1. count: every key range of the source and every scan segment of the
//     target is hashed into per-range counts and order-independent
//     checksums (see "What the checksum covers");
//  2. compare: every range whose counts or checksums differ is compared
//     entity by entity with the comparator the shadow middleware uses, so
//     a difference has the same signature whichever found it;
//  3. report: a [Report] of [Finding] values by signature and triage, also
//     as JSON for a CI job or a cutover gate.
//
// Work is leased through PostgreSQL (FOR UPDATE SKIP LOCKED), so any number
// of workers on any number of machines share a run; a crashed worker's
// lease runs out and another takes its unit over, and a stopped run resumes
// where it stood. An item that cannot be decoded is a finding with its key
// and reason, never the end of a run.
//
// # What the checksum covers
//
// Per entity, each side contributes the hash of its rendered body (JSON
// canonicalised: members sorted, numbers by exact value) plus one hash per
// item that holds it, over the item's key and index attributes ([Key]).
// Per range the hashes are summed modulo 2^64, with the counts of entities
// and items. So a range differs when a body differs, when an item sits
// under another partition or sort key, when an index attribute differs,
// when an entity has a duplicate or a missing item, and when the target
// has items of an id the source lacks (an orphan, an entity only in the
// target). Items that cannot even be attributed to a kind and id are
// findings straight from the scan.
//
// Not covered: attributes of an item that are neither keys nor rendered
// by the read path (they reach no user), and anything the user's [Kind]
// does not list or the [Scan] does not visit.
//
// A sum cancels only if the differing entities' hashes happen to add up to
// the same value modulo 2^64. Each hash is the first 64 bits of SHA-256
// over the kind, the id and the content, so two different entities (or the
// same one in two places, or two swapped values) have independent, uniform
// hashes, and a changed range keeps its sum with probability 2^-64, whatever
// the drift: no adversary chooses the data, and XOR, which cancels any
// duplicated item, is not used.
package verify
