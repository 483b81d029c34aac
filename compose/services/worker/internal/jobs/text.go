package jobs

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// WordCountOutput is the wordcount job's output.
type WordCountOutput struct {
	Words int `json:"words"`
	Lines int `json:"lines"`
	Chars int `json:"chars"`
}

// WordCount counts whitespace-separated words, lines as Python's str.splitlines would (a final
// newline does not start a new line; "" has 0 lines) and characters as Unicode code points.
func WordCount(text string) WordCountOutput {
	lines := 0
	if text != "" {
		normalized := strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
		lines = strings.Count(normalized, "\n")
		if !strings.HasSuffix(normalized, "\n") {
			lines++
		}
	}
	return WordCountOutput{Words: len(strings.Fields(text)), Lines: lines, Chars: utf8.RuneCountInString(text)}
}

func runWordCount(raw []byte) (WordCountOutput, error) {
	var p struct {
		Text *string `json:"text"`
	}
	if err := decodePayload(raw, &p); err != nil {
		return WordCountOutput{}, err
	}
	text, err := requireText(p.Text)
	return WordCount(text), err
}

// SHA256Output is the sha256 job's output.
type SHA256Output struct {
	SHA256 string `json:"sha256"`
}

// SHA256 is the lowercase hex digest of the UTF-8 text.
func SHA256(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}

func runSHA256(raw []byte) (SHA256Output, error) {
	var p struct {
		Text *string `json:"text"`
	}
	if err := decodePayload(raw, &p); err != nil {
		return SHA256Output{}, err
	}
	text, err := requireText(p.Text)
	return SHA256Output{SHA256: SHA256(text)}, err
}

// Tokens are the lowercase words of a text: runs of letters and digits, with apostrophes kept
// inside a word ("don't") so contractions match the stop-word list.
func Tokens(text string) []string {
	fields := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\'' && r != '’'
	})
	out := fields[:0]
	for _, f := range fields {
		f = strings.Trim(strings.ReplaceAll(f, "’", "'"), "'")
		if f != "" {
			out = append(out, f)
		}
	}
	return out
}

// isContentWord is a word that can be a keyword: not a stop word, not a number, 2+ characters.
func isContentWord(tok string) bool {
	if utf8.RuneCountInString(tok) < 2 || stopWords[tok] {
		return false
	}
	return strings.IndexFunc(tok, func(r rune) bool { return !unicode.IsDigit(r) }) >= 0
}

// termFrequencies counts content words across a text.
func termFrequencies(text string) map[string]int {
	freq := map[string]int{}
	for _, tok := range Tokens(text) {
		if isContentWord(tok) {
			freq[tok]++
		}
	}
	return freq
}

// KeywordsOutput is the keywords job's output.
type KeywordsOutput struct {
	Keywords []string `json:"keywords"`
}

// Keywords returns the top most frequent content words; ties are broken alphabetically.
func Keywords(text string, top int) []string {
	return topByScore(termFrequencies(text), top)
}

// topByScore ranks words by score (highest first), ties alphabetical, and keeps the first top.
func topByScore(score map[string]int, top int) []string {
	words := make([]string, 0, len(score))
	for w := range score {
		words = append(words, w)
	}
	slices.SortFunc(words, func(a, b string) int {
		if c := cmp.Compare(score[b], score[a]); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	return words[:min(top, len(words))]
}

func runKeywords(raw []byte) (KeywordsOutput, error) {
	p := struct {
		Text *string `json:"text"`
		Top  int     `json:"top"`
	}{Top: 5}
	if err := decodePayload(raw, &p); err != nil {
		return KeywordsOutput{}, err
	}
	text, err := requireText(p.Text)
	if err != nil {
		return KeywordsOutput{}, err
	}
	if p.Top < 1 {
		return KeywordsOutput{}, errors.New("payload.top must be at least 1")
	}
	return KeywordsOutput{Keywords: Keywords(text, p.Top)}, nil
}

// SummarizeOutput is the summarize job's output.
type SummarizeOutput struct {
	Summary string `json:"summary"`
}

// Sentences splits a text at ., ! or ? followed by white space, and at blank lines; each sentence
// has its white space collapsed to single spaces.
func Sentences(text string) []string {
	var out []string
	for _, para := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n") {
		start := 0
		runes := []rune(para)
		for i, r := range runes {
			end := i == len(runes)-1 || unicode.IsSpace(runes[i+1])
			if (r == '.' || r == '!' || r == '?') && end {
				out = appendSentence(out, string(runes[start:i+1]))
				start = i + 1
			}
		}
		out = appendSentence(out, string(runes[start:]))
	}
	return out
}

func appendSentence(out []string, s string) []string {
	if s = strings.Join(strings.Fields(s), " "); s != "" {
		out = append(out, s)
	}
	return out
}

// Summarize keeps the n highest-scoring sentences in their original order. A sentence scores the
// mean document frequency of its words (stop words count as 0), so sentences dense in the text's
// recurring terms win regardless of length; ties go to the earlier sentence.
func Summarize(text string, n int) string {
	sentences := Sentences(text)
	if len(sentences) <= n {
		return strings.Join(sentences, " ")
	}
	freq := termFrequencies(text)
	scores := make([]float64, len(sentences))
	for i, s := range sentences {
		toks := Tokens(s)
		total := 0
		for _, tok := range toks {
			total += freq[tok] // 0 for stop words, which termFrequencies never counts
		}
		if len(toks) > 0 {
			scores[i] = float64(total) / float64(len(toks))
		}
	}
	order := make([]int, len(sentences))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(scores[b], scores[a]) })
	chosen := order[:n]
	slices.Sort(chosen)
	picked := make([]string, len(chosen))
	for i, idx := range chosen {
		picked[i] = sentences[idx]
	}
	return strings.Join(picked, " ")
}

func runSummarize(raw []byte) (SummarizeOutput, error) {
	p := struct {
		Text      *string `json:"text"`
		Sentences int     `json:"sentences"`
	}{Sentences: 2}
	if err := decodePayload(raw, &p); err != nil {
		return SummarizeOutput{}, err
	}
	text, err := requireText(p.Text)
	if err != nil {
		return SummarizeOutput{}, err
	}
	if p.Sentences < 1 {
		return SummarizeOutput{}, errors.New("payload.sentences must be at least 1")
	}
	return SummarizeOutput{Summary: Summarize(text, p.Sentences)}, nil
}
