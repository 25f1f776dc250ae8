package textutil

import "math"

// EditDistance is the Levenshtein distance between a and b in Unicode code
// points: the number of single-character insertions, deletions and
// substitutions that turn one into the other. The levenshtein check grades
// by it, and "did you mean" suggestions rank names by it.
func EditDistance(a, b string) int { return EditDistanceUpTo(a, b, math.MaxInt) }

// EditDistanceUpTo is EditDistance, but returns limit as soon as the
// distance is known to be at least limit: a search for the closest of many
// names stops early on the names further away than the best so far.
func EditDistanceUpTo(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) < len(rb) {
		ra, rb = rb, ra // the rows are as long as the shorter
	}
	if len(ra)-len(rb) >= limit {
		return limit
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin >= limit {
			return limit
		}
		prev, cur = cur, prev
	}
	return min(prev[len(rb)], limit)
}
