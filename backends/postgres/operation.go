package postgres

import "strings"

// operationName returns the SQL command of a statement in upper case
// ("SELECT" for "select * from t"), skipping leading white space, comments
// and parentheses, or "" if it starts with no known command. It never
// returns any other part of the statement, so no literal reaches a span name.
func operationName(sql string) string {
	s := sql
	for {
		s = strings.TrimLeft(s, " \t\r\n\f(")
		switch {
		case strings.HasPrefix(s, "--"):
			_, rest, found := strings.Cut(s, "\n")
			if !found {
				return ""
			}
			s = rest
		case strings.HasPrefix(s, "/*"):
			_, rest, found := strings.Cut(s[2:], "*/")
			if !found {
				return ""
			}
			s = rest
		default:
			end := strings.IndexFunc(s, func(r rune) bool {
				return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z')
			})
			if end < 0 {
				end = len(s)
			}
			if word := strings.ToUpper(s[:end]); isCommand(word) {
				return word
			}
			return ""
		}
	}
}

// isCommand reports whether word starts an SQL statement. Anything else, such
// as the name of a prepared statement that pgx also accepts in place of SQL,
// gives no operation name, so span names stay few.
func isCommand(word string) bool {
	switch word {
	case "ALTER", "ANALYZE", "BEGIN", "CALL", "CHECKPOINT", "CLOSE", "CLUSTER",
		"COMMENT", "COMMIT", "COPY", "CREATE", "DEALLOCATE", "DECLARE", "DELETE",
		"DISCARD", "DO", "DROP", "END", "EXECUTE", "EXPLAIN", "FETCH", "GRANT",
		"IMPORT", "INSERT", "LISTEN", "LOCK", "MERGE", "MOVE", "NOTIFY", "PREPARE",
		"REFRESH", "REINDEX", "RELEASE", "RESET", "REVOKE", "ROLLBACK", "SAVEPOINT",
		"SELECT", "SET", "SHOW", "START", "TABLE", "TRUNCATE", "UNLISTEN", "UPDATE",
		"VACUUM", "VALUES", "WITH":
		return true
	}
	return false
}
