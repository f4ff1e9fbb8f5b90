package middleware

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
)

// redactBody replaces the body of r, a kept request, by one without the
// form fields whose names say credential, for the form bodies net/http
// parses (URL-encoded and multipart). A form body that does not parse is
// not kept: what it holds cannot be told.
func redactBody(r *http.Request) {
	if r.GetBody == nil {
		return
	}
	kind, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (kind != "application/x-www-form-urlencoded" && kind != "multipart/form-data") {
		return
	}
	body, err := readBody(r)
	var redacted []byte
	if err == nil {
		if kind == "multipart/form-data" {
			redacted, err = redactMultipart(body, params["boundary"])
		} else {
			redacted, err = redactURLEncoded(body)
		}
	}
	if err != nil {
		redacted = nil
	}
	r.Body = io.NopCloser(bytes.NewReader(redacted))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(redacted)), nil }
	r.ContentLength = int64(len(redacted))
}

func readBody(r *http.Request) ([]byte, error) {
	rc, err := r.GetBody()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(io.LimitReader(rc, MaxReverifyBody+1))
}

// redactURLEncoded returns body without its credential fields; a body
// without any is kept byte for byte.
func redactURLEncoded(body []byte) ([]byte, error) {
	v, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, err
	}
	n := len(v)
	if dropCredentials(v); len(v) == n {
		return body, nil
	}
	return []byte(v.Encode()), nil
}

// redactMultipart returns body, a multipart form, without the parts whose
// form names say credential, under the same boundary.
func redactMultipart(body []byte, boundary string) ([]byte, error) {
	if boundary == "" {
		return nil, http.ErrMissingBoundary
	}
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	var out bytes.Buffer
	mw := multipart.NewWriter(&out)
	if err := mw.SetBoundary(boundary); err != nil {
		return nil, err
	}
	for {
		part, err := mr.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if isCredentialName(part.FormName()) {
			continue
		}
		w, err := mw.CreatePart(part.Header)
		if err != nil {
			return nil, err
		}
		if _, err := io.Copy(w, part); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
