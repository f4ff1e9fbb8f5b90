package flags

import (
	"math/bits"
	"math/rand/v2"
)

// buckets is the resolution of the sample percentage: 10,000 buckets,
// so 0.01 percentage points.
const buckets = 10_000

// FNV-1a 64 parameters (Fowler–Noll–Vo, as in hash/fnv).
const (
	fnvOffset64 = 14695981039346656037
	fnvPrime64  = 1099511628211
)

// stickyHash places targeting keys into buckets. The salt (the sample-percent
// flag key) is hashed once, at construction.
type stickyHash struct{ salted uint64 }

func newStickyHash(salt string) stickyHash {
	return stickyHash{salted: fnv1a(fnvOffset64, salt)}
}

// bucket returns the bucket of key in [0, buckets): the FNV-1a 64 hash of
// salt+key, mixed by the murmur3 finalizer and scaled to the bucket range.
// The finalizer matters: the low bits of FNV-1a are XOR-parities of the low
// bits of the input bytes, so keys that differ only in their high bits would
// otherwise share a bucket residue. This function is part of the package's
// contract: replicas and restarts must sample the same keys.
func (h stickyHash) bucket(key string) uint32 {
	hi, _ := bits.Mul64(fmix64(fnv1a(h.salted, key)), buckets)
	return uint32(hi)
}

func fnv1a(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime64
	}
	return h
}

// fmix64 is the murmur3 64-bit finalizer: every output bit depends on every
// input bit.
func fmix64(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// randomBucket is the bucket of a request without a targeting key. Scaling a
// 32-bit draw is half the cost of rand.Uint64N; its bias, under 10,000 in 2³²,
// is far below the resolution of a percentage.
func randomBucket() uint32 {
	return uint32(uint64(rand.Uint32()) * buckets >> 32)
}
