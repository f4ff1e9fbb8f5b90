package middleware

// cappedBuffer keeps the first max bytes written to it and remembers whether
// more were written. Writes never fail, so the handler writing through it
// behaves as it would without the middleware.
type cappedBuffer struct {
	buf      []byte
	max      int64
	overflow bool
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	room := b.max - int64(len(b.buf))
	if int64(len(p)) > room {
		b.overflow = true
		if room > 0 {
			b.buf = append(b.buf, p[:room]...)
		}
		return len(p), nil
	}
	b.buf = append(b.buf, p...)
	return len(p), nil
}
