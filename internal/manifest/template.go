package manifest

import (
	"bytes"
	"regexp"
)

// templateAction matches a Go template action as Helm writes it: a pipeline
// that starts with a field (.Values), a variable ($x), a keyword or a comment.
// "{{uid}}" style placeholders used by other tools are plain strings.
var templateAction = regexp.MustCompile(`\{\{-?\s*(\.|\$|/\*|(if|else|end|range|with|define|include|template|block|toYaml|tpl|required|default|printf|quote|not|and|or|eq|ne|lookup)\b)`)

// IsTemplate reports whether a document is an unrendered Helm/Go template.
func IsTemplate(data []byte) bool {
	return bytes.Contains(data, []byte("{{")) && templateAction.Match(data)
}
