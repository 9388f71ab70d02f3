package sqllog

import (
	"strings"

	sqllexer "github.com/DataDog/go-sqllexer"
	"github.com/headroom-dev/headroom/sampler/text"
)

// fingerprinter folds literals, numbers and IN-lists out of statements with
// go-sqllexer's obfuscator and normaliser, so "WHERE id = 7" and
// "WHERE id = 9" are one statement.
type fingerprinter struct {
	obf   *sqllexer.Obfuscator
	norm  *sqllexer.Normalizer
	cache map[string]fingerprint // by raw SQL: Postgres's $1 statements repeat verbatim
}

// fingerprint is a statement's normalised text and the tables it names.
type fingerprint struct {
	text   string
	tables []string
}

const maxFingerprintCache = 4096

func newFingerprinter() *fingerprinter {
	return &fingerprinter{
		// Numbers are literals to fold, not parts of names: replacing the
		// digits in identifiers made "oauth2_token" oauth?_token and put
		// log_2024 and log_2025 in one statement.
		obf: sqllexer.NewObfuscator(sqllexer.WithReplaceDigits(false)),
		norm: sqllexer.NewNormalizer(sqllexer.WithCollectTables(true),
			sqllexer.WithKeepIdentifierQuotation(false), sqllexer.WithUppercaseKeywords(true)),
		cache: map[string]fingerprint{},
	}
}

// of returns the fingerprint of sql; SQL the lexer cannot read is its own
// fingerprint (whitespace folded), never an error.
func (f *fingerprinter) of(sql string) fingerprint {
	if fp, ok := f.cache[sql]; ok {
		return fp
	}
	text, meta, err := sqllexer.ObfuscateAndNormalize(sql, f.obf, f.norm)
	fp := fingerprint{text: text}
	if err != nil || strings.TrimSpace(text) == "" {
		fp.text = strings.Join(strings.Fields(sql), " ")
	} else if meta != nil {
		fp.tables = meta.Tables
	}
	if len(f.cache) >= maxFingerprintCache {
		clear(f.cache)
	}
	f.cache[sql] = fp
	return fp
}

// Printable makes text from a log safe and short for a terminal: one line,
// cut to max runes with "…" (text.Fold).
func Printable(s string, max int) string { return text.Fold(s, max) }
