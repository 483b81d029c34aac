package jobs

import (
	"encoding/json"
	"fmt"
	"strings"
)

// AggregateOutput is the aggregate job's output.
type AggregateOutput struct {
	Words    int      `json:"words"`
	Summary  string   `json:"summary"`
	Keywords []string `json:"keywords"`
	Parts    int      `json:"parts"`
}

// aggregateKeywords is how many merged keywords an aggregate keeps (CONTRACT.md: "merged top 5").
const aggregateKeywords = 5

// Aggregate combines its dependencies' outputs (in depends_on order): words are summed over the
// outputs that have "words", summaries are joined with a space in order, keywords are merged by a
// Borda count (a list of k gives its first keyword k points, the next k-1, ...; ties alphabetical),
// and parts is the number of dependency outputs combined.
func Aggregate(outputs []json.RawMessage) (AggregateOutput, error) {
	agg := AggregateOutput{Keywords: []string{}, Parts: len(outputs)}
	var summaries []string
	points := map[string]int{}
	for i, raw := range outputs {
		var part struct {
			Words    *int     `json:"words"`
			Summary  *string  `json:"summary"`
			Keywords []string `json:"keywords"`
		}
		if err := json.Unmarshal(raw, &part); err != nil {
			return AggregateOutput{}, fmt.Errorf("dependency output %d is not a result object: %w", i, err)
		}
		if part.Words != nil {
			agg.Words += *part.Words
		}
		if part.Summary != nil && *part.Summary != "" {
			summaries = append(summaries, *part.Summary)
		}
		for rank, kw := range part.Keywords {
			points[kw] += len(part.Keywords) - rank
		}
	}
	agg.Summary = strings.Join(summaries, " ")
	agg.Keywords = append(agg.Keywords, topByScore(points, aggregateKeywords)...)
	return agg, nil
}
