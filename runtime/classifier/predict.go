package classifier

import "github.com/slm-project/slm/runtime/answer"

// Softmax is a numerically stable softmax, computed in float64.
func Softmax(logits []float32) []float32 { return answer.Softmax(logits) }
