package middleware

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/shadowread/shadowread/comparator"
)

// errDecodedTooLarge marks a gzip body that decodes to more than the cap.
var errDecodedTooLarge = errors.New("middleware: decoded body exceeds the cap")

// decodeBody returns resp with its body gzip-decoded when its
// Content-Encoding says gzip, for the comparator: two gzip streams of the
// same document differ in bytes with the level, the encoder and the header's
// time and name. The header handed on loses Content-Encoding and
// Content-Length, which described the encoded bytes. The decoded size is
// held to max as well, so a small body that inflates enormously (a gzip
// bomb) costs no more memory than a large plain one. resp itself, which
// holds what the user received, is left as it is.
func decodeBody(resp comparator.Response, max int64, side string) (comparator.Response, error) {
	if len(resp.Body) == 0 || !isGzip(resp.Header) {
		return resp, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(resp.Body))
	if err != nil {
		return resp, fmt.Errorf("middleware: gunzip the %s body: %w", side, err)
	}
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(zr, max+1))
	switch {
	case err != nil:
		return resp, fmt.Errorf("middleware: gunzip the %s body: %w", side, err)
	case n > max:
		return resp, errDecodedTooLarge
	}
	header := resp.Header.Clone()
	header.Del("Content-Encoding")
	header.Del("Content-Length")
	return comparator.Response{Status: resp.Status, Header: header, Body: buf.Bytes()}, nil
}

// isGzip reports whether h's Content-Encoding is gzip alone; "identity"
// entries change nothing. Other codings are compared as they are.
func isGzip(h http.Header) bool {
	gzipped := false
	// The key as Header.Values would canonicalize it: no scan of it on
	// every comparison.
	for _, v := range h["Content-Encoding"] {
		for coding := range strings.SplitSeq(v, ",") {
			switch coding = strings.ToLower(strings.TrimSpace(coding)); coding {
			case "", "identity":
			case "gzip", "x-gzip":
				if gzipped {
					return false // encoded twice
				}
				gzipped = true
			default:
				return false
			}
		}
	}
	return gzipped
}
