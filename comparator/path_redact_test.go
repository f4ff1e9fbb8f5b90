package comparator_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/shadowread/shadowread/comparator"
)

// redactedStep matches a redacted path step.
const redactedStep = `<redacted:[0-9a-f]{4}>`

func TestDataKeysRedacted(t *testing.T) {
	const token = "tok_9f8e7d6c5b4a3f2e1d0c"
	tests := []struct {
		name            string
		primary, shadow string
		opts            []comparator.Option
		secret          string // must not appear in any diff; "" for none
		path, field     string // regular expressions for the one diff
		reason          string
	}{
		{name: "token key", primary: `{"sessions":{"` + token + `":{"exp":1}}}`, shadow: `{"sessions":{"` + token + `":{"exp":2}}}`,
			secret: token, path: `^sessions\.` + redactedStep + `\.exp$`, field: `^sessions\.` + redactedStep + `\.exp$`,
			reason: "a token used as a key is data"},
		{name: "e-mail key", primary: `{"by_email":{"ann@example.com":{"id":1}}}`, shadow: `{"by_email":{}}`,
			secret: "ann@example.com", path: `^by_email\.` + redactedStep + `$`, field: `^by_email\.` + redactedStep + `$`,
			reason: "an e-mail address is no identifier"},
		{name: "uuid key", primary: `{"u":{"6fa459ea-ee8a-3ca4-894e-db77e160355e":1}}`, shadow: `{"u":{"6fa459ea-ee8a-3ca4-894e-db77e160355e":2}}`,
			secret: "6fa459ea", path: `^u\.` + redactedStep + `$`, reason: "too long for a field name"},
		{name: "long digits", primary: `{"accounts":{"12345678":1}}`, shadow: `{"accounts":{"12345678":2}}`,
			secret: "12345678", path: `^accounts\.` + redactedStep + `$`, reason: "an account number"},
		{name: "date key", primary: `{"daily":{"2024-05-01":1}}`, shadow: `{"daily":{"2024-05-01":2}}`,
			secret: "2024-05-01", path: `^daily\.` + redactedStep + `$`, reason: "more digits than letters"},
		{name: "hex digest key", primary: `{"blobs":{"deadbeefcafebabe":1}}`, shadow: `{"blobs":{"deadbeefcafebabe":2}}`,
			secret: "deadbeef", path: `^blobs\.` + redactedStep + `$`, reason: "a hash"},
		{name: "root key", primary: `{"` + token + `":1}`, shadow: `{"` + token + `":2}`,
			secret: token, path: `^` + redactedStep + `$`, reason: "at the root too"},
		{name: "element key", primary: `{"users":[{"id":"ann@example.com","n":1}]}`, shadow: `{"users":[{"id":"ann@example.com","n":2}]}`,
			opts: []comparator.Option{comparator.PostgresDynamoDB()}, secret: "ann@example.com",
			path: `^users\[id=` + redactedStep + `\]\.n$`, field: `^users\[\]\.n$`, reason: "the key of an element is a value"},
		{name: "MapPaths", primary: `{"users":{"ann":{"age":30}}}`, shadow: `{"users":{"ann":{"age":31}}}`,
			opts: []comparator.Option{comparator.MapPaths("users")}, secret: "ann",
			path: `^users\.` + redactedStep + `\.age$`, reason: "every key of a declared map is data, however it looks"},
		{name: "field names shown", primary: `{"address_line2":"a","sha256":"x","v2":{"camelCaseName":1}}`, shadow: `{"address_line2":"a","sha256":"x","v2":{"camelCaseName":2}}`,
			path: `^v2\.camelCaseName$`, reason: "short identifiers with a few digits are field names"},
		{name: "ShowKeys", primary: `{"sessions":{"` + token + `":1}}`, shadow: `{"sessions":{"` + token + `":2}}`,
			opts: []comparator.Option{comparator.ShowKeys("sessions")}, path: `^sessions\.` + token + `$`, reason: "allow-listed keys are shown"},
		{name: "ShowKeys over MapPaths", primary: `{"users":{"ann":1}}`, shadow: `{"users":{"ann":2}}`,
			opts: []comparator.Option{comparator.MapPaths("users"), comparator.ShowKeys("users")}, path: `^users\.ann$`, reason: "the allow-list wins"},
		{name: "ShowKeys names one object", primary: `{"a":{"` + token + `":{"` + token + `":1}}}`, shadow: `{"a":{"` + token + `":{"` + token + `":2}}}`,
			opts: []comparator.Option{comparator.ShowKeys("a")}, path: `^a\.` + token + `\.` + redactedStep + `$`, reason: "not the objects below it"},
		{name: "ShowKeys for element keys", primary: `{"users":[{"id":"ann@example.com","n":1}]}`, shadow: `{"users":[{"id":"ann@example.com","n":2}]}`,
			opts: []comparator.Option{comparator.PostgresDynamoDB(), comparator.ShowKeys("users")},
			path: `^users\[id="ann@example.com"\]\.n$`, reason: "ShowKeys on an array shows its element keys"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := comparator.JSON(tt.opts...).Compare(ok(tt.primary), ok(tt.shadow))
			if len(res.Diffs) != 1 {
				t.Fatalf("diffs %+v, want one (%s)", res.Diffs, tt.reason)
			}
			d := res.Diffs[0]
			if !regexp.MustCompile(tt.path).MatchString(d.Path) {
				t.Errorf("Path = %q, want %s (%s)", d.Path, tt.path, tt.reason)
			}
			if tt.field != "" && !regexp.MustCompile(tt.field).MatchString(d.Field) {
				t.Errorf("Field = %q, want %s (%s)", d.Field, tt.field, tt.reason)
			}
			if tt.secret != "" {
				if all := d.Path + d.Field + d.Primary + d.Shadow + d.Hint.Option + d.Hint.Note; strings.Contains(all, tt.secret) {
					t.Errorf("diff %+v shows %q (%s)", d, tt.secret, tt.reason)
				}
			}
		})
	}
}

// TestRedactedKeysGroup checks that a redacted key is the same step every
// time, so the signature of a mismatch on it stays one signature, while
// another key is another.
func TestRedactedKeysGroup(t *testing.T) {
	c := comparator.JSON()
	session := func(key string, exp int) comparator.Response {
		return ok(`{"sessions":{"` + key + `":{"exp":` + string(rune('0'+exp)) + `}}}`)
	}
	a := c.Compare(session("tok_9f8e7d6c5b4a3f2e1d0c", 1), session("tok_9f8e7d6c5b4a3f2e1d0c", 2))
	b := c.Compare(session("tok_9f8e7d6c5b4a3f2e1d0c", 3), session("tok_9f8e7d6c5b4a3f2e1d0c", 4))
	other := c.Compare(session("tok_0a1b2c3d4e5f6a7b8c9d", 1), session("tok_0a1b2c3d4e5f6a7b8c9d", 2))
	if a.Diffs[0].Path != b.Diffs[0].Path || a.Signature() != b.Signature() {
		t.Errorf("the same key: paths %q, %q and signatures %q, %q differ", a.Diffs[0].Path, b.Diffs[0].Path, a.Signature(), b.Signature())
	}
	if a.Diffs[0].Path == other.Diffs[0].Path {
		t.Errorf("two keys redact to the same step %q", a.Diffs[0].Path)
	}
}
