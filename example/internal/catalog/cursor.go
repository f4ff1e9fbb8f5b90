package catalog

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Cursor is a position in a customer's orders, newest first: the page after
// it starts with the first order older than (CreatedAt, OrderID). It means
// the same on both stores, so a page fetched from PostgreSQL can be
// continued from DynamoDB and the other way round. The zero Cursor is the
// start of the list.
type Cursor struct {
	CreatedAt time.Time
	OrderID   int64
}

// ErrBadCursor is returned by [DecodeCursor] for a cursor it did not make.
var ErrBadCursor = errors.New("catalog: malformed cursor")

// IsZero reports whether c is the start of the list.
func (c Cursor) IsZero() bool { return c.OrderID == 0 && c.CreatedAt.IsZero() }

// CursorAfter returns the cursor of the page that follows order o.
func CursorAfter(o Order) Cursor { return Cursor{CreatedAt: o.CreatedAt, OrderID: o.ID} }

// Encode returns the cursor as opaque URL-safe text: base64 of
// "<unix microseconds>.<order id>". Microseconds are the precision of both
// stores' timestamps, so the cursor is exact on either.
func (c Cursor) Encode() string {
	if c.IsZero() {
		return ""
	}
	raw := strconv.FormatInt(c.CreatedAt.UnixMicro(), 10) + "." + strconv.FormatInt(c.OrderID, 10)
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// DecodeCursor parses a cursor made by [Cursor.Encode]; "" is the zero
// cursor.
func DecodeCursor(s string) (Cursor, error) {
	if s == "" {
		return Cursor{}, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Cursor{}, fmt.Errorf("%w: %v", ErrBadCursor, err)
	}
	micros, id, ok := strings.Cut(string(raw), ".")
	if !ok {
		return Cursor{}, ErrBadCursor
	}
	us, err1 := strconv.ParseInt(micros, 10, 64)
	oid, err2 := strconv.ParseInt(id, 10, 64)
	if err1 != nil || err2 != nil || oid <= 0 {
		return Cursor{}, ErrBadCursor
	}
	return Cursor{CreatedAt: time.UnixMicro(us).UTC(), OrderID: oid}, nil
}
