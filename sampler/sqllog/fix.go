package sqllog

import (
	"strings"

	sqllexer "github.com/DataDog/go-sqllexer"
)

// djangoFix names the Django fix for an N+1 loop of fingerprint fp, from
// the first condition of its WHERE clause. The rule:
//
//   - WHERE <table>.id = ? on one table: each row looks up its foreign-key
//     target by primary key, so select_related('<model>') joins it into the
//     first query (Django names tables <app>_<model>; the field is usually
//     named after the model).
//   - WHERE <through>.<owner>_id = ? on a joined table: a many-to-many
//     relation read through its join table <app>_<owner>_<field>, so
//     prefetch_related('<field>').
//   - WHERE <table>.<owner>_id = ? on one table: a reverse foreign key (the
//     rows pointing at each parent), so prefetch_related('<model>_set').
//
// Anything else gets "" (no Django fix is claimed).
func djangoFix(fp fingerprint) string {
	col, ok := whereColumn(fp.text)
	if !ok || len(fp.tables) == 0 {
		return ""
	}
	table, column := splitColumn(col, fp.tables[0])
	switch {
	case column == "id" && len(fp.tables) == 1:
		return "select_related('" + modelName(table) + "')"
	case strings.HasSuffix(column, "_id") && len(column) > 3:
		owner := strings.TrimSuffix(column, "_id")
		if table != fp.tables[0] {
			field := strings.TrimPrefix(table, appPrefix(table)+owner+"_")
			return "prefetch_related('" + field + "')"
		}
		return "prefetch_related('" + modelName(table) + "_set')"
	}
	return ""
}

// whereColumn returns the identifier compared in the first WHERE
// condition, when that condition is "<column> = ?" or "<column> IN (?)".
func whereColumn(fp string) (string, bool) {
	lx := sqllexer.New(fp)
	var toks []sqllexer.Token // by value: the lexer reuses its token
	for t := lx.Scan(); t.Type != sqllexer.EOF && len(toks) < 10000; t = lx.Scan() {
		if t.Type != sqllexer.SPACE {
			toks = append(toks, *t)
		}
	}
	if len(toks) == 0 || !strings.EqualFold(toks[0].Value, "SELECT") {
		return "", false
	}
	for i, t := range toks {
		if !strings.EqualFold(t.Value, "WHERE") || i+2 >= len(toks) {
			continue
		}
		id, op := toks[i+1], toks[i+2]
		if id.Type != sqllexer.IDENT && id.Type != sqllexer.QUOTED_IDENT {
			return "", false
		}
		if op.Value == "=" || strings.EqualFold(op.Value, "IN") {
			return strings.Trim(id.Value, `"`+"`"), true
		}
		return "", false
	}
	return "", false
}

// splitColumn splits "table.column" (or a bare column of the FROM table).
func splitColumn(col, from string) (table, column string) {
	if i := strings.LastIndexByte(col, '.'); i >= 0 {
		return col[:i], col[i+1:]
	}
	return from, col
}

// appPrefix is the "<app>_" of a Django table name, "" when there is none.
func appPrefix(table string) string {
	if i := strings.IndexByte(table, '_'); i > 0 && i < len(table)-1 {
		return table[:i+1]
	}
	return ""
}

// modelName is the lower-case model name of a Django table <app>_<model>.
func modelName(table string) string {
	return strings.TrimPrefix(table, appPrefix(table))
}
