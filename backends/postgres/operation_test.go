package postgres

import "testing"

func TestOperationName(t *testing.T) {
	tests := []struct {
		name   string
		sql    string
		want   string
		reason string
	}{
		{"select", "SELECT * FROM products WHERE id = $1", "SELECT", "the common read"},
		{"lower case", "select 1", "SELECT", "SQL keywords are case-insensitive; span names are upper case"},
		{"literal", "INSERT INTO users VALUES ('alice@example.com')", "INSERT", "literals never reach the span name"},
		{"leading space", " \n\tUPDATE t SET a = 1", "UPDATE", "white space before the command"},
		{"line comment", "-- fetch one\nDELETE FROM t", "DELETE", "a comment is not the command"},
		{"block comment", "/* app=shop */ SELECT 1", "SELECT", "sqlcommenter-style tags come first"},
		{"parenthesis", "(SELECT 1) UNION (SELECT 2)", "SELECT", "a parenthesised query"},
		{"cte", "WITH x AS (SELECT 1) SELECT * FROM x", "WITH", "the statement starts with WITH"},
		{"keyword glued to punctuation", "SELECT*FROM t", "SELECT", "the keyword ends at the first non-letter"},
		{"prepared statement name", "get_product", "", "pgx accepts a statement name instead of SQL; it is not a command"},
		{"empty", "", "", "nothing to name"},
		{"unterminated comment", "/* SELECT", "", "no command after the comment"},
		{"only a line comment", "-- SELECT", "", "the command is inside the comment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := operationName(tt.sql); got != tt.want {
				t.Errorf("operationName(%q) = %q, want %q (%s)", tt.sql, got, tt.want, tt.reason)
			}
		})
	}
}
