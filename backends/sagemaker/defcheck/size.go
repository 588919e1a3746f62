package defcheck

import (
	"fmt"
	"unicode/utf8"
)

// maxInlineDefinition is CreatePipeline's PipelineDefinition length limit.
const maxInlineDefinition = 1_048_576

// sizeProblems checks the inline size limit. AWS counts string length in UTF-16 code units (the
// service is Java), so a character outside the Basic Multilingual Plane counts twice; invalid UTF-8
// bytes count once, as the replacement character they decode to.
func sizeProblems(definition []byte) []Problem {
	n := 0
	for i := 0; i < len(definition); {
		r, size := utf8.DecodeRune(definition[i:])
		i += size
		n++
		if r > 0xFFFF {
			n++
		}
	}
	if n <= maxInlineDefinition {
		return nil
	}
	return []Problem{{Message: fmt.Sprintf(
		"the definition is %d characters, over CreatePipeline's inline limit of %d; shrink it or upload it and pass PipelineDefinitionS3Location",
		n, maxInlineDefinition)}}
}
