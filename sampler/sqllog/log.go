package sqllog

import "io"

// Log is a whole query log being read: a parser feeding an analyzer.
type Log struct {
	parser   *Parser
	analyzer *Analyzer
}

// NewLog returns an empty log.
func NewLog() *Log {
	a := NewAnalyzer()
	return &Log{parser: NewParser(a.Add), analyzer: a}
}

// ReadFrom reads every line of r (one file of the log).
func (l *Log) ReadFrom(r io.Reader) (int64, error) { return l.parser.ReadFrom(r) }

// Report ranks the statements read so far (see Analyzer.Report).
func (l *Log) Report(top int) Report {
	l.parser.Flush()
	r := l.analyzer.Report(top)
	r.Lines, r.Unparsed = l.parser.Lines, l.parser.Unparsed
	return r
}
