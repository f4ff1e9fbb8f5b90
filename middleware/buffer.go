package middleware

import (
	"math/bits"
	"sync"
)

// cappedBuffer keeps the bytes written to it as long as they fit in max.
// Once more are written it lets go of them and only remembers the overflow:
// a body over the cap is never compared, so holding its first bytes would
// only keep memory from the garbage collector while a long response
// streams on. Writes never fail, so the handler writing through it behaves
// as it would without the middleware.
//
// A buffer with pooled set takes its memory from bodyPools and gives it
// back with release, once nothing refers to its bytes any more.
type cappedBuffer struct {
	buf      []byte
	max      int64
	overflow bool
	pooled   bool
	block    *[]byte // the pooled memory behind buf, nil if none
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	switch {
	case b.overflow:
	case int64(len(p)) > b.max-int64(len(b.buf)):
		b.drop()
	case b.pooled && len(b.buf)+len(p) > cap(b.buf):
		b.grow(len(b.buf) + len(p))
		b.buf = append(b.buf, p...)
	default:
		b.buf = append(b.buf, p...)
	}
	return len(p), nil
}

// drop marks the buffer as over the cap and lets go of its bytes.
func (b *cappedBuffer) drop() {
	b.release()
	b.overflow = true
}

// grow moves the bytes to a pooled block that holds n, or to memory of its
// own when n is beyond the largest size class.
func (b *cappedBuffer) grow(n int) {
	block := getBlock(n)
	if block == nil {
		buf := make([]byte, len(b.buf), max(n, 2*cap(b.buf)))
		copy(buf, b.buf)
		b.buf = buf
	} else {
		*block = append((*block)[:0], b.buf...)
		b.buf = *block
	}
	putBlock(b.block)
	b.block = block
}

// release gives the buffer's memory back to the pool and empties it. The
// bytes it held must no longer be referenced anywhere.
func (b *cappedBuffer) release() {
	putBlock(b.block)
	b.block, b.buf = nil, nil
}

// Pooled blocks come in size classes, powers of two from 4 KB to 1 MB
// (the default body cap), so a 1 KB response does not hold a 1 MB block.
const (
	minBlockShift = 12
	maxBlockShift = 20
)

var bodyPools [maxBlockShift - minBlockShift + 1]sync.Pool

// getBlock returns an empty pooled block of at least n bytes, or nil when
// n is beyond the largest class.
func getBlock(n int) *[]byte {
	shift := max(bits.Len(uint(n-1)), minBlockShift)
	if shift > maxBlockShift {
		return nil
	}
	if block, ok := bodyPools[shift-minBlockShift].Get().(*[]byte); ok {
		return block
	}
	block := make([]byte, 0, 1<<shift)
	return &block
}

func putBlock(block *[]byte) {
	if block == nil {
		return
	}
	*block = (*block)[:0]
	bodyPools[bits.Len(uint(cap(*block)-1))-minBlockShift].Put(block)
}
