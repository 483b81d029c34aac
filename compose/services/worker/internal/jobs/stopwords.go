package jobs

// stopWords are common English function words that say nothing about a text's topic.
var stopWords = func() map[string]bool {
	words := []string{
		"a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any",
		"are", "aren't", "as", "at", "be", "because", "been", "before", "being", "below", "between",
		"both", "but", "by", "can", "can't", "cannot", "could", "couldn't", "did", "didn't", "do",
		"does", "doesn't", "doing", "don't", "down", "during", "each", "few", "for", "from",
		"further", "had", "hadn't", "has", "hasn't", "have", "haven't", "having", "he", "her",
		"here", "hers", "herself", "him", "himself", "his", "how", "i", "i'm", "if", "in", "into",
		"is", "isn't", "it", "it's", "its", "itself", "just", "let's", "me", "more", "most", "much",
		"must", "my", "myself", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or",
		"other", "our", "ours", "ourselves", "out", "over", "own", "same", "she", "should", "so",
		"some", "such", "than", "that", "that's", "the", "their", "theirs", "them", "themselves",
		"then", "there", "there's", "these", "they", "they're", "this", "those", "through", "to",
		"too", "under", "until", "up", "very", "was", "wasn't", "we", "we're", "were", "weren't",
		"what", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "won't",
		"would", "wouldn't", "you", "you're", "your", "yours", "yourself", "yourselves",
	}
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}()
